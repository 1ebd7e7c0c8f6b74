/**
 * An entity as Books' GET answers it (checklist item 24): the stored keys, the amounts and status Books derives
 * (totals, balance, `overdue` once the due date has passed), `custom_fields` objects, the flattened `cf_*`,
 * `cf_*_formatted` and `cf_*_unformatted` keys and `custom_field_hash`, with empty custom fields left out; dates as
 * `yyyy-mm-dd` and timestamps as `2026-09-04T13:59:16+0100` in the org's offset. The webhook's default payload is
 * the same object.
 */
import type { BooksCustomField, BooksModule, BooksOrg, BooksRecord } from "./types.js";
import { BOOKS_MODULES } from "./types.js";

const pad = (n: number) => String(n).padStart(2, "0");

/** Books' timestamp form in the org's offset, e.g. `2026-09-04T13:59:16-0700`. */
export function booksStamp(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** The org's calendar date at `ms` (`yyyy-mm-dd`). */
export const booksDate = (ms: number, offsetMinutes: number): string =>
  new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);

/** `yyyy-mm-dd` plus `days` (negative for earlier). */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export const round2 = (n: number): number => Math.round(n * 100) / 100;

const isEmpty = (v: unknown) => v === undefined || v === null || v === "";

/** The value as Books shows it: amounts and decimals to their precision, percentages with a sign. */
export function formatCustom(field: BooksCustomField, value: unknown, org: BooksOrg): string {
  if (typeof value === "number" && ["decimal", "amount", "percent"].includes(field.data_type)) {
    const fixed = value.toFixed(field.decimal_precision ?? 2);
    if (field.data_type === "amount") return `${org.currency_symbol}${fixed}`;
    return field.data_type === "percent" ? `${fixed}%` : fixed;
  }
  return String(value);
}

/** The org's custom fields of a module's entity, in index order. */
export const fieldsOf = (org: BooksOrg, module: BooksModule): BooksCustomField[] =>
  org.fields.filter((f) => f.entity === BOOKS_MODULES[module]).sort((a, b) => a.index - b.index);

interface Line {
  item_total?: unknown;
}

/** An invoice's status as Books shows it on `today`: unpaid and past due reads `overdue`. */
function invoiceStatus(data: Record<string, unknown>, balance: number, today: string): string {
  const stored = String(data.status ?? "draft");
  if (stored === "draft" || stored === "void") return stored;
  if (balance <= 0) return "paid";
  if (typeof data.due_date === "string" && data.due_date < today) return "overdue";
  return Number(data.payment_made ?? 0) > 0 ? "partially_paid" : stored === "overdue" ? "sent" : stored;
}

/** Amounts and status Books derives from the stored keys. */
function derived(org: BooksOrg, module: BooksModule, data: Record<string, unknown>, now: number) {
  const out: Record<string, unknown> = {};
  if (module === "contacts") {
    let outstanding = 0;
    for (const inv of org.records.invoices.values()) {
      if (inv.data.customer_id !== data.contact_id || ["draft", "void"].includes(String(inv.data.status)))
        continue;
      outstanding += totals(inv.data).balance;
    }
    out.outstanding_receivable_amount = round2(outstanding);
    return out;
  }
  const customer = org.records.contacts.get(String(data.customer_id ?? ""));
  out.customer_name = customer?.data.contact_name ?? "";
  out.currency_code = org.currency_code;
  const t = totals(data);
  out.sub_total = t.total;
  out.total = t.total;
  if (module === "invoices") {
    out.payment_made = t.paid;
    out.balance = t.balance;
    out.status = invoiceStatus(data, t.balance, booksDate(now, org.utc_offset_minutes));
  }
  return out;
}

function totals(data: Record<string, unknown>): { total: number; paid: number; balance: number } {
  const lines = Array.isArray(data.line_items) ? (data.line_items as Line[]) : [];
  const total = round2(lines.reduce((n, l) => n + Number(l.item_total ?? 0), 0));
  const paid = round2(Number(data.payment_made ?? 0));
  return { total, paid, balance: round2(total - paid) };
}

/** The entity as GET answers it; `list` leaves out what list answers do not carry (line items). */
export function renderEntity(
  org: BooksOrg,
  module: BooksModule,
  rec: BooksRecord,
  now: number,
  list = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rec.data, ...derived(org, module, rec.data, now) };
  if (list) delete out.line_items;
  const customFields: Record<string, unknown>[] = [];
  const hash: Record<string, unknown> = {};
  for (const field of fieldsOf(org, module)) {
    const value = rec.custom[field.customfield_id];
    if (isEmpty(value)) continue;
    const formatted = formatCustom(field, value, org);
    customFields.push({
      field_id: field.customfield_id,
      customfield_id: field.customfield_id,
      index: field.index,
      label: field.label,
      api_name: field.api_name,
      data_type: field.data_type,
      placeholder: field.placeholder,
      is_active: field.is_active,
      show_on_pdf: field.show_on_pdf,
      show_in_all_pdf: field.show_on_pdf,
      value,
      value_formatted: formatted,
    });
    out[field.api_name] = formatted;
    out[`${field.api_name}_formatted`] = formatted;
    out[`${field.api_name}_unformatted`] = value;
    hash[field.api_name] = formatted;
    hash[`${field.api_name}_unformatted`] = value;
  }
  out.custom_fields = customFields;
  out.custom_field_hash = hash;
  out.created_time = booksStamp(rec.createdMs, org.utc_offset_minutes);
  out.last_modified_time = booksStamp(rec.modifiedMs, org.utc_offset_minutes);
  return out;
}

/** Keys a write's "changed fields" never names: the bookkeeping and the copies of custom values. */
const NOT_A_FIELD = new Set(["last_modified_time", "custom_fields", "custom_field_hash"]);

/** Field names whose rendered value differs between two renders of one entity (api names for custom fields). */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  customApiNames: string[],
): string[] {
  const derivedCopies = new Set(customApiNames.flatMap((a) => [`${a}_formatted`, `${a}_unformatted`]));
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    (k) =>
      !NOT_A_FIELD.has(k) &&
      !derivedCopies.has(k) &&
      JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
}

/**
 * A Books body as JSON text. Ids are strings; with `numericIds` (checklist item 30) `customfield_id` and `field_id`
 * are written as bare numbers, as the OAS types them (int64), so a lossy parser shows.
 */
export function booksJson(body: unknown, numericIds: boolean): string {
  const text = JSON.stringify(body);
  return numericIds ? text.replace(/"(customfield_id|field_id)":"(\d+)"/g, '"$1":$2') : text;
}
