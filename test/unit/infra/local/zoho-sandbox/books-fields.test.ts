/**
 * Zoho sandbox, Books: custom-field values checked against their definitions for every data type, Books' timestamp
 * form in an org's offset, and which fields a write changed.
 */
import { describe, expect, it } from "vitest";
import { checkCustomFields } from "../../../../../infra/local/zoho-sandbox/books/custom-fields.js";
import { booksStamp, changedFields } from "../../../../../infra/local/zoho-sandbox/books/render.js";
import type { BooksCustomField, BooksOrg } from "../../../../../infra/local/zoho-sandbox/books/types.js";

const field = (
  over: Partial<BooksCustomField> & Pick<BooksCustomField, "api_name" | "data_type">,
): BooksCustomField => ({
  customfield_id: `29916280000001${String(over.api_name.length).padStart(5, "0")}`,
  entity: "invoice",
  index: 1,
  label: over.api_name,
  is_active: true,
  is_mandatory: false,
  show_on_pdf: false,
  placeholder: "",
  ...over,
});

const org = (fields: BooksCustomField[]): BooksOrg =>
  ({
    fields,
    records: { contacts: new Map(), invoices: new Map(), estimates: new Map(), salesorders: new Map() },
  }) as never;

const check = (f: BooksCustomField, value: unknown) =>
  checkCustomFields(org([f]), "invoices", [{ api_name: f.api_name, value }], false);

describe("custom-field values", () => {
  it.each([
    [{ api_name: "cf_n", data_type: "number" }, "12", 12],
    [{ api_name: "cf_d", data_type: "decimal", decimal_precision: 1 }, 2.5, 2.5],
    [{ api_name: "cf_p", data_type: "percent", decimal_precision: 2 }, "12.25", 12.25],
    [{ api_name: "cf_date", data_type: "date" }, "2026-03-01", "2026-03-01"],
    [{ api_name: "cf_c", data_type: "check_box" }, "true", true],
    [{ api_name: "cf_e", data_type: "email" }, "ap@example.com", "ap@example.com"],
    [{ api_name: "cf_u", data_type: "url" }, "https://example.com/x", "https://example.com/x"],
  ] as const)("stores a good %o value", (def, value, stored) => {
    const result = check(field(def as never), value);

    expect(result).toEqual({ ok: true, values: { [field(def as never).customfield_id]: stored } });
  });

  it.each([
    [{ api_name: "cf_n", data_type: "number" }, 1.5],
    [{ api_name: "cf_d", data_type: "decimal", decimal_precision: 1 }, 2.55],
    [{ api_name: "cf_date", data_type: "date" }, "01/03/2026"],
    [{ api_name: "cf_c", data_type: "check_box" }, "yes"],
    [{ api_name: "cf_e", data_type: "email" }, "not an address"],
    [{ api_name: "cf_u", data_type: "url" }, "ftp://example.com"],
    [{ api_name: "cf_auto", data_type: "autonumber" }, "X-1"],
    [{ api_name: "cf_s", data_type: "string", value_length: 3 }, "abcd"],
  ] as const)("refuses a bad %o value", (def, value) => {
    expect(check(field(def as never), value).ok).toBe(false);
  });

  it("refuses to clear a mandatory field, an unknown field and a body that is not a list", () => {
    const mandatory = field({ api_name: "cf_m", data_type: "string", is_mandatory: true });

    expect(check(mandatory, "").ok).toBe(false);
    expect(checkCustomFields(org([]), "invoices", [{ api_name: "cf_x", value: "1" }], false).ok).toBe(false);
    expect(checkCustomFields(org([]), "invoices", { api_name: "cf_x" }, false).ok).toBe(false);
  });

  it("names contact fields by index or label only where contacts allow it", () => {
    const f = field({
      api_name: "cf_vat",
      data_type: "string",
      entity: "contact",
      index: 2,
      label: "VAT ID",
    });

    expect(checkCustomFields(org([f]), "contacts", [{ index: 2, value: "GB1" }], true).ok).toBe(true);
    expect(checkCustomFields(org([f]), "contacts", [{ label: "VAT ID", value: "GB1" }], true).ok).toBe(true);
    expect(checkCustomFields(org([f]), "contacts", [{ label: "VAT ID", value: "GB1" }], false).ok).toBe(
      false,
    );
  });
});

describe("rendering", () => {
  it("writes timestamps in the org's offset, Books style", () => {
    const ms = Date.parse("2026-09-04T12:59:16Z");

    expect(booksStamp(ms, 60)).toBe("2026-09-04T13:59:16+0100");
    expect(booksStamp(ms, -420)).toBe("2026-09-04T05:59:16-0700");
    expect(booksStamp(ms, 330)).toBe("2026-09-04T18:29:16+0530");
  });

  it("names the changed fields, not the bookkeeping or a custom field's copies", () => {
    const before = {
      total: 10,
      cf_a: "x",
      cf_a_unformatted: "x",
      last_modified_time: "1",
      custom_fields: [],
    };
    const after = {
      total: 10,
      cf_a: "y",
      cf_a_unformatted: "y",
      last_modified_time: "2",
      custom_fields: [1],
    };

    expect(changedFields(before, after, ["cf_a"])).toEqual(["cf_a"]);
  });
});
