/** Zoho sandbox: the demo org, fault injection, inspection and the UI-style controls. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { startReceiver } from "../../helpers/receiver.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const control = async (path: string, body?: unknown, method = "POST") =>
  (
    await fetch(`${sandbox.url}/_sandbox/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  ).json() as Promise<any>;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  receiver.received.length = 0;
  conn = await connect(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

describe("demo org", () => {
  it("holds a few dozen leads, contacts, deals and tickets with realistic text", async () => {
    const leads = await conn.crm("Leads?fields=Description&per_page=200");
    const contacts = await conn.crm("Contacts?fields=Email&per_page=200");
    const deals = await conn.crm("Deals?fields=Stage&per_page=200");
    const tickets = await conn.desk("tickets?limit=100");

    expect(leads.body.data.length).toBeGreaterThanOrEqual(30);
    expect(contacts.body.data.length).toBeGreaterThanOrEqual(15);
    expect(deals.body.data.length).toBeGreaterThanOrEqual(10);
    expect(tickets.body.data.length).toBeGreaterThanOrEqual(12);
    expect(leads.body.data[0].Description.split(" ").length).toBeGreaterThan(10);
  });

  it("writes every record id as a 19-digit JSON string, never a number", async () => {
    const { text } = await conn.crm("Leads?fields=Email,Owner&per_page=50");

    expect(text).toMatch(/"id":"\d{19}"/);
    expect(text).not.toMatch(/"id":\d/);
  });

  it("gives every ticket its first inbound email as a thread", async () => {
    const ticket = (await conn.desk("tickets?limit=1")).body.data[0];

    const threads = await conn.desk(`tickets/${ticket.id}/threads`);
    const thread = await conn.desk(`tickets/${ticket.id}/threads/${threads.body.data[0].id}`);

    expect(threads.body.data[0]).toMatchObject({ direction: "in", channel: "EMAIL" });
    expect(thread.body.content).toBe(ticket.description);
  });
});

describe("fault injection", () => {
  it("answers the next N CRM calls with the injected status, then serves normally", async () => {
    await control("faults", { target: "crm", kind: 500, count: 2 });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await conn.crm("Leads?fields=Email&per_page=1")).status);

    expect(statuses).toEqual([500, 500, 200]);
  });

  it("injects 401 INVALID_TOKEN and 429 TOO_MANY_REQUESTS in Zoho's shapes", async () => {
    sandbox.inject({ target: "crm", kind: 401 });
    sandbox.inject({ target: "crm", kind: 429 });

    const a = await conn.crm("Leads?fields=Email");
    const b = await conn.crm("Leads?fields=Email");

    expect([a.status, a.body.code]).toEqual([401, "INVALID_TOKEN"]);
    expect([b.status, b.body.code]).toEqual([429, "TOO_MANY_REQUESTS"]);
  });

  it("injects Desk-shaped faults for Desk calls", async () => {
    sandbox.inject({ target: "desk", kind: 429 });

    const res = await conn.desk("tickets?limit=1");

    expect(res.status).toBe(429);
    expect(res.body.errorCode).toBe("TOO_MANY_REQUESTS");
  });

  it("hangs a call until the client gives up", async () => {
    sandbox.inject({ target: "crm", kind: "hang", hangMs: 2_000 });

    const error = await fetch(`${conn.apiDomain}/crm/v8/Leads?fields=Email`, {
      headers: { authorization: `Zoho-oauthtoken ${conn.accessToken}` },
      signal: AbortSignal.timeout(200),
    }).catch((e: Error) => e);

    expect((error as Error).name).toBe("TimeoutError");
  });

  it("expires every access token at once", async () => {
    await control("tokens/expire");

    expect((await conn.crm("Leads?fields=Email")).body.code).toBe("INVALID_TOKEN");
    expect((await conn.refresh()).body.access_token).toEqual(expect.any(String));
  });

  it("revokes a refresh token", async () => {
    await control("tokens/revoke", { refresh_token: conn.refreshToken });

    expect((await conn.refresh()).body).toEqual({ error: "invalid_code" });
  });
});

describe("inspection", () => {
  it("lists requests, tokens minted, writes, webhooks, 401/429 counts and peak concurrency", async () => {
    await control("workflow-rules", {
      name: "r",
      module: "Leads",
      on: "create",
      webhook: { url: `${receiver.url}/hook`, body: { type: "raw", template: "{}" } },
    });
    sandbox.inject({ target: "crm", kind: 429 });
    await conn.crm("Leads?fields=Email");
    await conn.crm("Leads?fields=Email", { token: "1000.nope" });
    await conn.crm("Leads", { method: "POST", body: { data: [{ Last_Name: "Inspect" }] } });
    await sandbox.settle();

    const report = await control("inspect", undefined, "GET");

    expect(report.counts).toMatchObject({ status_401: 1, status_429: 1 });
    expect(report.tokens).toEqual({ access_minted: 1, refresh_minted: 1 });
    expect(report.requests.map((r: { path: string }) => r.path)).toContain("/api/us/crm/v8/Leads");
    expect(report.writes).toEqual([
      expect.objectContaining({
        module: "Leads",
        operation: "insert",
        trigger: null,
        fields: [["Last_Name"]],
      }),
    ]);
    expect(report.webhooks_fired).toHaveLength(1);
    expect(report.peak_concurrency).toBe(1);
  });
});

describe("UI-style controls", () => {
  it("edits a record as a user would, firing workflow rules", async () => {
    await control("workflow-rules", {
      name: "r",
      module: "Leads",
      on: "edit",
      fields: ["Lead_Status"],
      webhook: { url: `${receiver.url}/hook`, body: { type: "raw", template: '{"id":"${Leads.Lead Id}"}' } },
    });
    const lead = (await conn.crm("Leads?fields=Email&per_page=1")).body.data[0];

    await control(`crm/Leads/${lead.id}`, { City: "No fire" }, "PUT");
    await control(`crm/Leads/${lead.id}`, { Lead_Status: "Contacted" }, "PUT");
    await sandbox.settle();

    expect(receiver.posts().map((p) => JSON.parse(p.body).id)).toEqual([lead.id]);
  });

  it("lets a customer email a new ticket and reply to it", async () => {
    const created = await control("desk/tickets", {
      subject: "Where is my order?",
      description: "Order 991 has not arrived.",
      email: "new.customer@example.com",
    });
    await control(`desk/tickets/${created.id}/inbound`, {
      from: "new.customer@example.com",
      content: "Any news?",
    });

    const view = await control(`desk/tickets/${created.id}`, undefined, "GET");

    expect(view.threads.map((t: { content: string }) => t.content)).toEqual([
      "Order 991 has not arrived.",
      "Any news?",
    ]);
  });

  it("points the demo org's automation at the mediator", async () => {
    await control("connect-hooks", { base_url: receiver.url, token: "tok" });
    const lead = (await conn.crm("Leads?fields=Email&per_page=1")).body.data[0];

    await control(`crm/Leads/${lead.id}`, { Description: "Asked for pricing." }, "PUT");
    await control("desk/tickets", {
      subject: "Help",
      description: "Printer on fire.",
      email: "x@example.com",
    });
    await sandbox.settle();

    const paths = receiver.posts().map((p) => p.url);
    expect(paths).toContain("/v1/hooks/crm/lead-enrichment");
    expect(paths).toContain("/v1/hooks/desk?token=tok");
    expect(receiver.posts().find((p) => p.url.startsWith("/v1/hooks/crm"))?.headers["x-mediator-token"]).toBe(
      "tok",
    );
  });
});
