/**
 * Zoho sandbox, Books workflow rules and webhooks (checklist item 27): API writes fire rules (Books has no way to
 * skip them), including custom-field writes; comments, imports and custom-function writes do not. A rule's webhook
 * sends the Default Payload (the entity as GET answers it) with its headers, and the inspection log records which
 * fields each write changed. Rules register through the control API, as the local stack does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restoreSandbox, snapshotSandbox } from "../../../infra/local/persistence.js";
import { webhookSignature } from "../../../infra/local/zoho-sandbox/books/automation.js";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { booksClient, sandboxControl } from "../../helpers/books.js";
import { startReceiver } from "../../helpers/receiver.js";
import { connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let books: ReturnType<typeof booksClient>;
let control: ReturnType<typeof sandboxControl>;
let invoiceId: string;

const writeRisk = (value: string, headers: Record<string, string> = {}) =>
  books(`invoice/${invoiceId}/customfields`, {
    method: "PUT",
    body: [{ api_name: "cf_ai_risk_level", value }],
    headers,
  });
const deliveries = async () => (await control("books/deliveries")).body.deliveries;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver();
  control = sandboxControl(sandbox);
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  receiver.received.length = 0;
  books = booksClient(sandbox, await connect(sandbox));
  const list = await books("invoices", {
    query: { filter_by: "Status.OverDue", sort_column: "invoice_number", sort_order: "A" },
  });
  invoiceId = list.body.invoices[0].invoice_id;
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

describe("a rule pointed at the mediator", () => {
  it("fires on a custom-field write with the default payload, its headers and the changed fields logged", async () => {
    const rule = await control("books/connect-hooks", {
      base_url: receiver.url,
      use_case: "invoice-risk",
      token: "tok",
    });

    const write = await writeRisk("High");
    await sandbox.settle();
    const [post] = receiver.posts();
    const payload = JSON.parse(post?.body ?? "{}");
    const current = (await books(`invoices/${invoiceId}`)).body.invoice;
    const [delivery] = await deliveries();

    expect(write.body.code).toBe(0);
    expect(rule.body).toMatchObject({ module: "invoice", trigger: "created_or_edited" });
    expect(receiver.posts()).toHaveLength(1);
    expect(post?.url).toBe("/v1/hooks/books/invoice-risk");
    expect(post?.headers["x-mediator-token"]).toBe("tok");
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(Object.keys(payload)).toEqual(["invoice"]);
    expect(payload.invoice).toEqual(current);
    expect(payload.invoice).toMatchObject({
      invoice_id: invoiceId,
      cf_ai_risk_level: "High",
      status: "overdue",
    });
    expect(delivery).toMatchObject({
      kind: "books-workflow",
      rule: rule.body.id,
      ok: true,
      status: 200,
      module: "invoices",
      record_id: invoiceId,
      event: "edited",
      changed_fields: ["cf_ai_risk_level"],
    });
    expect((await control("inspect")).body.webhooks_fired).toContainEqual(
      expect.objectContaining({ kind: "books-workflow", changed_fields: ["cf_ai_risk_level"] }),
    );
  });

  it("fires again on the mediator's own write: the payload differs only in the written field and the time", async () => {
    await control("books/connect-hooks", { base_url: receiver.url, use_case: "invoice-risk" });
    sandbox.advanceClock(5);
    await writeRisk("Medium");
    sandbox.advanceClock(5);
    await writeRisk("High");
    await sandbox.settle();

    const [a, b] = receiver.posts().map((p) => JSON.parse(p.body).invoice);
    const differing = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));

    expect(differing.sort()).toEqual(
      [
        "cf_ai_risk_level",
        "cf_ai_risk_level_formatted",
        "cf_ai_risk_level_unformatted",
        "custom_field_hash",
        "custom_fields",
        "last_modified_time",
      ].sort(),
    );
  });
});

describe("rule filters", () => {
  it("does not fire a rule limited to other fields, and fires it when one of them changes", async () => {
    await control("books/workflow-rules", {
      module: "invoice",
      trigger: "edited",
      field_filter: { when: "any_selected", fields: ["cf_po_number", "due_date"] },
      webhook: { url: `${receiver.url}/hook` },
    });

    await writeRisk("High");
    await sandbox.settle();
    const quiet = receiver.posts().length;
    const automations = (await control("inspect")).body.automations;
    await books(`invoice/${invoiceId}/customfields`, {
      method: "PUT",
      body: [{ api_name: "cf_po_number", value: "PO-90001" }],
    });
    await sandbox.settle();

    expect(quiet).toBe(0);
    expect(automations.at(-1)).toMatchObject({ record_id: invoiceId, ran: ["workflow"], rules_fired: [] });
    expect(receiver.posts()).toHaveLength(1);
    expect((await deliveries())[0].changed_fields).toEqual(["cf_po_number"]);
  });

  it("needs every selected field for all_selected, and honours criteria", async () => {
    await control("books/workflow-rules", {
      module: "invoice",
      trigger: "edited",
      field_filter: { when: "all_selected", fields: ["cf_ai_risk_level", "cf_ai_risk_reason"] },
      criteria: [{ field: "status", equals: "overdue" }],
      webhook: { url: `${receiver.url}/both` },
    });

    await writeRisk("High");
    await books(`invoice/${invoiceId}/customfields`, {
      method: "PUT",
      body: [
        { api_name: "cf_ai_risk_level", value: "Low" },
        { api_name: "cf_ai_risk_reason", value: "Paid within terms for a year." },
      ],
    });
    await sandbox.settle();

    expect(receiver.posts().map((p) => p.url)).toEqual(["/both"]);
  });

  it("fires Created rules for a created invoice, and Edited-only rules not", async () => {
    await control("books/workflow-rules", {
      module: "invoice",
      trigger: "created",
      webhook: { url: `${receiver.url}/new` },
    });
    await control("books/workflow-rules", {
      module: "invoice",
      trigger: "edited",
      webhook: { url: `${receiver.url}/edit` },
    });

    const created = await control("books/invoices", { cf_po_number: "PO-1" });
    await sandbox.settle();

    expect(created.body.invoice.invoice_number).toMatch(/^INV-\d{6}$/);
    expect(receiver.posts().map((p) => p.url)).toEqual(["/new"]);
    expect((await deliveries())[0]).toMatchObject({ event: "created" });
  });

  it("sends the rule's method, query parameters and, with a secret, a signature", async () => {
    await control("books/workflow-rules", {
      module: "invoice",
      webhook: {
        url: `${receiver.url}/signed`,
        method: "PUT",
        query_parameters: { source: "books", b: "2" },
        headers: { "X-Custom": "yes" },
        secret: "s3cretSecret42",
      },
    });

    await writeRisk("Low");
    await sandbox.settle();
    const [put] = receiver.received;
    const url = new URL(put?.url ?? "/", receiver.url);

    expect(put?.method).toBe("PUT");
    expect(Object.fromEntries(url.searchParams)).toEqual({ source: "books", b: "2" });
    expect(put?.headers["x-custom"]).toBe("yes");
    expect(put?.headers["x-zoho-webhook-signature"]).toBe(
      webhookSignature("s3cretSecret42", url, put?.body ?? ""),
    );
  });
});

describe("what does not fire", () => {
  beforeEach(async () => {
    await control("books/connect-hooks", { base_url: receiver.url, use_case: "invoice-risk", token: "tok" });
  });

  it("never fires for a comment", async () => {
    await books(`invoices/${invoiceId}/comments`, {
      method: "POST",
      body: { description: "AI reminder drafted." },
    });
    await sandbox.settle();

    expect(receiver.posts()).toHaveLength(0);
  });

  it("never fires for an import or a custom function, but does for a person's edit", async () => {
    await control(`books/invoices/${invoiceId}`, { cf_po_number: "PO-1", source: "import" }, "PUT");
    await control(`books/invoices/${invoiceId}`, { cf_po_number: "PO-2", source: "custom_function" }, "PUT");
    await sandbox.settle();
    const silent = receiver.posts().length;
    const edit = await control(`books/invoices/${invoiceId}`, { cf_po_number: "PO-3" }, "PUT");
    await sandbox.settle();

    expect(silent).toBe(0);
    expect(edit.body.changed).toEqual(["cf_po_number"]);
    expect(receiver.posts()).toHaveLength(1);
  });

  it("ignores X-ZOHO-Skip-Webhook-Trigger by default and honours it when the setting is on", async () => {
    await writeRisk("High", { "X-ZOHO-Skip-Webhook-Trigger": "true" });
    await sandbox.settle();
    const byDefault = receiver.posts().length;
    sandbox.options.booksHonourSkipWebhookHeader = true;
    await writeRisk("Low", { "X-ZOHO-Skip-Webhook-Trigger": "true" });
    await sandbox.settle();

    expect(byDefault).toBe(1);
    expect(receiver.posts()).toHaveLength(1);
  });
});

describe("inspection helpers", () => {
  it("reads an invoice as stored and lists its comments with the system ones", async () => {
    const invoice = await control(`books/invoices/${invoiceId}`);
    const comments = await control(`books/invoices/${invoiceId}/comments`);
    const summary = await control("books");

    expect(invoice.body).toMatchObject({ invoice_id: invoiceId, status: "overdue" });
    expect(comments.body.comments.some((c: { comment_type: string }) => c.comment_type === "system")).toBe(
      true,
    );
    expect(summary.body.main_organization_id).toBe(sandbox.demo().booksOrgId);
    expect(summary.body.organizations).toHaveLength(2);
  });

  it("refuses a rule without a URL or with an unknown module", async () => {
    const noUrl = await control("books/workflow-rules", { module: "invoice", webhook: {} });
    const badModule = await control("books/workflow-rules", {
      module: "bill",
      webhook: { url: receiver.url },
    });

    expect(noUrl.status).toBe(400);
    expect(badModule.status).toBe(400);
  });
});

describe("the local stack's snapshot", () => {
  it("keeps Books rules and written values across a restore, where the rules still fire", async () => {
    await control("books/connect-hooks", { base_url: receiver.url, use_case: "invoice-risk" });
    await writeRisk("High");
    await sandbox.settle();

    const after = await startZohoSandbox();
    try {
      const restored = restoreSandbox(after, snapshotSandbox(sandbox, "demo"), "demo");
      const books2 = booksClient(after, await connect(after));
      const invoice = (await books2(`invoices/${invoiceId}`)).body.invoice;
      await books2(`invoice/${invoiceId}/customfields`, {
        method: "PUT",
        body: [{ api_name: "cf_ai_risk_level", value: "Low" }],
      });
      await after.settle();

      expect(restored).toBe(true);
      expect(invoice.cf_ai_risk_level).toBe("High");
      expect(receiver.posts()).toHaveLength(2);
    } finally {
      await after.close();
    }
  });
});
