/**
 * The Books v3 adapter over the real Zoho HTTP client and a scripted fetch: `organization_id` on every call but the
 * organizations list, the singular custom-fields path, contacts' `contact_name`, comments, lossless 19-digit ids,
 * refusals as `{ ok: false }`, the field-type mapping and every Books code's translation into the error taxonomy.
 */
import { describe, expect, it } from "vitest";
import { ZohoBooksHttp } from "../../../../../shared/adapters/zoho/books.js";
import type { ZohoConnection } from "../../../../../shared/domain/zoho-connection.js";
import {
  NotFoundError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamScopeError,
  ValidationError,
  WorkMustWaitError,
} from "../../../../../shared/errors.js";
import { type ScriptedAnswer, scriptedZoho } from "../../../../helpers/zoho-fetch.js";

const ORG = "10234695";
const INVOICE = "2991628000000132174";
const BASE = "https://www.zohoapis.com/books/v3";

function withBooks(answers: ScriptedAnswer[], connection: Partial<ZohoConnection> = {}) {
  const zoho = scriptedZoho(answers, connection);
  return { ...zoho, books: new ZohoBooksHttp(zoho.http) };
}

const ok = (body: Record<string, unknown> = {}): ScriptedAnswer => ({
  status: 200,
  body: { code: 0, message: "success", ...body },
});
const fail = (status: number, code: number, message = "refused"): ScriptedAnswer => ({
  status,
  body: { code, message },
});

describe("Books reads", () => {
  it("lists the token's organizations without organization_id, also on a connection with no Books organization yet", async () => {
    const { books, requests } = withBooks(
      [
        {
          status: 200,
          text: '{"code":0,"organizations":[{"organization_id":8754310000010306009,"name":"Acme"}]}',
        },
      ],
      { books: null },
    );

    const orgs = await books.organizations();

    expect(orgs).toEqual([{ id: "8754310000010306009", name: "Acme" }]);
    expect(requests[0]?.url.toString()).toBe(`${BASE}/organizations`);
  });

  it("gets an invoice with organization_id, its id from invoice_id and its custom fields by api name, keeping the rest", async () => {
    const { books, requests } = withBooks([
      {
        status: 200,
        text: `{"code":0,"message":"success","invoice":{"invoice_id":${INVOICE},"customer_id":"2991628000000132001","total":145.5,"custom_fields":[{"customfield_id":"46000000012845","api_name":"cf_risk_level","label":"Risk","value":"High"},{"api_name":"cf_ai_score","value":81}]}}`,
      },
    ]);

    const invoice = await books.getEntity("invoices", INVOICE);

    expect(requests[0]?.url.toString()).toBe(`${BASE}/invoices/${INVOICE}?organization_id=${ORG}`);
    expect(invoice).toMatchObject({
      id: INVOICE,
      invoice_id: INVOICE,
      customer_id: "2991628000000132001",
      total: 145.5,
      customFields: { cf_risk_level: "High", cf_ai_score: 81 },
    });
    expect(Array.isArray(invoice?.custom_fields)).toBe(true);
  });

  it("answers null for an entity Books does not have (404, code 1002)", async () => {
    const { books } = withBooks([fail(404, 1002, "Invoice does not exist.")]);

    expect(await books.getEntity("invoices", INVOICE)).toBeNull();
  });

  it("refuses, before sending anything, a connection without a Books organization, a non-digit id and an unknown entity", async () => {
    const none = withBooks([], { books: null });
    const { books, requests } = withBooks([]);

    const noOrg = await none.books.getEntity("invoices", INVOICE).catch((e: unknown) => e);
    const badId = await books.getEntity("invoices", "12/../x").catch((e: unknown) => e);
    const badEntity = await books.getEntity("bills" as "invoices", INVOICE).catch((e: unknown) => e);

    expect(noOrg).toBeInstanceOf(UpstreamScopeError);
    expect((noOrg as Error).message).toBe('connection "default" has no Books organization configured');
    expect(badId).toBeInstanceOf(ValidationError);
    expect(badEntity).toBeInstanceOf(ValidationError);
    expect(none.requests).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("never lets a caller's query name another organization", async () => {
    const { http, requests } = scriptedZoho([ok()]);

    await http.request({
      service: "books",
      method: "GET",
      path: "/books/v3/invoices",
      query: { organization_id: "999", page: 2 },
    });

    expect(requests[0]?.url.searchParams.getAll("organization_id")).toEqual([ORG]);
    expect(requests[0]?.url.searchParams.get("page")).toBe("2");
  });
});

describe("Books writes", () => {
  it.each([
    ["invoices", "invoice"],
    ["estimates", "estimate"],
    ["salesorders", "salesorder"],
  ] as const)(
    "writes %s custom fields through the singular /%s/{id}/customfields path as an array of {api_name, value}",
    async (entity, singular) => {
      const { books, requests } = withBooks([ok({ message: "Custom Fields Updated Successfully" })]);

      const result = await books.updateCustomFields(entity, INVOICE, {
        cf_ai_score: 81,
        cf_parent_ref: "2991628000000132999",
      });

      expect(result).toEqual({ ok: true, id: INVOICE });
      expect(requests[0]?.method).toBe("PUT");
      expect(requests[0]?.url.toString()).toBe(
        `${BASE}/${singular}/${INVOICE}/customfields?organization_id=${ORG}`,
      );
      expect(requests[0]?.body).toEqual([
        { api_name: "cf_ai_score", value: 81 },
        { api_name: "cf_parent_ref", value: "2991628000000132999" },
      ]);
    },
  );

  it("writes a contact's custom fields with PUT /contacts/{id}, sending the contact_name Books requires", async () => {
    const { books, requests } = withBooks([
      ok({ contact: { contact_id: "2991628000000132555", contact_name: "Acme GmbH" } }),
      ok({ message: "Contact information has been saved." }),
    ]);

    const result = await books.updateCustomFields("contacts", "2991628000000132555", {
      cf_segment: "Enterprise",
    });

    expect(result).toEqual({ ok: true, id: "2991628000000132555" });
    expect(requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      "GET /books/v3/contacts/2991628000000132555",
      "PUT /books/v3/contacts/2991628000000132555",
    ]);
    expect(requests[1]?.url.searchParams.get("organization_id")).toBe(ORG);
    expect(requests[1]?.body).toEqual({
      contact_name: "Acme GmbH",
      custom_fields: [{ api_name: "cf_segment", value: "Enterprise" }],
    });
  });

  it("answers Books' refusal of a value (400) as { ok: false }, naming the field its message names", async () => {
    const { books } = withBooks([fail(400, 4, "Invalid value passed for cf_ai_score.")]);

    const result = await books.updateCustomFields("invoices", INVOICE, { cf_ai_score: "x", cf_ai: "y" });

    expect(result).toEqual({
      ok: false,
      code: "4",
      message: "Invalid value passed for cf_ai_score.",
      field: "cf_ai_score",
    });
  });

  it("adds a comment hidden from the client, answering the sales order's comment id when Books gives one", async () => {
    const { books, requests } = withBooks([
      ok({ message: "Comments added." }),
      ok({ message: "Comments added.", comment: [{ comment_id: "2991628000000132777" }] }),
    ]);

    const invoice = await books.addComment("invoices", INVOICE, "AI triage: high risk");
    const order = await books.addComment("salesorders", "2991628000000132400", "AI triage: low risk");

    expect(invoice).toEqual({ ok: true, id: INVOICE });
    expect(order).toEqual({ ok: true, id: "2991628000000132777" });
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.url.toString()).toBe(`${BASE}/invoices/${INVOICE}/comments?organization_id=${ORG}`);
    expect(requests[0]?.body).toEqual({
      description: "AI triage: high risk",
      show_comment_to_clients: false,
    });
  });

  it("refuses a comment on a contact (contacts have none) without sending it", async () => {
    const { books, requests } = withBooks([]);

    await expect(books.addComment("contacts", "2991628000000132555", "x")).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(requests).toEqual([]);
  });
});

describe("Books field metadata", () => {
  it("reads settings/fields for the singular entity and maps data types, lengths, active dropdown values and inactive fields", async () => {
    const field = (api_name: string, data_type: string, extra: Record<string, unknown> = {}) => ({
      customfield_id: "46000000012845",
      label: api_name,
      api_name,
      data_type,
      is_active: true,
      ...extra,
    });
    const { books, requests } = withBooks([
      ok({
        fields: [
          field("cf_text", "string", { value_length: 100, is_mandatory: true }),
          field("cf_mail", "email"),
          field("cf_site", "url"),
          field("cf_phone", "phone"),
          field("cf_count", "number"),
          field("cf_rate", "decimal"),
          field("cf_total", "amount"),
          field("cf_share", "percent"),
          field("cf_due", "date"),
          field("cf_due_at", "datetime"),
          field("cf_done", "check_box"),
          field("cf_risk", "dropdown", {
            values: [
              { name: "Low", order: 1, is_active: true },
              { name: "Legacy", order: 2, is_active: false },
              { name: "High", order: 3, is_active: true },
            ],
          }),
          field("cf_tags", "multiselect", { values: [{ name: "a", is_active: true }] }),
          field("cf_notes", "multiline"),
          field("cf_seq", "autonumber"),
          field("cf_ref", "lookup"),
          field("cf_old", "string", { is_active: false }),
          { label: "Standard field without api name", data_type: "string" },
        ],
      }),
    ]);

    const fields = await books.fields("salesorders");

    expect(requests[0]?.url.toString()).toBe(
      `${BASE}/settings/fields?entity=salesorder&organization_id=${ORG}`,
    );
    expect(Object.fromEntries(fields.map((f) => [f.name, f.type]))).toEqual({
      cf_text: "text",
      cf_mail: "email",
      cf_site: "website",
      cf_phone: "phone",
      cf_count: "integer",
      cf_rate: "double",
      cf_total: "double",
      cf_share: "double",
      cf_due: "date",
      cf_due_at: "datetime",
      cf_done: "boolean",
      cf_risk: "picklist",
      cf_tags: "multiselectpicklist",
      cf_notes: "textarea",
      cf_seq: "other",
      cf_ref: "other",
      cf_old: "text",
    });
    expect(fields[0]).toEqual({
      name: "cf_text",
      type: "text",
      length: 100,
      readOnly: false,
      mandatory: true,
    });
    expect(fields.find((f) => f.name === "cf_risk")?.picklist).toEqual(["Low", "High"]);
    expect(fields.find((f) => f.name === "cf_seq")?.readOnly).toBe(true);
    expect(fields.find((f) => f.name === "cf_old")?.readOnly).toBe(true);
  });
});

describe("Books codes in the error taxonomy", () => {
  it("raises UpstreamScopeError (not retryable) for 401 code 57, without spending a token refresh", async () => {
    const { books, invalidated, requests } = withBooks([
      fail(401, 57, "You are not authorized to perform this operation"),
    ]);

    const error = await books.getEntity("invoices", INVOICE).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamScopeError);
    expect(error).toMatchObject({ upstream: "zoho-books", status: 401, retryable: false });
    expect(invalidated).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it("treats the daily limit (429, code 45) as work that must wait: no retry today, the event is deferred", async () => {
    const { books, requests } = withBooks([fail(429, 45), fail(429, 45)]);

    const error = await books
      .updateCustomFields("invoices", INVOICE, { cf_ai_score: 1 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkMustWaitError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 15 * 60_000 });
    expect(requests).toHaveLength(1);
  });

  it.each([44, 1070])(
    "retries a 429 with code %i (no Retry-After) per the policy, then raises UpstreamRateLimitError",
    async (code) => {
      const limit = fail(429, code);
      const { books, requests, sleeps } = withBooks([limit, limit, limit]);

      const error = await books
        .updateCustomFields("invoices", INVOICE, { cf_ai_score: 1 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpstreamRateLimitError);
      expect(error).toMatchObject({ upstream: "zoho-books", retryable: true, retryAfterMs: 30_000 });
      expect((error as Error).message).toContain(String(code));
      expect(requests).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
    },
  );

  it("recovers when a 429 passes", async () => {
    const { books } = withBooks([fail(429, 1070), ok({ invoice: { invoice_id: INVOICE } })]);

    expect((await books.getEntity("invoices", INVOICE))?.id).toBe(INVOICE);
  });

  it.each([
    ["code 2 naming organization_id", 400, 2, "Invalid value passed for organization_id"],
    ["code 6041", 400, 6041, `This user is not associated with the CompanyID/CompanyName:${ORG}.`],
  ])(
    "raises UpstreamScopeError telling the admin to fix the connection's organization for %s",
    async (_name, status, code, message) => {
      const { books } = withBooks([fail(status, code, message)]);

      const error = await books.getEntity("invoices", INVOICE).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpstreamScopeError);
      expect((error as Error).message).toMatch(/set connection "default"'s books\.organizationId/);
      expect((error as Error).message).toContain(ORG);
      expect(error).toMatchObject({ retryable: false, status: 400 });
    },
  );

  it("keeps another parameter's code 2 a rejected request, and a 404 a NotFoundError with its code", async () => {
    const { http } = scriptedZoho([
      fail(400, 2, "Invalid value passed for filter_by"),
      fail(404, 1002, "Invoice does not exist."),
    ]);

    const rejected = await http
      .request({ service: "books", method: "GET", path: "/books/v3/invoices", query: { filter_by: "x" } })
      .catch((e: unknown) => e);
    const missing = await http
      .request({ service: "books", method: "GET", path: `/books/v3/invoices/${INVOICE}` })
      .catch((e: unknown) => e);

    expect(rejected).toBeInstanceOf(UpstreamRejectedError);
    expect(rejected).toMatchObject({ code: "2", details: { message: "Invalid value passed for filter_by" } });
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: "1002", upstream: "zoho-books" });
  });

  it("throws a contact write's NotFoundError when the contact is gone", async () => {
    const { books } = withBooks([fail(404, 1002, "Contact does not exist.")]);

    await expect(
      books.updateCustomFields("contacts", "2991628000000132555", { cf_x: 1 }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
