/**
 * Zoho sandbox, Books v3 (checklist items 16-19, 24 and 29-30 of the Creator/Books notes): `organization_id` on
 * every call, authentication and per-operation scopes, envelopes and paging, 19-digit ids and Books' date forms, and
 * the alt profile's differently configured org. Writes and comments: books-writes.int.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, type SandboxProfile } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { booksClient } from "../../helpers/books.js";
import { connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let books: ReturnType<typeof booksClient>;

const use = async (profile: SandboxProfile = "demo", scopes?: string[]) => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port, profile });
  sandbox.reset();
  books = booksClient(sandbox, await connect(sandbox, scopes));
};
/** INV-000001: overdue, two line items, a PO number and an added comment besides the system ones. */
const firstInvoice = async () =>
  (await books("invoices", { query: { sort_column: "invoice_number", sort_order: "A" } })).body.invoices[0];
/** The demo org's "today" (America/Phoenix, UTC-7 all year). */
const today = () => new Date(Date.now() - 7 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
beforeEach(async () => {
  await use();
});
afterAll(async () => {
  await sandbox.close();
});

describe("organization_id", () => {
  it("lists the user's organizations without one, and only those", async () => {
    const res = await books("organizations", { orgId: null });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 0, message: "success" });
    expect(res.body.organizations).toEqual([
      expect.objectContaining({ organization_id: sandbox.demo().booksOrgId, name: "Zylker Books" }),
    ]);
  });

  it("answers 400 code 2 when it is missing or not numeric", async () => {
    const missing = await books("invoices", { orgId: null });
    const text = await books("invoices", { orgId: "my-org" });

    for (const res of [missing, text]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 2, message: "Invalid value passed for organization_id" });
    }
  });

  it("answers 6041 for an org the user does not belong to, or one that does not exist", async () => {
    const foreign = await books("invoices", { orgId: "7401155000000099001" });
    const unknown = await books("invoices", { orgId: "123" });

    expect(foreign.body).toEqual({
      code: 6041,
      message: "This user is not associated with the CompanyID/CompanyName:7401155000000099001.",
    });
    expect(unknown.body.code).toBe(6041);
  });

  it("takes the org from the X-com-zoho-books-organizationid header when the query has none", async () => {
    const res = await books("invoices", {
      orgId: null,
      headers: { "X-com-zoho-books-organizationid": sandbox.demo().booksOrgId },
    });

    expect(res.body.code).toBe(0);
  });
});

describe("authentication and scopes", () => {
  it("answers 401 code 57 for an unknown token, a missing header and a token of another DC", async () => {
    const conn = await connect(sandbox);
    const unknown = await books("invoices", { token: "1000.nope" });
    const none = await fetch(
      `${conn.apiDomain}/books/v3/invoices?organization_id=${sandbox.demo().booksOrgId}`,
    );
    const otherDc = await fetch(
      `${sandbox.apiDomain("eu")}/books/v3/invoices?organization_id=${sandbox.demo().booksOrgId}`,
      { headers: { authorization: `Zoho-oauthtoken ${conn.accessToken}` } },
    );

    expect([unknown.status, unknown.body]).toEqual([
      401,
      { code: 57, message: "You are not authorized to perform this operation" },
    ]);
    expect([none.status, ((await none.json()) as { code: number }).code]).toEqual([401, 57]);
    expect([otherDc.status, ((await otherDc.json()) as { code: number }).code]).toEqual([401, 57]);
  });

  it("lets a read-only token read but not write custom fields or add comments", async () => {
    await use("demo", ["ZohoBooks.invoices.READ"]);
    const invoice = await firstInvoice();

    const write = await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_ai_risk_level", value: "High" }],
    });
    const comment = await books(`invoices/${invoice.invoice_id}/comments`, {
      method: "POST",
      body: { description: "x" },
    });
    const fields = await books("settings/fields", { query: { entity: "invoice" } });

    expect(invoice.invoice_id).toMatch(/^\d{19}$/);
    expect([write.status, write.body.code]).toEqual([401, 57]);
    expect([comment.status, comment.body.code]).toEqual([401, 57]);
    expect([fields.status, fields.body.code]).toEqual([401, 57]);
  });

  it("needs invoices.CREATE, not UPDATE, to add a comment", async () => {
    await use("demo", ["ZohoBooks.invoices.READ", "ZohoBooks.invoices.UPDATE"]);
    const invoice = await firstInvoice();
    const added = (await books(`invoices/${invoice.invoice_id}/comments`)).body.comments.find(
      (c: { comment_type: string }) => c.comment_type === "internal",
    );

    const post = await books(`invoices/${invoice.invoice_id}/comments`, {
      method: "POST",
      body: { description: "x" },
    });
    const edit = await books(`invoices/${invoice.invoice_id}/comments/${added.comment_id}`, {
      method: "PUT",
      body: { description: "Promised payment by Friday (confirmed by e-mail)." },
    });
    await use("demo", ["ZohoBooks.invoices.CREATE"]);
    const allowed = await books(`invoices/${invoice.invoice_id}/comments`, {
      method: "POST",
      body: { description: "x" },
    });

    expect(post.status).toBe(401);
    expect(edit.body).toMatchObject({ code: 0, message: "Comment has been updated." });
    expect(allowed.status).toBe(201);
  });

  it("lets ZohoBooks.fullaccess.all do everything", async () => {
    await use("demo", ["ZohoBooks.fullaccess.all"]);

    const orgs = await books("organizations", { orgId: null });
    const invoice = await firstInvoice();
    const write = await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_ai_risk_level", value: "Low" }],
    });

    expect(orgs.body.code).toBe(0);
    expect(write.body).toEqual({ code: 0, message: "Custom Fields Updated Successfully" });
  });
});

describe("envelopes, paging and ids", () => {
  it("pages lists with page_context (no total) and serves at most 200 per page", async () => {
    const first = await books("invoices", { query: { per_page: "5" } });
    const last = await books("invoices", { query: { per_page: "5", page: "4" } });
    const big = await books("invoices", { query: { per_page: "500" } });

    expect(first.body).toMatchObject({ code: 0, message: "success" });
    expect(first.body.invoices).toHaveLength(5);
    expect(first.body.page_context).toMatchObject({ page: 1, per_page: 5, has_more_page: true });
    expect(first.body.page_context).not.toHaveProperty("total");
    expect(last.body.invoices).toHaveLength(1);
    expect(last.body.page_context.has_more_page).toBe(false);
    expect(big.body.page_context.per_page).toBe(200);
    expect(big.body.invoices).toHaveLength(16);
  });

  it("serves each entity by id in its envelope and a missing one as 404 code 1002", async () => {
    for (const [module, entity, word] of [
      ["contacts", "contact", "Contact"],
      ["invoices", "invoice", "Invoice"],
      ["estimates", "estimate", "Estimate"],
      ["salesorders", "salesorder", "Sales Order"],
    ] as const) {
      const row = (await books(module)).body[module][0];
      const one = await books(`${module}/${row[`${entity}_id`]}`);
      const missing = await books(`${module}/2991628000000999999`);

      expect(one.body).toMatchObject({
        code: 0,
        message: "success",
        [entity]: { [`${entity}_id`]: row[`${entity}_id`] },
      });
      expect([missing.status, missing.body]).toEqual([
        404,
        { code: 1002, message: `${word} does not exist.` },
      ]);
    }
  });

  it("answers an unknown URL 404 and a wrong method 405", async () => {
    const unknown = await books("widgets");
    const wrong = await books("invoices", { method: "DELETE" });

    expect([unknown.status, unknown.body.code]).toEqual([404, 5]);
    expect(wrong.status).toBe(405);
  });

  it("seeds overdue invoices: past due on the sandbox clock, with a balance", async () => {
    const overdue = (await books("invoices", { query: { filter_by: "Status.OverDue" } })).body.invoices;
    const bad = await books("invoices", { query: { filter_by: "Status.Bogus" } });

    expect(overdue.length).toBeGreaterThanOrEqual(5);
    for (const inv of overdue) {
      expect(inv.status).toBe("overdue");
      expect(inv.due_date < today()).toBe(true);
      expect(inv.balance).toBeGreaterThan(0);
    }
    expect(bad.body).toEqual({ code: 2, message: "Invalid value passed for filter_by" });
  });

  it("writes every id as a 19-digit JSON string, and customfield_id bare when the setting says so", async () => {
    const invoice = await firstInvoice();
    const { text } = await books(`invoices/${invoice.invoice_id}`);
    sandbox.options.booksNumericIds = true;
    const numeric = await books("settings/fields", { query: { entity: "invoice" } });

    expect(text).toMatch(/"invoice_id":"\d{19}"/);
    expect(text).toMatch(/"customfield_id":"\d{19}"/);
    expect(text).not.toMatch(/_id":\d/);
    expect(numeric.text).toMatch(/"customfield_id":\d{19}[,}]/);
  });

  it("writes timestamps in the org's offset and dates as yyyy-mm-dd", async () => {
    const invoice = await firstInvoice();

    expect(invoice.last_modified_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0700$/);
    expect(invoice.due_date).toMatch(/^\d{4}-\d\d-\d\d$/);
  });
});

describe("the alt profile", () => {
  it("is another org: its own id, custom fields, values, lengths, numbering and zone", async () => {
    await use("alt");

    const orgs = (await books("organizations", { orgId: null })).body.organizations;
    const fields = (await books("settings/fields", { query: { entity: "invoice" } })).body.fields;
    const invoice = await firstInvoice();
    const demoField = await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_ai_risk_level", value: "High" }],
    });
    const altField = await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_collection_risk", value: "2 - Elevated" }],
    });
    const byName = new Map(fields.map((f: { api_name: string }) => [f.api_name, f]));

    expect(orgs).toEqual([
      expect.objectContaining({ organization_id: "60015631847", name: "Altamira Outdoor Ltd" }),
    ]);
    expect(sandbox.demo().booksOrgId).toBe("60015631847");
    expect(byName.has("cf_ai_risk_level")).toBe(false);
    expect(byName.get("cf_risk_rationale")).toMatchObject({ value_length: 120 });
    expect(
      (byName.get("cf_collection_risk") as { values: { name: string }[] }).values.map((v) => v.name),
    ).toEqual(["1 - Low", "2 - Elevated", "3 - Severe", "0 - Unknown"]);
    expect(invoice.invoice_number).toMatch(/^ALT\/INV\/\d{6}$/);
    expect(invoice.invoice_id).toMatch(/^8754310\d{12}$/);
    expect(invoice.last_modified_time).toMatch(/\+0800$/);
    expect(demoField.status).toBe(400);
    expect(altField.body.code).toBe(0);
  });
});
