/** The auth command: grant-code exchange against the Zoho sandbox, stored in the Secrets Manager emulator. */
import { DescribeSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { ZohoOAuthError } from "../../../shared/adapters/zoho/oauth-client.js";
import { parseConnection } from "../../../shared/domain/zoho-connection.js";
import { ConfigError } from "../../../shared/errors.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
beforeAll(async () => {
  h = await startConnectionHarness();
});
afterAll(() => h.close());

describe("auth: grant-code exchange", () => {
  it("stores the connection with its tokens, DC, api_domain and Desk org, and returns a summary without secrets", async () => {
    const summary = await h.connect();
    const stored = parseConnection(
      (await h.sm.send(new GetSecretValueCommand({ SecretId: h.secretName }))).SecretString ?? "",
      h.secretName,
    );
    const demo = h.sandbox.demo();

    expect(summary).toMatchObject({
      connection: "default",
      dc: "us",
      apiDomain: demo.apiDomain,
      desk: { base: demo.deskUrl, orgId: demo.orgId },
      created: true,
    });
    expect(summary.verified).toHaveLength(2);
    expect(JSON.stringify(summary)).not.toContain(demo.clientSecret);
    expect(JSON.stringify(summary)).not.toContain(stored.refreshToken);
    expect(JSON.stringify(summary)).not.toContain(stored.accessToken);
    expect(stored).toMatchObject({
      status: "active",
      clientId: demo.clientId,
      apiDomain: demo.apiDomain,
      scopes: expect.arrayContaining(["ZohoCRM.modules.ALL"]),
    });
    expect(stored.accessTokenExpiresAt).toBe(h.clock.now() + 3_600_000);
  });

  it("writes a new version when run again for the same connection", async () => {
    await h.connect();
    const again = await h.connect();
    const described = await h.sm.send(new DescribeSecretCommand({ SecretId: h.secretName }));

    expect(again.created).toBe(false);
    expect(Object.values(described.VersionIdsToStages ?? {}).flat()).toEqual(
      expect.arrayContaining(["AWSCURRENT", "AWSPREVIOUS"]),
    );
  });

  it("explains an expired grant code (invalid_code)", async () => {
    const code = h.sandbox.grantCode();
    h.sandbox.advanceClock(121);

    const error = await h.connect({ code }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ZohoOAuthError);
    expect((error as ZohoOAuthError).code).toBe("invalid_code");
    expect((error as Error).message).toMatch(/expires about 2 minutes .* works once/);
  });

  it("explains a grant code used twice (invalid_code)", async () => {
    const code = h.sandbox.grantCode();
    await h.connect({ code });

    await expect(h.connect({ code })).rejects.toMatchObject({ code: "invalid_code" });
  });

  it("explains an unknown client (invalid_client) and a wrong secret (invalid_client_secret)", async () => {
    await expect(h.connect({ clientId: "1000.NOSUCHCLIENT" })).rejects.toMatchObject({
      code: "invalid_client",
      message: expect.stringMatching(/data centre/),
    });
    await expect(h.connect({ clientSecret: "0".repeat(42) })).rejects.toMatchObject({
      code: "invalid_client_secret",
    });
  });

  it("explains a wrong data centre: a client registered in EU called on the US accounts server", async () => {
    const eu = (await (
      await fetch(`${h.sandbox.url}/_sandbox/clients`, { method: "POST", body: JSON.stringify({ dc: "eu" }) })
    ).json()) as { client_id: string; client_secret: string };
    const code = h.sandbox.grantCode(undefined, eu.client_id);

    const wrong = await h
      .connect({
        clientId: eu.client_id,
        clientSecret: eu.client_secret,
        code,
        dc: "us",
        accountsServer: h.sandbox.accountsUrl("us"),
        deskOrgId: undefined as never,
      })
      .catch((e: Error) => e);
    const right = await h.connect({
      clientId: eu.client_id,
      clientSecret: eu.client_secret,
      code: h.sandbox.grantCode(undefined, eu.client_id),
      dc: "eu",
      accountsServer: h.sandbox.accountsUrl("eu"),
      deskBase: h.sandbox.deskUrl("eu"),
    });

    expect(wrong).toMatchObject({ code: "invalid_client", message: expect.stringMatching(/data centre/) });
    expect(right.apiDomain).toBe(h.sandbox.apiDomain("eu"));
  });

  it("needs a data centre it can tell", async () => {
    await expect(
      h.connect({ dc: undefined as never, accountsServer: h.sandbox.accountsUrl("us") }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it("refuses a Desk org the token does not belong to", async () => {
    await expect(h.connect({ deskOrgId: "123" })).rejects.toMatchObject({
      message: expect.stringMatching(/not one of this token's organizations/),
    });
  });
});

describe("auth: the CLI", () => {
  const cli = async (args: string[], env: Record<string, string>) => {
    const lines: string[] = [];
    const code = await main(["auth", ...args], env, (l) => lines.push(l));
    return { code, out: lines.join("\n") };
  };

  it("stores a connection from flags and environment, printing what it stored minus secrets", async () => {
    const demo = h.sandbox.demo();
    const grant = h.sandbox.grantCode();

    const { code, out } = await cli(
      [
        "--connection",
        "cli",
        "--secret-name",
        `${h.secretName}-cli`,
        "--client-id",
        demo.clientId,
        "--dc",
        "us",
        "--accounts-server",
        demo.accountsUrl,
        "--secrets-endpoint",
        h.secretsEmulator.url,
      ],
      { ZOHO_CLIENT_SECRET: demo.clientSecret, ZOHO_GRANT_CODE: grant },
    );

    expect(code).toBe(0);
    expect(JSON.parse(out).stored).toMatchObject({ connection: "cli", dc: "us", apiDomain: demo.apiDomain });
    expect(out).not.toContain(demo.clientSecret);
    expect(out).not.toMatch(/1000\.[0-9a-f]{32}/);
  });

  it("works against the local emulator with no AWS credentials configured", async () => {
    const demo = h.sandbox.demo();
    const env: Record<string, string> = {
      ZOHO_CLIENT_SECRET: demo.clientSecret,
      ZOHO_GRANT_CODE: h.sandbox.grantCode(),
    };
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;

    const { code } = await cli(
      [
        "--secret-name",
        `${h.secretName}-nocreds`,
        "--client-id",
        demo.clientId,
        "--dc",
        "us",
        "--accounts-server",
        demo.accountsUrl,
        "--secrets-endpoint",
        h.secretsEmulator.url,
      ],
      env,
    ).finally(() => {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    });

    expect(code).toBe(0);
  });

  it("exits 1 with Zoho's reason and no secret when the code is bad, and 2 on missing input", async () => {
    const demo = h.sandbox.demo();

    const bad = await cli(
      [
        "--client-id",
        demo.clientId,
        "--dc",
        "us",
        "--accounts-server",
        demo.accountsUrl,
        "--secrets-endpoint",
        h.secretsEmulator.url,
        "--code",
        "1000.0000",
      ],
      {
        ZOHO_CLIENT_SECRET: demo.clientSecret,
      },
    );
    const missing = await cli(["--dc", "us"], {});

    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^auth failed: Zoho rejected the grant or refresh token \(invalid_code\)/);
    expect(bad.out).not.toContain(demo.clientSecret);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/missing --client-id, ZOHO_CLIENT_SECRET, --code/);
  });
});
