/**
 * Zoho sandbox, Books v3 writes (checklist items 20-26): the custom-field shapes of a GET, custom-field metadata,
 * custom-field and entity writes checked against the org's definitions (data type, length, precision, active
 * dropdown values), the upsert, custom-field creation, and comments with Books' immutable system history.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { booksClient } from "../../helpers/books.js";
import { connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let books: ReturnType<typeof booksClient>;

const use = async (scopes?: string[]) => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  books = booksClient(sandbox, await connect(sandbox, scopes));
};
/** INV-000001: overdue, two line items, a PO number and an added comment besides the system ones. */
const firstInvoice = async () =>
  (await books("invoices", { query: { sort_column: "invoice_number", sort_order: "A" } })).body.invoices[0];

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
beforeEach(async () => {
  await use();
});
afterAll(async () => {
  await sandbox.close();
});

describe("custom fields", () => {
  it("shows custom_fields, flattened cf_ keys and custom_field_hash, and leaves empty fields out", async () => {
    const invoice = await firstInvoice();
    await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [
        { api_name: "cf_ai_risk_level", value: "High" },
        { api_name: "cf_ai_risk_score", value: 0.8 },
      ],
    });

    const got = (await books(`invoices/${invoice.invoice_id}`)).body.invoice;

    expect(got.custom_fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          api_name: "cf_ai_risk_level",
          label: "AI Risk Level",
          data_type: "dropdown",
          value: "High",
          value_formatted: "High",
          customfield_id: expect.stringMatching(/^\d{19}$/),
        }),
        expect.objectContaining({ api_name: "cf_ai_risk_score", value: 0.8, value_formatted: "0.80" }),
      ]),
    );
    expect(got).toMatchObject({
      cf_po_number: "PO-44817",
      cf_ai_risk_level: "High",
      cf_ai_risk_level_unformatted: "High",
      cf_ai_risk_score: "0.80",
      cf_ai_risk_score_unformatted: 0.8,
    });
    expect(got.custom_field_hash).toMatchObject({
      cf_ai_risk_level: "High",
      cf_ai_risk_score_unformatted: 0.8,
    });
    expect(got).not.toHaveProperty("cf_ai_reminder_draft");
    expect(got.custom_fields.map((f: { api_name: string }) => f.api_name)).not.toContain(
      "cf_ai_reminder_draft",
    );
  });

  it("serves the definitions at settings/fields and the legacy settings/customfields", async () => {
    const fields = (await books("settings/fields", { query: { entity: "invoice" } })).body.fields;
    const legacy = (await books("settings/customfields", { query: { entity: "invoice" } })).body.customfields;
    const bad = await books("settings/fields", { query: { entity: "spaceship" } });
    const byName = new Map(fields.map((f: { api_name: string }) => [f.api_name, f]));

    expect(byName.get("cf_ai_risk_level")).toMatchObject({
      data_type: "dropdown",
      values: [
        { name: "Low", is_active: true },
        { name: "Medium", is_active: true },
        { name: "High", is_active: true },
        { name: "Critical", is_active: false },
      ].map((v, i) => ({ ...v, order: i + 1 })),
    });
    expect(byName.get("cf_ai_risk_reason")).toMatchObject({ data_type: "string", value_length: 255 });
    expect(byName.get("cf_ai_reminder_draft")).toMatchObject({ data_type: "multiline", value_length: 2000 });
    expect(legacy.invoice.map((f: { api_name: string }) => f.api_name)).toEqual(
      fields.map((f: { api_name: string }) => f.api_name),
    );
    expect(bad.body).toEqual({ code: 2, message: "Invalid value passed for entity" });
  });

  it("refuses a dropdown value the field lacks or has retired, leaving the invoice as it was", async () => {
    const invoice = await firstInvoice();
    const write = (value: string) =>
      books(`invoice/${invoice.invoice_id}/customfields`, {
        method: "PUT",
        body: [
          { api_name: "cf_ai_risk_reason", value: "Two reminders unanswered." },
          { api_name: "cf_ai_risk_level", value },
        ],
      });

    const unknown = await write("Extreme");
    const retired = await write("Critical");
    const after = (await books(`invoices/${invoice.invoice_id}`)).body.invoice;

    expect([unknown.status, unknown.body]).toEqual([
      400,
      { code: 2, message: "Invalid value passed for AI Risk Level" },
    ]);
    expect(retired.status).toBe(400);
    expect(after).not.toHaveProperty("cf_ai_risk_reason");
  });

  it("refuses text longer than the field's value_length and decimals beyond its precision", async () => {
    const invoice = await firstInvoice();
    const put = (body: unknown) =>
      books(`invoice/${invoice.invoice_id}/customfields`, { method: "PUT", body });

    const long = await put([{ api_name: "cf_ai_risk_reason", value: "x".repeat(256) }]);
    const fits = await put([{ api_name: "cf_ai_risk_reason", value: "x".repeat(255) }]);
    const draft = await put([{ api_name: "cf_ai_reminder_draft", value: "y".repeat(2001) }]);
    const precise = await put([{ api_name: "cf_ai_risk_score", value: 0.125 }]);
    const inactive = await put([{ api_name: "cf_legacy_region", value: "West" }]);

    expect([long.status, long.body.message]).toEqual([
      400,
      "AI Risk Reason cannot be more than 255 characters.",
    ]);
    expect(fits.body.code).toBe(0);
    expect(draft.status).toBe(400);
    expect(precise.body.message).toBe("AI Risk Score cannot have more than 2 decimal places.");
    expect(inactive.status).toBe(400);
  });

  it("writes by customfield_id as well as by api_name, and an empty value clears a field", async () => {
    const invoice = await firstInvoice();
    const fields = (await books("settings/fields", { query: { entity: "invoice" } })).body.fields;
    const reason = fields.find((f: { api_name: string }) => f.api_name === "cf_ai_risk_reason");

    await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ customfield_id: reason.customfield_id, value: "Paid late twice this year." }],
    });
    const set = (await books(`invoices/${invoice.invoice_id}`)).body.invoice;
    await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_ai_risk_reason", value: "" }],
    });
    const cleared = (await books(`invoices/${invoice.invoice_id}`)).body.invoice;

    expect(set.cf_ai_risk_reason).toBe("Paid late twice this year.");
    expect(cleared).not.toHaveProperty("cf_ai_risk_reason");
  });

  it("has no custom-fields endpoint for contacts: PUT /contacts/{id} takes them, by label or index", async () => {
    const contact = (await books("contacts")).body.contacts[0];

    const none = await books(`contact/${contact.contact_id}/customfields`, { method: "PUT", body: [] });
    const nameless = await books(`contacts/${contact.contact_id}`, {
      method: "PUT",
      body: { custom_fields: [{ label: "AI Notes", value: "x" }] },
    });
    const ok = await books(`contacts/${contact.contact_id}`, {
      method: "PUT",
      body: {
        contact_name: contact.contact_name,
        custom_fields: [
          { label: "AI Payment Behaviour", value: "Occasionally late" },
          { index: 3, value: "Pays in the monthly batch run." },
        ],
      },
    });

    expect(none.status).toBe(404);
    expect(nameless.status).toBe(400);
    expect(ok.body).toMatchObject({
      code: 0,
      contact: {
        cf_ai_payment_behaviour: "Occasionally late",
        cf_ai_notes: "Pays in the monthly batch run.",
      },
    });
  });

  it("updates an invoice with PUT /invoices/{id}: line items replace the stored ones", async () => {
    const invoice = (await books(`invoices/${(await firstInvoice()).invoice_id}`)).body.invoice;
    const [keep] = invoice.line_items;

    const partial = await books(`invoices/${invoice.invoice_id}`, {
      method: "PUT",
      body: { customer_id: invoice.customer_id, reference_number: "R-1" },
    });
    const res = await books(`invoices/${invoice.invoice_id}`, {
      method: "PUT",
      body: {
        customer_id: invoice.customer_id,
        line_items: [{ line_item_id: keep.line_item_id, quantity: 2 }],
        custom_fields: [{ api_name: "cf_ai_risk_level", value: "Medium" }],
      },
    });

    expect(invoice.line_items.length).toBeGreaterThan(1);
    expect(partial.body.code).toBe(2);
    expect(res.body.message).toBe("Invoice information has been updated.");
    expect(res.body.invoice.line_items).toHaveLength(1);
    expect(res.body.invoice.total).toBe(keep.rate * 2);
    expect(res.body.invoice.cf_ai_risk_level).toBe("Medium");
  });
});

describe("upsert and custom-field creation", () => {
  it("upserts by a custom field: updates the one match, 404 without X-Upsert, creates with it", async () => {
    const invoice = (await books(`invoices/${(await firstInvoice()).invoice_id}`)).body.invoice;
    const upsert = (value: string, extra: Record<string, string> = {}) =>
      books("invoices", {
        method: "PUT",
        headers: { "X-Unique-Identifier-Key": "cf_po_number", "X-Unique-Identifier-Value": value, ...extra },
        body: {
          customer_id: invoice.customer_id,
          line_items: [{ name: "Support plan", rate: 100, quantity: 1 }],
        },
      });

    await books(`invoice/${invoice.invoice_id}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_po_number", value: "PO-UNIQUE-1" }],
    });
    const ambiguous = await upsert("PO-44817");
    const updated = await upsert("PO-UNIQUE-1");
    const missing = await upsert("PO-00000");
    const created = await upsert("PO-00000", { "X-Upsert": "true" });

    expect([ambiguous.status, ambiguous.body.code]).toEqual([400, 2]);
    expect(updated.body).toMatchObject({ code: 0, invoice: { invoice_id: invoice.invoice_id, total: 100 } });
    expect([missing.status, missing.body.code]).toEqual([404, 1002]);
    expect(created.status).toBe(201);
    expect(created.body.invoice).toMatchObject({ cf_po_number: "PO-00000", status: "draft" });
    expect(created.body.invoice.invoice_id).toMatch(/^\d{19}$/);
  });

  it("creates a custom field with settings.CREATE, and refuses without it", async () => {
    const created = await books("settings/fields", {
      method: "POST",
      body: { entity: "invoice", label: "AI Follow Up", data_type: "string", value_length: 80 },
    });
    const fields = (await books("settings/fields", { query: { entity: "invoice" } })).body.fields;
    await use(["ZohoBooks.settings.READ"]);
    const refused = await books("settings/fields", {
      method: "POST",
      body: { entity: "invoice", label: "Other", data_type: "string" },
    });

    expect(created.body.customfield).toMatchObject({ api_name: "cf_ai_follow_up", value_length: 80 });
    expect(fields.map((f: { api_name: string }) => f.api_name)).toContain("cf_ai_follow_up");
    expect([refused.status, refused.body.code]).toEqual([401, 57]);
  });
});

describe("comments", () => {
  it("lists an invoice's system history with added comments, newest first; adding answers no id", async () => {
    const invoice = await firstInvoice();

    const added = await books(`invoices/${invoice.invoice_id}/comments`, {
      method: "POST",
      body: { description: "AI reminder drafted (risk High).", show_comment_to_clients: false },
    });
    const list = (await books(`invoices/${invoice.invoice_id}/comments`)).body.comments;

    expect([added.status, added.body]).toEqual([201, { code: 0, message: "Comments added." }]);
    expect(list[0]).toMatchObject({
      description: "AI reminder drafted (risk High).",
      comment_type: "internal",
      invoice_id: invoice.invoice_id,
      comment_id: expect.stringMatching(/^\d{19}$/),
    });
    expect(list.filter((c: { comment_type: string }) => c.comment_type === "system").length).toBeGreaterThan(
      0,
    );
  });

  it("refuses to edit or delete a system comment, and edits and deletes an added one", async () => {
    await use(["ZohoBooks.invoices.ALL"]);
    const invoice = await firstInvoice();
    await books(`invoices/${invoice.invoice_id}/comments`, { method: "POST", body: { description: "mine" } });
    const list = (await books(`invoices/${invoice.invoice_id}/comments`)).body.comments;
    const system = list.find((c: { comment_type: string }) => c.comment_type === "system");
    const mine = list.find((c: { description: string }) => c.description === "mine");
    const path = (c: { comment_id: string }) => `invoices/${invoice.invoice_id}/comments/${c.comment_id}`;

    const editSystem = await books(path(system), { method: "PUT", body: { description: "rewritten" } });
    const deleteSystem = await books(path(system), { method: "DELETE" });
    const editMine = await books(path(mine), { method: "PUT", body: { description: "mine, edited" } });
    const deleteMine = await books(path(mine), { method: "DELETE" });
    const after = (await books(`invoices/${invoice.invoice_id}/comments`)).body.comments;

    expect(editSystem.status).toBe(400);
    expect(deleteSystem.status).toBe(400);
    expect(editMine.body.comment.description).toBe("mine, edited");
    expect(deleteMine.body).toEqual({ code: 0, message: "The comment has been deleted." });
    expect(after.map((c: { comment_id: string }) => c.comment_id)).not.toContain(mine.comment_id);
    expect(after.map((c: { comment_id: string }) => c.comment_id)).toContain(system.comment_id);
  });

  it("serves contact comments read-only, and answers a sales-order comment with the comment", async () => {
    const contact = (await books("contacts")).body.contacts[0];
    const order = (await books("salesorders")).body.salesorders[0];

    const list = await books(`contacts/${contact.contact_id}/comments`);
    const post = await books(`contacts/${contact.contact_id}/comments`, {
      method: "POST",
      body: { description: "x" },
    });
    const so = await books(`salesorders/${order.salesorder_id}/comments`, {
      method: "POST",
      body: { description: "Fulfilment risk: Low." },
    });

    expect(list.body.contact_comments[0]).toMatchObject({
      comment_type: "system",
      contact_id: contact.contact_id,
    });
    expect(post.status).toBe(405);
    expect(so.body).toMatchObject({
      code: 0,
      message: "Comments added.",
      comment: [{ description: "Fulfilment risk: Low.", comment_id: expect.stringMatching(/^\d{19}$/) }],
    });
  });
});
