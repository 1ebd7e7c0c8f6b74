/** `auth --refresh-token`: a connection stored from an existing refresh token, against the Zoho sandbox. */
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { ZohoOAuthError } from "../../../shared/adapters/zoho/oauth-client.js";
import { parseConnection, type ZohoConnection } from "../../../shared/domain/zoho-connection.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";
import { connect as exchange } from "../../helpers/zoho.js";

let h: ConnectionHarness;
beforeAll(async () => {
  h = await startConnectionHarness();
});
afterAll(() => h.close());

const stored = async (secretName = h.secretName): Promise<ZohoConnection> =>
  parseConnection(
    (await h.sm.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString ?? "",
    secretName,
  );

/** A refresh token minted outside the product (as another tool or an earlier install would hold one). */
const outsideRefreshToken = async () => (await exchange(h.sandbox)).refreshToken;

describe("auth --refresh-token: the use case", () => {
  it("refreshes once, verifies CRM and Desk, and stores the given refresh token with the new access token", async () => {
    const refreshToken = await outsideRefreshToken();
    const before = h.tokenCalls();

    const summary = await h.connect({ code: undefined as never, refreshToken });
    const conn = await stored();

    expect(h.tokenCalls() - before).toBe(1);
    expect(summary).toMatchObject({
      connection: "default",
      dc: "us",
      desk: { orgId: h.sandbox.demo().orgId },
    });
    expect(summary.verified).toHaveLength(2);
    expect(conn).toMatchObject({ status: "active", brokenReason: null, refreshToken });
    expect(conn.scopes).toEqual(expect.arrayContaining(["ZohoCRM.modules.ALL"]));
    expect(conn.accessTokenExpiresAt).toBe(h.clock.now() + 3_600_000);
    // The validating refresh counts against Zoho's 10 per 10 minutes: the refresh guard sees it.
    expect(conn.refreshLog).toEqual([h.clock.now()]);
    expect(JSON.stringify(summary)).not.toContain(refreshToken);
  });

  it("keeps counting the refreshes already logged for the same refresh token", async () => {
    const refreshToken = await outsideRefreshToken();
    await h.connect({ code: undefined as never, refreshToken });
    h.clock.advance(60_000);

    await h.connect({ code: undefined as never, refreshToken });
    const conn = await stored();

    expect(conn.refreshLog).toEqual([h.clock.now() - 60_000, h.clock.now()]);
  });

  it("repairs a broken connection: status active again, and workers get a token from it", async () => {
    const first = await outsideRefreshToken();
    await h.connect({ code: undefined as never, refreshToken: first });
    await fetch(`${h.sandbox.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: first }),
    });
    const broken = await h.refresh({ secretName: h.secretName, staleToken: (await stored()).accessToken });
    expect(broken.outcome).toBe("broken");
    expect((await stored()).status).toBe("broken");

    await h.connect({ code: undefined as never, refreshToken: await outsideRefreshToken() });
    const { zoho } = h.container();
    const res = await zoho.request({ service: "crm", method: "GET", path: "/crm/v8/settings/modules" });

    expect(await stored()).toMatchObject({ status: "active", brokenReason: null });
    expect(res.status).toBe(200);
  });

  it("explains a revoked refresh token (invalid_code) and stores nothing", async () => {
    const token = await outsideRefreshToken();
    await fetch(`${h.sandbox.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: token }),
    });
    const secretName = `${h.secretName}-revoked`;

    const error = await h
      .connect({ code: undefined as never, refreshToken: token, ...{ secretName } })
      .catch((e) => e);

    expect(error).toBeInstanceOf(ZohoOAuthError);
    expect((error as ZohoOAuthError).code).toBe("invalid_code");
    expect((error as Error).message).toMatch(/refresh token \(invalid_code\).*revoked.*another data centre/);
    expect((error as Error).message).not.toContain(token);
    await expect(stored(secretName)).rejects.toThrow();
  });

  it("explains a refresh token used at another data centre's accounts server", async () => {
    const error = await h
      .connect({
        code: undefined as never,
        refreshToken: await outsideRefreshToken(),
        dc: "eu",
        accountsServer: h.sandbox.accountsUrl("eu"),
      })
      .catch((e) => e);

    // Zoho knows the client only in the DC it was registered in.
    expect(error).toMatchObject({ code: "invalid_client", message: expect.stringMatching(/data centre/) });
  });
});

describe("auth --refresh-token: the CLI", () => {
  const cli = async (args: string[], env: Record<string, string>) => {
    const lines: string[] = [];
    const code = await main(["auth", ...args], env, (l) => lines.push(l));
    return { code, out: lines.join("\n") };
  };
  const base = () => {
    const demo = h.sandbox.demo();
    return [
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
      h.secretsEmulator.url,
    ];
  };

  it("stores a connection from ZOHO_REFRESH_TOKEN and prints no secret", async () => {
    const demo = h.sandbox.demo();
    const refreshToken = await outsideRefreshToken();
    const secretName = `${h.secretName}-cli-rt`;

    const { code, out } = await cli([...base(), "--secret-name", secretName], {
      ZOHO_CLIENT_SECRET: demo.clientSecret,
      ZOHO_REFRESH_TOKEN: refreshToken,
    });

    expect(code).toBe(0);
    expect(JSON.parse(out).stored).toMatchObject({ dc: "us", desk: { orgId: demo.orgId } });
    expect((await stored(secretName)).refreshToken).toBe(refreshToken);
    expect(out).not.toContain(refreshToken);
    expect(out).not.toContain(demo.clientSecret);
  });

  it("exits 1 with the reason for a revoked token, and 2 when given both a code and a refresh token", async () => {
    const demo = h.sandbox.demo();
    const token = await outsideRefreshToken();
    await fetch(`${h.sandbox.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: token }),
    });

    const revoked = await cli([...base(), "--refresh-token", token], {
      ZOHO_CLIENT_SECRET: demo.clientSecret,
    });
    const both = await cli([...base(), "--refresh-token", token, "--code", "1000.x"], {
      ZOHO_CLIENT_SECRET: demo.clientSecret,
    });

    expect(revoked.code).toBe(1);
    expect(revoked.out).toMatch(/^auth failed: Zoho rejected the refresh token \(invalid_code\)/);
    expect(revoked.out).not.toContain(token);
    expect(both.code).toBe(2);
    expect(both.out).toMatch(/not both/);
  });
});
