/**
 * The body of an entity write (`PUT /{module}/{id}`, the upsert, checklist items 20, 22, 23) checked and turned into
 * a change: required keys (`customer_id` and `line_items` for invoices, configurable; `customer_id` for estimates and
 * sales orders; `contact_name` for contacts), the writable keys of the module (others are ignored), dates as
 * `yyyy-mm-dd`, line items replacing the stored ones (a line left out is deleted; one with an unknown
 * `line_item_id` is refused), and `custom_fields` checked against the org's definitions (custom-fields.ts).
 */
import type { SandboxOptions } from "../config.js";
import { checkCustomFields } from "./custom-fields.js";
import { round2 } from "./render.js";
import type { Books, BooksChange } from "./store.js";
import type { BooksModule, BooksOrg, BooksRecord } from "./types.js";

const COMMON = ["customer_id", "date", "reference_number", "notes", "terms", "line_items"];
const WRITABLE: Record<BooksModule, string[]> = {
  contacts: [
    "contact_name",
    "company_name",
    "email",
    "phone",
    "website",
    "notes",
    "payment_terms",
    "payment_terms_label",
  ],
  invoices: [...COMMON, "due_date", "payment_terms", "payment_terms_label"],
  estimates: [...COMMON, "expiry_date"],
  salesorders: [...COMMON, "shipment_date"],
};
const DATES = new Set(["date", "due_date", "expiry_date", "shipment_date"]);

type Line = Record<string, unknown>;

const isDate = (v: unknown) =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

/** The stored line items for a write's `line_items`, or the name of the bad key. */
function checkLines(books: Books, input: unknown, existing: Line[]): Line[] | string {
  if (!Array.isArray(input) || input.length === 0) return "line_items";
  const out: Line[] = [];
  for (const [i, raw] of input.entries()) {
    if (!raw || typeof raw !== "object") return "line_items";
    const item = raw as Line;
    const old =
      item.line_item_id === undefined
        ? undefined
        : existing.find((l) => l.line_item_id === String(item.line_item_id));
    if (item.line_item_id !== undefined && !old) return "line_item_id";
    const rate = Number(item.rate ?? old?.rate ?? 0);
    const quantity = Number(item.quantity ?? old?.quantity ?? 1);
    if (!Number.isFinite(rate) || rate < 0) return "rate";
    if (!Number.isFinite(quantity) || quantity <= 0) return "quantity";
    out.push({
      ...(old ?? {}),
      line_item_id: old?.line_item_id ?? books.nextId(),
      item_id: item.item_id ?? old?.item_id ?? "",
      name: item.name ?? old?.name ?? "",
      description: item.description ?? old?.description ?? "",
      rate,
      quantity,
      item_order: i + 1,
      item_total: round2(rate * quantity),
    });
  }
  return out;
}

/** A write's change, or Books' refusal message (answered 400 with the validation code). */
export function checkEntityBody(
  books: Books,
  org: BooksOrg,
  module: BooksModule,
  body: unknown,
  options: SandboxOptions,
  existing?: BooksRecord,
): BooksChange | { error: string } {
  if (!body || typeof body !== "object" || Array.isArray(body))
    return { error: "Invalid value passed for JSONString" };
  const input = body as Record<string, unknown>;
  const invalid = (key: string) => ({ error: `Invalid value passed for ${key}` });
  if (module === "contacts") {
    if (typeof input.contact_name !== "string" || !input.contact_name.trim())
      return { error: "Contact name is mandatory." };
  } else {
    if (input.customer_id === undefined) return { error: "Customer is mandatory." };
    if (!org.records.contacts.has(String(input.customer_id))) return invalid("customer_id");
    const linesRequired = module === "invoices" ? options.booksInvoiceUpdateRequiresLineItems : false;
    if (input.line_items === undefined && (linesRequired || !existing)) return invalid("line_items");
  }
  const data: Record<string, unknown> = {};
  for (const key of WRITABLE[module]) {
    if (input[key] === undefined) continue;
    if (DATES.has(key) && !isDate(input[key])) return invalid(key);
    data[key] = key === "customer_id" ? String(input[key]) : input[key];
  }
  if (input.line_items !== undefined) {
    const lines = checkLines(
      books,
      input.line_items,
      (existing?.data.line_items as Line[] | undefined) ?? [],
    );
    if (typeof lines === "string") return invalid(lines);
    data.line_items = lines;
  }
  if (input.custom_fields === undefined) return { data };
  const custom = checkCustomFields(org, module, input.custom_fields, module === "contacts");
  return custom.ok ? { data, custom: custom.values } : { error: custom.message };
}

/** Defaults of an entity created through the upsert (`X-Upsert: true`). */
export function createDefaults(books: Books, org: BooksOrg, module: BooksModule): Record<string, unknown> {
  const today = books.today(org);
  if (module === "contacts")
    return { contact_type: "customer", status: "active", currency_code: org.currency_code };
  if (module === "invoices") return { date: today, due_date: today, status: "draft", payment_made: 0 };
  return { date: today, status: "draft" };
}
