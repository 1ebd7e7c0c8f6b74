/** The token lifecycle: scheduled refresh, coordinated refresh, the 10-per-10-minutes guard, broken connections. */
import { DescribeSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildHandler } from "../../../functions/token-refresher/handler.js";
import { TokenProvider } from "../../../shared/adapters/zoho/token-provider.js";
import { parseConnection } from "../../../shared/domain/zoho-connection.js";
import {
  ConnectionBrokenError,
  RefreshThrottledError,
  UpstreamUnavailableError,
} from "../../../shared/errors.js";
import { createLogger } from "../../../shared/observability/logger.js";
import type { RefreshCoordinator } from "../../../shared/ports/refresh-coordinator.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
const stored = async () =>
  parseConnection(
    (await h.sm.send(new GetSecretValueCommand({ SecretId: h.secretName }))).SecretString ?? "",
    h.secretName,
  );
const leads = (zoho: ReturnType<ConnectionHarness["container"]>["zoho"]) =>
  zoho.request<{ data: { id: string }[] }>({
    service: "crm",
    method: "GET",
    path: "/crm/v8/Leads",
    query: { fields: "Email", per_page: 1 },
  });

afterEach(() => h.close());

describe("scheduled refresh (the refresher Lambda's handler)", () => {
  beforeEach(async () => {
    h = await startConnectionHarness();
    await h.connect();
  });
  const handler = () =>
    buildHandler({
      refresh: h.refresh,
      secretNames: [h.secretName],
      refreshAheadMs: 25 * 60_000,
      metrics: h.metrics,
      logger: createLogger("test"),
    });

  it("leaves a token with plenty of life alone", async () => {
    const result = await handler()({ source: "aws.events", "detail-type": "Scheduled Event", detail: {} });

    expect(result).toEqual({
      results: [{ secretName: h.secretName, outcome: "fresh", expiresAt: expect.any(Number) }],
    });
    expect(h.tokenCalls()).toBe(1);
  });

  it("refreshes a token close to expiry and stores it as a new AWSCURRENT version, the old one AWSPREVIOUS", async () => {
    const before = await stored();
    const beforeVersion = (await h.sm.send(new GetSecretValueCommand({ SecretId: h.secretName }))).VersionId;
    h.clock.advance(40 * 60_000);

    const result = await handler()({ source: "aws.events", "detail-type": "Scheduled Event" });
    const after = await stored();
    const described = await h.sm.send(new DescribeSecretCommand({ SecretId: h.secretName }));

    expect(result).toEqual({
      results: [{ secretName: h.secretName, outcome: "refreshed", expiresAt: h.clock.now() + 3_600_000 }],
    });
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(described.VersionIdsToStages?.[beforeVersion as string]).toEqual(["AWSPREVIOUS"]);
    expect(h.metrics.get("TokenRefreshed")).toBe(1);
  });

  it("refuses a direct refresh for a secret that is not one of its connections", async () => {
    await expect(
      handler()({ action: "refresh", secretName: "someone/else", staleToken: null }),
    ).rejects.toThrow(/not a connection of this stage/);
  });

  it("refuses an event it does not know", async () => {
    await expect(handler()({ hello: "world" })).rejects.toThrow(/unrecognised event/);
  });
});

describe("coordinated refresh", () => {
  beforeEach(async () => {
    h = await startConnectionHarness();
    await h.connect();
  });

  it("50 concurrent callers on an expired token cause exactly one refresh, and every call succeeds", async () => {
    const containers = Array.from({ length: 50 }, () => h.container());
    await Promise.all(containers.map((c) => c.tokens.get()));
    await fetch(`${h.sandbox.url}/_sandbox/tokens/expire`, { method: "POST" });
    const refreshesBefore = (h.sandbox.inspect().counts as { refreshes: number }).refreshes;

    const results = await Promise.all(containers.map((c) => leads(c.zoho)));
    const counts = h.sandbox.inspect().counts as { refreshes: number; status_401: number };

    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(counts.refreshes - refreshesBefore).toBe(1);
    expect(counts.status_401).toBe(50);
    expect(h.coordinator.requests).toBe(50);
  });

  it("inside one process, concurrent callers share one refresh request (single-flight)", async () => {
    const { tokens, zoho } = h.container({ maxConcurrent: 20 });
    await tokens.get();
    await fetch(`${h.sandbox.url}/_sandbox/tokens/expire`, { method: "POST" });

    await Promise.all(Array.from({ length: 20 }, () => leads(zoho)));

    expect(h.coordinator.requests).toBe(1);
  });

  it("a process with an expired token in memory reads the new one from the secret without asking for a refresh", async () => {
    const { tokens } = h.container();
    await tokens.get();
    h.clock.advance(40 * 60_000);
    await h.refresh({ secretName: h.secretName, minRemainingMs: 25 * 60_000 });
    h.clock.advance(19.5 * 60_000);

    const got = await tokens.get();

    expect(got.token).toBe((await stored()).accessToken);
    expect(h.coordinator.requests).toBe(0);
  });
});

describe("a token that expires while a caller waits for it", () => {
  it("is refreshed once more instead of failing the call", async () => {
    h = await startConnectionHarness();
    await h.connect();
    const { tokens } = h.container();
    await tokens.get();
    const slowHour: RefreshCoordinator = {
      // The first refresh completes, then an hour passes before the caller reads the new token.
      requestRefresh: async (name, stale) => {
        const outcome = await h.coordinator.requestRefresh(name, stale);
        if (h.coordinator.requests === 1) {
          h.clock.advance(3_601_000);
          h.sandbox.advanceClock(3_601);
        }
        return outcome;
      },
    };
    const waiting = new TokenProvider({
      secretName: h.secretName,
      secrets: h.store,
      coordinator: slowHour,
      clock: h.clock,
    });
    h.clock.advance(3_601_000);
    h.sandbox.advanceClock(3_601);

    const got = await waiting.get();

    expect(got.token).toBe((await stored()).accessToken);
    expect(h.coordinator.requests).toBe(2);
    expect((h.sandbox.inspect().counts as { refreshes: number }).refreshes).toBe(2);
  });
});

describe("Zoho's limits on refreshes", () => {
  it("the guard keeps attempts at or under the limit per 10 minutes, then answers throttled without calling Zoho", async () => {
    h = await startConnectionHarness({ guard: { maxRefreshes: 8 } });
    await h.connect();
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++)
      outcomes.push(
        (await h.refresh({ secretName: h.secretName, staleToken: (await stored()).accessToken })).outcome,
      );
    const afterBurst = h.tokenCalls();
    h.clock.advance(10 * 60_000 + 1);
    const later = await h.refresh({ secretName: h.secretName, staleToken: (await stored()).accessToken });

    expect(outcomes).toEqual([...Array(8).fill("refreshed"), ...Array(4).fill("throttled")]);
    expect(afterBurst).toBe(1 + 8);
    expect((h.sandbox.inspect().counts as { throttled_refreshes: number }).throttled_refreshes).toBe(0);
    expect(later.outcome).toBe("refreshed");
    expect(h.metrics.get("RefreshGuardBlocked")).toBe(4);
  });

  it("Zoho's throttle answer blocks further attempts for its window, and callers get RefreshThrottledError", async () => {
    h = await startConnectionHarness({ sandbox: { refreshLimit: 2 }, guard: { maxRefreshes: 10 } });
    await h.connect();
    for (let i = 0; i < 2; i++)
      await h.refresh({ secretName: h.secretName, staleToken: (await stored()).accessToken });
    const stale = (await stored()).accessToken;

    const throttled = await h.refresh({ secretName: h.secretName, staleToken: stale });
    const callsAfter = h.tokenCalls();
    const again = await h.refresh({ secretName: h.secretName, staleToken: stale });
    await fetch(`${h.sandbox.url}/_sandbox/tokens/expire`, { method: "POST" });
    const callerError = await leads(h.container().zoho).catch((e: unknown) => e);

    expect(throttled).toEqual({ outcome: "throttled", retryAfterMs: 600_000 });
    expect((await stored()).throttledUntil).toBe(h.clock.now() + 600_000);
    expect(again.outcome).toBe("throttled");
    expect(h.tokenCalls()).toBe(callsAfter);
    expect(callerError).toBeInstanceOf(RefreshThrottledError);
    expect(h.metrics.get("RefreshThrottled")).toBe(1);
  });
});

describe("Zoho Accounts answering 5xx (issue 9, defect 9)", () => {
  it("is a retryable failure, never a broken connection, and each attempt counts in the guard", async () => {
    h = await startConnectionHarness({ guard: { maxRefreshes: 2 } });
    await h.connect();
    const stale = (await stored()).accessToken;
    h.sandbox.inject({ target: "accounts", kind: 500, count: 2 });

    const errors = [
      await h.refresh({ secretName: h.secretName, staleToken: stale }).catch((e: unknown) => e),
      await h.refresh({ secretName: h.secretName, staleToken: stale }).catch((e: unknown) => e),
    ];
    const callsAfter = h.tokenCalls();
    const third = await h.refresh({ secretName: h.secretName, staleToken: stale });
    const callsAfterThird = h.tokenCalls();
    h.clock.advance(10 * 60_000 + 1);
    const later = await h.refresh({ secretName: h.secretName, staleToken: stale });

    expect(errors.every((e) => e instanceof UpstreamUnavailableError && e.retryable)).toBe(true);
    expect((await stored()).status).not.toBe("broken");
    expect(third.outcome).toBe("throttled");
    expect(callsAfterThird).toBe(callsAfter);
    expect(later.outcome).toBe("refreshed");
    expect(h.metrics.get("ConnectionBroken")).toBe(0);
  });
});

describe("a revoked refresh token", () => {
  it("marks the connection broken, raises the alarm metric, and stops every further token call (no retry storm)", async () => {
    h = await startConnectionHarness();
    await h.connect();
    const conn = await stored();
    await fetch(`${h.sandbox.accountsUrl()}/oauth/v2/token/revoke?token=${conn.refreshToken}`, {
      method: "POST",
    });
    const containers = Array.from({ length: 10 }, () => h.container());

    const first = await Promise.all(containers.map((c) => leads(c.zoho).catch((e: unknown) => e)));
    const callsAfterBreak = h.tokenCalls();
    const second = await Promise.all(containers.map((c) => leads(c.zoho).catch((e: unknown) => e)));
    const after = await stored();

    expect(first.every((e) => e instanceof ConnectionBrokenError)).toBe(true);
    expect(second.every((e) => e instanceof ConnectionBrokenError && e.retryable)).toBe(true);
    expect(after).toMatchObject({
      status: "broken",
      brokenReason: "refresh rejected by Zoho (invalid_code)",
      accessToken: null,
    });
    expect(h.metrics.get("ConnectionBroken")).toBe(1);
    expect(h.tokenCalls()).toBe(callsAfterBreak);
    expect(callsAfterBreak).toBe(2);
  });

  it("is repaired by running auth again", async () => {
    h = await startConnectionHarness();
    await h.connect();
    await fetch(`${h.sandbox.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: (await stored()).refreshToken }),
    });
    await h.refresh({ secretName: h.secretName, staleToken: (await stored()).accessToken });

    await h.connect();
    const res = await leads(h.container().zoho);

    expect(res.status).toBe(200);
    expect((await stored()).status).toBe("active");
  });
});
