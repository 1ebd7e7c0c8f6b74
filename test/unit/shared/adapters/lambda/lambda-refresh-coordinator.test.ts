import { type InvokeCommand, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { LambdaRefreshCoordinator } from "../../../../../shared/adapters/lambda/lambda-refresh-coordinator.js";
import type { SecretStore } from "../../../../../shared/ports/secret-store.js";

const secretWith = (accessToken: string | null, expiresAt: number, status = "active") =>
  JSON.stringify({
    schemaVersion: 1,
    name: "default",
    dc: "us",
    accountsServer: "https://accounts.zoho.com",
    apiDomain: "https://www.zohoapis.com",
    desk: null,
    clientId: "1000.A",
    clientSecret: "s",
    refreshToken: "r",
    scopes: [],
    accessToken,
    accessTokenExpiresAt: expiresAt,
    status,
    brokenReason: status === "broken" ? "revoked" : null,
    refreshLog: [],
    throttledUntil: null,
    updatedAt: "2026-11-25T10:00:00.000Z",
  });

const store = (values: string[]): SecretStore => ({
  get: async () => ({
    value: values.length > 1 ? (values.shift() as string) : (values[0] as string),
    versionId: "v",
  }),
  put: async () => ({ versionId: "v" }),
  upsert: async () => ({ versionId: "v", created: false }),
});

describe("LambdaRefreshCoordinator", () => {
  it("invokes the refresher synchronously with the stale token and returns its outcome", async () => {
    const sent: InvokeCommand[] = [];
    const client = {
      send: async (cmd: InvokeCommand) => {
        sent.push(cmd);
        return { Payload: Buffer.from(JSON.stringify({ outcome: "refreshed", expiresAt: 123 })) };
      },
    };
    const coordinator = new LambdaRefreshCoordinator({
      client: client as never,
      functionName: "refresher",
      secrets: store([]),
    });

    const outcome = await coordinator.requestRefresh("secret/a", "1000.stale");

    expect(outcome).toEqual({ outcome: "refreshed", expiresAt: 123 });
    expect(sent[0]?.input).toMatchObject({ FunctionName: "refresher", InvocationType: "RequestResponse" });
    expect(JSON.parse(Buffer.from(sent[0]?.input.Payload as Uint8Array).toString())).toEqual({
      action: "refresh",
      secretName: "secret/a",
      staleToken: "1000.stale",
    });
  });

  it("when the refresher is busy (throttled invoke), waits for the secret to hold a new token instead", async () => {
    const client = {
      send: async () =>
        Promise.reject(new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} })),
    };
    const future = Date.now() + 3_600_000;
    const coordinator = new LambdaRefreshCoordinator({
      client: client as never,
      functionName: "r",
      secrets: store([secretWith("1000.stale", future), secretWith("1000.new", future)]),
      sleep: async () => {},
    });

    expect(await coordinator.requestRefresh("secret/a", "1000.stale")).toEqual({
      outcome: "fresh",
      expiresAt: future,
    });
  });

  it("reports a broken connection seen while waiting", async () => {
    const client = {
      send: async () =>
        Promise.reject(new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} })),
    };
    const coordinator = new LambdaRefreshCoordinator({
      client: client as never,
      functionName: "r",
      secrets: store([secretWith(null, 0, "broken")]),
      sleep: async () => {},
    });

    expect(await coordinator.requestRefresh("secret/a", "1000.stale")).toEqual({
      outcome: "broken",
      reason: "revoked",
    });
  });
});
