/** Test helpers for talking to the Zoho sandbox the way a client would: OAuth, CRM and Desk over HTTP. */
import type { ZohoSandbox } from "../../infra/local/zoho-sandbox/server.js";

export type TokenMode = "form" | "multipart" | "query";

/** Calls `POST {accounts}/oauth/v2/token` with the parameters in a form body, a multipart body or the query string. */
export async function tokenCall(
  accountsUrl: string,
  params: Record<string, string>,
  mode: TokenMode = "form",
) {
  const url = new URL(`${accountsUrl}/oauth/v2/token`);
  let body: FormData | URLSearchParams | undefined;
  if (mode === "query") for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  else if (mode === "multipart") {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) form.set(k, v);
    body = form;
  } else body = new URLSearchParams(params);
  const res = await fetch(url, { method: "POST", ...(body ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface Connection {
  accessToken: string;
  refreshToken: string;
  apiDomain: string;
  refresh(): Promise<{ status: number; body: Record<string, unknown> }>;
  crm(
    path: string,
    init?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers; text: string }>;
  desk(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; orgId?: string | null },
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Exchanges a fresh self-client grant code for tokens on the demo client. */
export async function connect(sandbox: ZohoSandbox, scopes?: string[]): Promise<Connection> {
  const demo = sandbox.demo();
  const code = sandbox.grantCode(scopes);
  const { body } = await tokenCall(demo.accountsUrl, {
    grant_type: "authorization_code",
    client_id: demo.clientId,
    client_secret: demo.clientSecret,
    code,
  });
  if (typeof body.access_token !== "string")
    throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  const conn: Connection = {
    accessToken: body.access_token,
    refreshToken: body.refresh_token as string,
    apiDomain: body.api_domain as string,
    refresh: () =>
      tokenCall(demo.accountsUrl, {
        grant_type: "refresh_token",
        client_id: demo.clientId,
        client_secret: demo.clientSecret,
        refresh_token: conn.refreshToken,
      }),
    crm: async (path, init = {}) => {
      const res = await fetch(`${conn.apiDomain}/crm/v8/${path}`, {
        method: init.method ?? "GET",
        headers: {
          authorization: `Zoho-oauthtoken ${init.token ?? conn.accessToken}`,
          "content-type": "application/json",
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers, text };
    },
    desk: async (path, init = {}) => {
      const headers: Record<string, string> = {
        authorization: `Zoho-oauthtoken ${conn.accessToken}`,
        "content-type": "application/json",
        ...init.headers,
      };
      if (init.orgId !== null) headers.orgId = init.orgId ?? demo.orgId;
      const res = await fetch(`${demo.deskUrl}/api/v1/${path}`, {
        method: init.method ?? "GET",
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  };
  return conn;
}

/** Waits until `check` passes (for asynchronous webhook deliveries), or throws after `ms`. */
export async function eventually(check: () => void | Promise<void>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
