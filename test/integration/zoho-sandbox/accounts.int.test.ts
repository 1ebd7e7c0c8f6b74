/** Zoho sandbox, Accounts OAuth: checklist items 1-8 of zoho-api-notes §8. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { connect, tokenCall } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
beforeAll(async () => {
  sandbox = await startZohoSandbox({ seed: false });
});
beforeEach(() => {
  sandbox.reset();
  Object.assign(sandbox.options, {
    refreshThrottleStatus: 400,
    maxActiveAccessTokens: 10,
    grantCodeTtlSeconds: 120,
  });
});
afterAll(() => sandbox.close());

const demo = () => sandbox.demo();
const exchange = (
  code: string,
  mode: "form" | "multipart" | "query" = "form",
  over: Record<string, string> = {},
) =>
  tokenCall(
    demo().accountsUrl,
    {
      grant_type: "authorization_code",
      client_id: demo().clientId,
      client_secret: demo().clientSecret,
      code,
      ...over,
    },
    mode,
  );
const refresh = (refreshToken: string) =>
  tokenCall(demo().accountsUrl, {
    grant_type: "refresh_token",
    client_id: demo().clientId,
    client_secret: demo().clientSecret,
    refresh_token: refreshToken,
  });
const apiStatus = async (token: string, apiDomain = demo().apiDomain) => {
  const res = await fetch(`${apiDomain}/crm/v8/settings/modules`, {
    headers: { authorization: `Zoho-oauthtoken ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("item 1: POST /oauth/v2/token", () => {
  it.each(["form", "multipart", "query"] as const)("exchanges a grant code sent as %s", async (mode) => {
    const { status, body } = await exchange(
      sandbox.grantCode(["ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL"]),
      mode,
    );

    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/),
      refresh_token: expect.stringMatching(/^1000\./),
      scope: "ZohoCRM.modules.ALL ZohoCRM.settings.ALL",
      api_domain: demo().apiDomain,
      token_type: "Bearer",
      expires_in: 3600,
    });
  });

  it("answers a refresh with a new access token and no refresh_token", async () => {
    const first = await exchange(sandbox.grantCode());

    const { status, body } = await refresh(first.body.refresh_token as string);

    expect(status).toBe(200);
    expect(body.access_token).not.toBe(first.body.access_token);
    expect(body).not.toHaveProperty("refresh_token");
    expect(body.expires_in).toBe(3600);
  });

  it("lets an access token work for 3600 s and not after", async () => {
    const { body } = await exchange(sandbox.grantCode());

    sandbox.advanceClock(3599);
    const inside = await apiStatus(body.access_token as string);
    sandbox.advanceClock(2);
    const after = await apiStatus(body.access_token as string);

    expect(inside.status).toBe(200);
    expect(after).toEqual({
      status: 401,
      body: { code: "INVALID_TOKEN", details: {}, message: "invalid oauth token", status: "error" },
    });
  });
});

describe("item 2: grant codes are single use and expire", () => {
  it("answers HTTP 200 invalid_code when a code is used twice", async () => {
    const code = sandbox.grantCode();
    await exchange(code);

    expect(await exchange(code)).toEqual({ status: 200, body: { error: "invalid_code" } });
  });

  it("answers invalid_code after 120 s by default", async () => {
    const code = sandbox.grantCode();
    sandbox.advanceClock(121);

    expect(await exchange(code)).toEqual({ status: 200, body: { error: "invalid_code" } });
  });

  it("takes the code life from configuration", async () => {
    sandbox.options.grantCodeTtlSeconds = 180;
    const code = sandbox.grantCode();
    sandbox.advanceClock(150);

    expect((await exchange(code)).body.access_token).toEqual(expect.any(String));
  });
});

describe("item 3: client and token errors answer HTTP 200 with an error key", () => {
  it("answers invalid_client for an unknown client id", async () => {
    expect(await exchange(sandbox.grantCode(), "form", { client_id: "1000.UNKNOWN" })).toEqual({
      status: 200,
      body: { error: "invalid_client" },
    });
  });

  it("answers invalid_client_secret for a wrong secret", async () => {
    expect(await exchange(sandbox.grantCode(), "form", { client_secret: "wrong" })).toEqual({
      status: 200,
      body: { error: "invalid_client_secret" },
    });
  });

  it("answers invalid_code when refreshing with a revoked refresh token", async () => {
    const { body } = await exchange(sandbox.grantCode());
    await fetch(`${demo().accountsUrl}/oauth/v2/token/revoke?token=${body.refresh_token}`, {
      method: "POST",
    });

    expect(await refresh(body.refresh_token as string)).toEqual({
      status: 200,
      body: { error: "invalid_code" },
    });
  });
});

describe("item 4: at most 10 refreshes per 10 minutes per refresh token", () => {
  const THROTTLED = {
    error_description: "You have made too many requests continuously. Please try again after some time.",
    error: "Access Denied",
    status: "failure",
  };

  it("throttles the 11th refresh inside the window with status 400, and allows refreshes again after it", async () => {
    const { body } = await exchange(sandbox.grantCode());
    const rt = body.refresh_token as string;
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await refresh(rt));

    expect(results.slice(0, 10).every((r) => typeof r.body.access_token === "string")).toBe(true);
    expect(results[10]).toEqual({ status: 400, body: THROTTLED });
    sandbox.advanceClock(601);
    expect((await refresh(rt)).body.access_token).toEqual(expect.any(String));
  });

  it("uses the configured status for the throttle answer (UNCONFIRMED: 400 or 200)", async () => {
    sandbox.options.refreshThrottleStatus = 200;
    const { body } = await exchange(sandbox.grantCode());
    for (let i = 0; i < 10; i++) await refresh(body.refresh_token as string);

    expect(await refresh(body.refresh_token as string)).toEqual({ status: 200, body: THROTTLED });
  });
});

describe("item 5: at most N active access tokens per refresh token", () => {
  it("silently invalidates the oldest token when one more is minted", async () => {
    sandbox.options.maxActiveAccessTokens = 3;
    const first = await exchange(sandbox.grantCode());
    const rt = first.body.refresh_token as string;
    const later = [await refresh(rt), await refresh(rt), await refresh(rt)];

    expect((await apiStatus(first.body.access_token as string)).body.code).toBe("INVALID_TOKEN");
    for (const r of later) expect((await apiStatus(r.body.access_token as string)).status).toBe(200);
  });
});

describe("item 6: at most 20 refresh tokens per user", () => {
  it("evicts the oldest refresh token when the 21st is issued", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 21; i++)
      tokens.push((await exchange(sandbox.grantCode())).body.refresh_token as string);

    expect(await refresh(tokens[0] as string)).toEqual({ status: 200, body: { error: "invalid_code" } });
    expect((await refresh(tokens[1] as string)).body.access_token).toEqual(expect.any(String));
  });
});

describe("item 7: revoke", () => {
  it("answers success and kills the refresh token's access tokens", async () => {
    const conn = await connect(sandbox);

    const res = await fetch(`${demo().accountsUrl}/oauth/v2/token/revoke`, {
      method: "POST",
      body: new URLSearchParams({ token: conn.refreshToken }),
    });

    expect(await res.json()).toEqual({ status: "success" });
    expect((await apiStatus(conn.accessToken)).body.code).toBe("INVALID_TOKEN");
  });
});

describe("item 8: multi-DC", () => {
  it("serves each DC's accounts server and returns that DC's api_domain; tokens only work there", async () => {
    const reg = (await (
      await fetch(`${sandbox.url}/_sandbox/clients`, { method: "POST", body: JSON.stringify({ dc: "eu" }) })
    ).json()) as Record<string, string>;
    const code = (
      (await (
        await fetch(`${sandbox.url}/_sandbox/grant-codes`, {
          method: "POST",
          body: JSON.stringify({ client_id: reg.client_id }),
        })
      ).json()) as { code: string }
    ).code;
    const params = {
      grant_type: "authorization_code",
      client_id: reg.client_id as string,
      client_secret: reg.client_secret as string,
      code,
    };

    const wrongDc = await tokenCall(sandbox.accountsUrl("us"), params);
    const rightDc = await tokenCall(sandbox.accountsUrl("eu"), params);

    expect(wrongDc.body).toEqual({ error: "invalid_client" });
    expect(rightDc.body.api_domain).toBe(sandbox.apiDomain("eu"));
    expect((await apiStatus(rightDc.body.access_token as string, sandbox.apiDomain("eu"))).status).toBe(200);
    expect((await apiStatus(rightDc.body.access_token as string, sandbox.apiDomain("us"))).body.code).toBe(
      "INVALID_TOKEN",
    );
  });

  it("redirects an authorization request with code, location and accounts-server", async () => {
    const url = `${demo().accountsUrl}/oauth/v2/auth?client_id=${demo().clientId}&response_type=code&access_type=offline&scope=ZohoCRM.modules.ALL&redirect_uri=${encodeURIComponent("https://app.example/cb")}`;

    const res = await fetch(url, { redirect: "manual" });
    const location = new URL(res.headers.get("location") ?? "");

    expect(res.status).toBe(302);
    expect(location.searchParams.get("code")).toMatch(/^1000\./);
    expect(location.searchParams.get("location")).toBe("us");
    expect(location.searchParams.get("accounts-server")).toBe(demo().accountsUrl);
  });
});
