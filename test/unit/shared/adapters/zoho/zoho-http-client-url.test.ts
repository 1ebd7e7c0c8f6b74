/**
 * Issue 9, defect 2 (the client half): every path segment is encoded, and a request whose final URL would leave
 * the service root it was built for is never sent. Fails on a0e426a (which resolved `..` and sent the request).
 */
import { describe, expect, it } from "vitest";
import type { TokenProvider } from "../../../../../shared/adapters/zoho/token-provider.js";
import {
  encodePath,
  ZohoHttpClient,
  type ZohoRequest,
  ZohoUrlRefusedError,
} from "../../../../../shared/adapters/zoho/zoho-http-client.js";

function client(desk: string | null = "https://desk.zoho.com") {
  const urls: string[] = [];
  const tokens = {
    get: async () => ({
      token: "access-token",
      connection: {
        name: "default",
        apiDomain: "https://www.zohoapis.com",
        desk: desk ? { base: desk, orgId: "700000123", sourceId: null } : null,
      },
    }),
    invalidate: async () => {},
  } as unknown as TokenProvider;
  const fetchFn = (async (url: string) => {
    urls.push(String(url));
    return new Response('{"data":[]}', { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return { urls, http: new ZohoHttpClient({ tokens, fetch: fetchFn, sleep: async () => {} }) };
}

const get = (service: ZohoRequest["service"], path: string): ZohoRequest => ({
  service,
  method: "GET",
  path,
});

describe("Zoho client URL building", () => {
  it("sends ordinary paths unchanged, query parameters encoded", async () => {
    const { http, urls } = client();

    await http.request(get("crm", "/crm/v8/Leads/5545974000001000044"));
    await http.request({ ...get("desk", "/api/v1/tickets/1/threads"), query: { from: 0, q: "a b&c" } });

    expect(urls).toEqual([
      "https://www.zohoapis.com/crm/v8/Leads/5545974000001000044",
      "https://desk.zoho.com/api/v1/tickets/1/threads?from=0&q=a+b%26c",
    ]);
  });

  it.each([
    ["crm", "/crm/v8/../../settings/x"],
    ["crm", "/crm/v8/%2e%2e/%2E%2E/settings"],
    ["crm", "/crm/v8/Leads/..\\..\\x"],
    ["crm", "/settings/x"],
    ["crm", "/crm"],
    ["desk", "/api/v1/tickets/../../../oauth/v2/token"],
    ["desk", "/crm/v8/Leads"],
    ["crm", "/crm/v8/Leads/%zz"],
    ["crm", "crm/v8/Leads"],
    ["creator", "/crm/v8/Leads"],
    ["creator", "/creator/v2/data/acme/app/report/r"],
    ["creator", "/creator/v2.1/%2e%2e/%2e%2e/crm/v8/Leads"],
    ["books", "/books/v4/invoices"],
    ["books", "/books/v3/../../crm/v8/Leads"],
    ["crm", "/books/v3/invoices"],
  ] as const)("refuses %s %s without sending it, as a typed non-retryable error", async (service, path) => {
    const { http, urls } = client();

    const error = await http.request(get(service, path)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ZohoUrlRefusedError);
    expect((error as ZohoUrlRefusedError).retryable).toBe(false);
    expect((error as ZohoUrlRefusedError).code).toBe("URL_OUTSIDE_SERVICE_ROOT");
    expect(urls).toEqual([]);
  });

  it("encodes every segment, so a value cannot add segments, a query or a fragment", async () => {
    const { http, urls } = client();

    await http.request(get("crm", "/crm/v8/Leads/a?b=c#d"));
    await http.request(get("crm", "/crm/v8/My Module/a%2Fb"));

    expect(urls).toEqual([
      "https://www.zohoapis.com/crm/v8/Leads/a%3Fb%3Dc%23d",
      "https://www.zohoapis.com/crm/v8/My%20Module/a%2Fb",
    ]);
  });

  it("keeps a Desk base with a path prefix as the root", async () => {
    const { http, urls } = client("https://desk.example/zoho");

    await http.request(get("desk", "/api/v1/tickets/1"));
    const outside = await http.request(get("desk", "/api/../../x")).catch((e: unknown) => e);

    expect(urls).toEqual(["https://desk.example/zoho/api/v1/tickets/1"]);
    expect(outside).toBeInstanceOf(ZohoUrlRefusedError);
  });

  it("encodePath leaves an already-encoded segment as it is", () => {
    expect(encodePath("/crm/v8/a%20b/c", "zoho-crm")).toBe("/crm/v8/a%20b/c");
  });
});
