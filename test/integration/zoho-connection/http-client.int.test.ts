/** The one Zoho HTTP client against the sandbox: auth header, typed errors, retries, credits, 204, exact ids. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import {
  NotFoundError,
  UpstreamAuthError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamScopeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../../shared/errors.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";
import { startReceiver } from "../../helpers/receiver.js";

let h: ConnectionHarness;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
beforeEach(() => {
  Object.assign(h.sandbox.options, { ...DEFAULT_OPTIONS, port: h.sandbox.port, seed: true });
});
afterAll(() => h.close());

const getLeads = (zoho = h.container().zoho) =>
  zoho.request<{ data: { id: string }[] }>({
    service: "crm",
    method: "GET",
    path: "/crm/v8/Leads",
    query: { fields: "Email", per_page: 5 },
  });

describe("Zoho HTTP client", () => {
  it("calls the api_domain Zoho returned with Zoho-oauthtoken auth and keeps 19-digit ids as strings", async () => {
    const res = await getLeads();

    expect(res.status).toBe(200);
    expect(res.data?.data[0]?.id).toMatch(/^\d{19}$/);
    expect(typeof res.data?.data[0]?.id).toBe("string");
  });

  it("answers 204 with no data", async () => {
    const res = await h.container().zoho.request({
      service: "crm",
      method: "GET",
      path: "/crm/v8/Leads/search",
      query: { criteria: "(Last_Name:equals:Nobody)" },
    });

    expect(res).toEqual({ status: 204, data: undefined });
  });

  it("retries a 429 with backoff, and raises UpstreamRateLimitError once its budget is spent", async () => {
    h.sandbox.inject({ target: "crm", kind: 429, count: 2 });
    const recovered = await getLeads();
    h.sandbox.inject({ target: "crm", kind: 429, count: 3 });

    const error = await getLeads().catch((e: unknown) => e);

    expect(recovered.status).toBe(200);
    expect(error).toBeInstanceOf(UpstreamRateLimitError);
    expect((error as UpstreamRateLimitError).retryAfterMs).toBe(30_000);
  });

  it("retries a 5xx on a read once, but never on a write", async () => {
    h.sandbox.inject({ target: "crm", kind: 500, count: 1 });
    const read = await getLeads();
    h.sandbox.inject({ target: "crm", kind: 500, count: 1 });

    const write = await h
      .container()
      .zoho.request({
        service: "crm",
        method: "POST",
        path: "/crm/v8/Leads",
        body: { data: [{ Last_Name: "Once" }], trigger: [] },
      })
      .catch((e: unknown) => e);

    expect(read.status).toBe(200);
    expect(write).toBeInstanceOf(UpstreamUnavailableError);
    expect(write).toMatchObject({ retryable: true, status: 500 });
  });

  it("times out a hanging call with UpstreamTimeoutError", async () => {
    h.sandbox.inject({ target: "crm", kind: "hang", count: 2, hangMs: 2_000 });
    const { zoho } = h.container({ timeoutMs: 150 });

    await expect(getLeads(zoho)).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it("refreshes once on INVALID_TOKEN mid-batch and retries, then raises UpstreamAuthError if refused again", async () => {
    const { zoho } = h.container();
    await getLeads(zoho);
    h.sandbox.inject({ target: "crm", kind: 401, count: 1 });
    const recovered = await getLeads(zoho);
    h.sandbox.inject({ target: "crm", kind: 401, count: 2 });

    const error = await getLeads(zoho).catch((e: unknown) => e);

    expect(recovered.status).toBe(200);
    expect(error).toBeInstanceOf(UpstreamAuthError);
  });

  it("raises UpstreamScopeError (not retryable) for OAUTH_SCOPE_MISMATCH", async () => {
    const narrow = await startConnectionHarness();
    await narrow.connect({
      code: narrow.sandbox.grantCode(["ZohoCRM.modules.leads.READ", "Desk.basic.READ"]),
    });

    const error = await narrow
      .container()
      .zoho.request({ service: "crm", method: "GET", path: "/crm/v8/Deals", query: { fields: "Deal_Name" } })
      .catch((e: unknown) => e);
    await narrow.close();

    expect(error).toBeInstanceOf(UpstreamScopeError);
    expect((error as UpstreamScopeError).retryable).toBe(false);
  });

  it("raises UpstreamRejectedError with Zoho's code and details for a request-level 4xx", async () => {
    const error = await h
      .container()
      .zoho.request({ service: "crm", method: "GET", path: "/crm/v8/Leads" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error).toMatchObject({
      code: "REQUIRED_PARAM_MISSING",
      details: { param_name: "fields" },
      retryable: false,
    });
  });

  it("returns per-record results of a write even when every record failed (400 with data[])", async () => {
    const res = await h.container().zoho.request<{ data: { code: string }[] }>({
      service: "crm",
      method: "POST",
      path: "/crm/v8/Leads",
      body: { data: [{ Company: "no name" }], trigger: [] },
    });

    expect(res.status).toBe(400);
    expect(res.data?.data[0]?.code).toBe("MANDATORY_NOT_FOUND");
  });

  it("surfaces X-API-CREDITS-REMAINING to the caller and a callback", async () => {
    h.sandbox.options.creditsPerDay = 4;
    h.sandbox.state.credits.length = 0; // earlier tests spent credits in this sandbox's rolling day
    const seen: number[] = [];
    const { zoho } = h.container({ onCredits: (n) => seen.push(n) });

    const first = await getLeads(zoho);
    const second = await getLeads(zoho);

    expect([first.creditsRemaining, second.creditsRemaining]).toEqual([undefined, 2]);
    expect(seen).toEqual([2]);
    expect(zoho.creditsRemaining).toBe(2);
  });

  it("keeps in-flight calls under its concurrency cap", async () => {
    Object.assign(h.sandbox.options, { latencyMs: 50, concurrencyLimit: 3 });
    const { zoho } = h.container({ maxConcurrent: 3 });

    const results = await Promise.all(Array.from({ length: 12 }, () => getLeads(zoho)));

    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(h.sandbox.inspect().peak_concurrency).toBeLessThanOrEqual(3);
  });
});

describe("Zoho HTTP client: Desk", () => {
  it("sends the orgId header and maps Desk's 404 to NotFoundError", async () => {
    const { zoho } = h.container();

    const list = await zoho.request<{ data: { id: string }[] }>({
      service: "desk",
      method: "GET",
      path: "/api/v1/tickets",
      query: { limit: 1 },
    });
    const missing = await zoho
      .request({ service: "desk", method: "GET", path: "/api/v1/tickets/1111111111111111111" })
      .catch((e: unknown) => e);

    expect(list.data?.data[0]?.id).toMatch(/^\d{19}$/);
    expect(missing).toBeInstanceOf(NotFoundError);
  });

  it("identifies its writes with the connection's Desk source id, so the Desk webhook ignores them", async () => {
    const sourceId = "5d3c8a3e-6b1f-4c9a-9d8e-0000000000aa";
    const receiver = await startReceiver();
    const own = await startConnectionHarness();
    await own.connect({ deskSourceId: sourceId });
    const { zoho } = own.container();
    await zoho.request({
      service: "desk",
      method: "POST",
      path: "/api/v1/webhooks",
      body: {
        url: `${receiver.url}/desk`,
        subscriptions: { Ticket_Comment_Add: null },
        ignoreSourceId: sourceId,
      },
    });
    const ticket = (
      await zoho.request<{ data: { id: string }[] }>({
        service: "desk",
        method: "GET",
        path: "/api/v1/tickets",
        query: { limit: 1 },
      })
    ).data?.data[0];

    await zoho.request({
      service: "desk",
      method: "POST",
      path: `/api/v1/tickets/${ticket?.id}/comments`,
      body: { content: "AI note", isPublic: false },
    });
    await own.sandbox.settle();
    await own.close();
    await receiver.close();

    expect(receiver.posts()).toHaveLength(0);
  });
});

describe("data centre routing", () => {
  it("sends a connection made in EU to the EU api_domain", async () => {
    const eu = await startConnectionHarness();
    const reg = (await (
      await fetch(`${eu.sandbox.url}/_sandbox/clients`, {
        method: "POST",
        body: JSON.stringify({ dc: "eu" }),
      })
    ).json()) as { client_id: string; client_secret: string };
    await eu.connect({
      clientId: reg.client_id,
      clientSecret: reg.client_secret,
      code: eu.sandbox.grantCode(undefined, reg.client_id),
      dc: "eu",
      accountsServer: eu.sandbox.accountsUrl("eu"),
      deskBase: eu.sandbox.deskUrl("eu"),
    });

    const res = await getLeads(eu.container().zoho);
    const paths = (eu.sandbox.inspect().requests as { path: string }[]).map((r) => r.path);
    await eu.close();

    expect(res.status).toBe(200);
    expect(paths).toContain("/accounts/eu/oauth/v2/token");
    expect(paths).toContain("/api/eu/crm/v8/Leads");
  });
});
