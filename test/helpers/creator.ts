/** Test helpers for the Zoho sandbox's Creator v2.1 surface: calls as a client makes them, and the controls. */
import type { ZohoSandbox } from "../../infra/local/zoho-sandbox/server.js";
import { connect } from "./zoho.js";

export interface CreatorReply {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

export interface CreatorInit {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Another access token (e.g. one without Creator scopes); `null` sends no Authorization header. */
  token?: string | null;
}

export interface CreatorClient {
  accessToken: string;
  apiDomain: string;
  /** `{api_domain}/creator/v2.1/<path>` with `accept: application/json` unless `headers` say otherwise. */
  call(path: string, init?: CreatorInit): Promise<CreatorReply>;
  /** Any path on the API domain (the legacy `/api/v2.1/...` style, wrong versions). */
  raw(path: string, init?: CreatorInit): Promise<CreatorReply>;
}

/** Connects the demo client (its grant carries the Creator scopes unless `scopes` says otherwise). */
export async function connectCreator(sandbox: ZohoSandbox, scopes?: string[]): Promise<CreatorClient> {
  const conn = await connect(sandbox, scopes);
  const raw = async (path: string, init: CreatorInit = {}): Promise<CreatorReply> => {
    const token = init.token === undefined ? conn.accessToken : init.token;
    const res = await fetch(`${conn.apiDomain}${path}`, {
      method: init.method ?? "GET",
      headers: {
        accept: "application/json",
        ...(token !== null ? { authorization: `Zoho-oauthtoken ${token}` } : {}),
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, headers: res.headers, text };
  };
  return {
    accessToken: conn.accessToken,
    apiDomain: conn.apiDomain,
    raw,
    call: (path, init) => raw(`/creator/v2.1/${path}`, init),
  };
}

/** A sandbox control call (`{url}/_sandbox/<path>`), answering the parsed JSON body. */
export async function control(
  sandbox: ZohoSandbox,
  path: string,
  body?: unknown,
  method = "POST",
): Promise<any> {
  const res = await fetch(`${sandbox.url}/_sandbox/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return res.json();
}
