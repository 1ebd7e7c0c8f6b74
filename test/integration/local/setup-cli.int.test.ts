/**
 * The setup commands against the local stack (`npm start`'s emulators) with no `--stage`: `auth` and `doctor`
 * reach the secrets the stack made, because the CLI, the stack and CDK share one DEFAULT_STAGE.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { DEFAULT_STAGE } from "../../../shared/config/stage.js";
import { connectionSecretName, parseConnection } from "../../../shared/domain/zoho-connection.js";
import type { DoctorReport } from "../../../shared/use-cases/doctor/index.js";
import { startTestStack } from "../../helpers/local-stack.js";
import { connect as exchange } from "../../helpers/zoho.js";

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  // Only the emulators and the ingest path are needed: no DynamoDB Local (Java), so no worker.
  stack = await startTestStack({ env: { LOCAL_DYNAMODB: "off" } });
});
afterAll(() => stack.stop());

const conn = () => {
  if (!stack.connection) throw new Error("the test stack has a Zoho connection");
  return stack.connection;
};
const cli = async (args: string[], env: Record<string, string> = {}) => {
  const lines: string[] = [];
  const code = await main(args, env, (l) => lines.push(l));
  return { code, out: lines.join("\n") };
};

describe("setup commands against npm start, without --stage", () => {
  it("the local stack keeps its secrets under the default stage", () => {
    expect(conn().secretName).toBe(connectionSecretName(DEFAULT_STAGE, "default"));
  });

  it("doctor finds the stack's connection and webhook secrets and needs no model key", async () => {
    const { out } = await cli(["doctor", "--secrets-endpoint", stack.secrets.url, "--json"]);
    const report = JSON.parse(out) as DoctorReport;
    const status = (id: string) => report.checks.find((c) => c.id === id)?.status;

    expect(status("connection-secret")).toBe("ok");
    expect(status("token")).toBe("ok");
    expect(status("crm-api")).toBe("ok");
    expect(status("desk")).toBe("ok");
    expect(status("webhook-secret")).toBe("ok");
    expect(status("model-key")).toBe("ok");
  });

  it("auth --refresh-token writes the connection the stack reads", async () => {
    const sandbox = stack.sandbox;
    if (!sandbox) throw new Error("the test stack runs the Zoho sandbox");
    const demo = sandbox.demo();
    const refreshToken = (await exchange(sandbox)).refreshToken;

    const { code, out } = await cli(
      [
        "auth",
        "--client-id",
        demo.clientId,
        "--dc",
        "us",
        "--accounts-server",
        demo.accountsUrl,
        "--desk-url",
        demo.deskUrl,
        "--desk-org-id",
        demo.orgId,
        "--secrets-endpoint",
        stack.secrets.url,
      ],
      { ZOHO_CLIENT_SECRET: demo.clientSecret, ZOHO_REFRESH_TOKEN: refreshToken },
    );
    const stored = parseConnection(
      (await conn().store.get(conn().secretName, { fresh: true })).value,
      conn().secretName,
    );

    expect(code).toBe(0);
    expect(JSON.parse(out).stored).toMatchObject({ secretName: conn().secretName, created: false });
    expect(stored.refreshToken).toBe(refreshToken);
  });
});
