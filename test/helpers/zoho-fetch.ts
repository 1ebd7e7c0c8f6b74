/**
 * The real ZohoHttpClient over a scripted `fetch`: each request is recorded (URL, method, headers, body) and answered
 * by the next scripted answer, so adapter tests see exactly what goes on the wire and what Zoho's answers become.
 * A `text` answer is sent as written (unquoted 19-digit ids, for lossless parsing).
 */
import type { TokenProvider } from "../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../shared/adapters/zoho/zoho-http-client.js";
import type { ZohoConnection } from "../../shared/domain/zoho-connection.js";

export type ScriptedAnswer = {
  status: number;
  headers?: Record<string, string>;
} & ({ body?: unknown } | { text: string });

export interface SeenRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export const TEST_CONNECTION = {
  schemaVersion: 1,
  name: "default",
  dc: "us",
  accountsServer: "https://accounts.zoho.com",
  apiDomain: "https://www.zohoapis.com",
  desk: null,
  creator: { owner: "acme", environment: null },
  books: { organizationId: "10234695" },
} as unknown as ZohoConnection;

export function scriptedZoho(answers: ScriptedAnswer[], connection: Partial<ZohoConnection> = {}) {
  const conn = { ...TEST_CONNECTION, ...connection } as ZohoConnection;
  const requests: SeenRequest[] = [];
  const invalidated: string[] = [];
  const sleeps: number[] = [];
  let token = "1000.token-1";
  const tokens = {
    get: async () => ({ token, connection: conn }),
    invalidate: async (stale: string) => {
      invalidated.push(stale);
      token = "1000.token-2";
    },
  } as unknown as TokenProvider;
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: new URL(String(input)),
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const a = answers.shift() ?? { status: 500, body: { code: 1000, message: "no answer scripted" } };
    const text = "text" in a ? a.text : a.body === undefined ? "" : JSON.stringify(a.body);
    return new Response(a.status === 204 ? null : text, {
      status: a.status,
      headers: { "content-type": "application/json", ...a.headers },
    });
  }) as typeof fetch;
  const http = new ZohoHttpClient({
    tokens,
    fetch: fetchFn,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { http, requests, invalidated, sleeps, left: () => answers.length };
}
