/** Test helpers for the Zoho sandbox's Books v3 surface: calls as a client makes them, and its controls. */
import type { ZohoSandbox } from "../../infra/local/zoho-sandbox/server.js";
import type { Connection } from "./zoho.js";

export interface BooksAnswer {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

export interface BooksCallInit {
  method?: string;
  body?: unknown;
  /** The `organization_id` query parameter; `null` leaves it out. @default the demo org's */
  orgId?: string | null;
  query?: Record<string, string>;
  token?: string;
  headers?: Record<string, string>;
}

/** `{apiDomain}/books/v3/{path}` with the connection's token and the demo org's `organization_id`. */
export function booksClient(sandbox: ZohoSandbox, conn: Connection) {
  return async (path: string, init: BooksCallInit = {}): Promise<BooksAnswer> => {
    const url = new URL(`${conn.apiDomain}/books/v3/${path}`);
    const orgId = init.orgId === undefined ? sandbox.demo().booksOrgId : init.orgId;
    if (orgId !== null) url.searchParams.set("organization_id", orgId);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, {
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
  };
}

/** A JSON call to the sandbox's control surface (`/_sandbox/...`). */
export function sandboxControl(sandbox: ZohoSandbox) {
  return async (path: string, body?: unknown, method = body === undefined ? "GET" : "POST") => {
    const res = await fetch(`${sandbox.url}/_sandbox/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}
