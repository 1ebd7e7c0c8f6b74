/**
 * Custom-field writes checked against the org's definitions (checklist items 21-22, notes §2.6): each item names its
 * field by `customfield_id` or `api_name` (contacts also by `index` or `label`) and is checked for the field's
 * `data_type`, `value_length`, `decimal_precision`, active dropdown values, whether the field is active and
 * writable, and `is_mandatory` (an empty value clears a field). One bad item refuses the whole write.
 */
import { fieldsOf } from "./render.js";
import type { BooksCustomField, BooksModule, BooksOrg } from "./types.js";

export type CustomFieldCheck = { ok: true; values: Record<string, unknown> } | { ok: false; message: string };

/** Longest text value when a definition names none (UNCONFIRMED defaults). */
const DEFAULT_LENGTH: Partial<Record<BooksCustomField["data_type"], number>> = {
  string: 255,
  email: 100,
  url: 255,
  phone: 50,
  multiline: 32_000,
};
const TEXT = new Set(["string", "multiline", "email", "url", "phone"]);
const NUMERIC = new Set(["decimal", "amount", "percent"]);
const READ_ONLY = new Set(["autonumber", "formula"]);

const fail = (message: string): CustomFieldCheck => ({ ok: false, message });

/** Finds the field an item names; contacts may also name it by `index` or `label`. */
function resolve(
  fields: BooksCustomField[],
  item: Record<string, unknown>,
  byIndexOrLabel: boolean,
): BooksCustomField | undefined {
  // A customfield_id sent as a JSON number above 2^53 has already lost digits; it then matches nothing.
  if (item.customfield_id !== undefined)
    return fields.find((f) => f.customfield_id === String(item.customfield_id));
  if (typeof item.api_name === "string") return fields.find((f) => f.api_name === item.api_name);
  if (byIndexOrLabel && item.index !== undefined) return fields.find((f) => f.index === Number(item.index));
  if (byIndexOrLabel && typeof item.label === "string") return fields.find((f) => f.label === item.label);
  return undefined;
}

/** The stored value for `raw`, or the reason Books refuses it. */
function checkValue(field: BooksCustomField, raw: unknown): { value: unknown } | { error: string } {
  const label = field.label;
  const invalid = { error: `Invalid value passed for ${label}` };
  if (TEXT.has(field.data_type)) {
    if (typeof raw !== "string" && typeof raw !== "number") return invalid;
    const text = String(raw);
    const max = field.value_length ?? DEFAULT_LENGTH[field.data_type] ?? 255;
    if (text.length > max) return { error: `${label} cannot be more than ${max} characters.` };
    if (field.data_type === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text)) return invalid;
    if (field.data_type === "url" && !/^https?:\/\/\S+$/.test(text)) return invalid;
    return { value: text };
  }
  if (field.data_type === "dropdown") {
    const option = (field.values ?? []).find((v) => v.name === raw);
    return option?.is_active ? { value: option.name } : invalid;
  }
  if (field.data_type === "number") {
    const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    return typeof n === "number" && Number.isInteger(n) ? { value: n } : invalid;
  }
  if (NUMERIC.has(field.data_type)) {
    const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof n !== "number" || !Number.isFinite(n)) return invalid;
    const precision = field.decimal_precision ?? 2;
    const decimals = (String(raw).split(".")[1] ?? "").length;
    if (decimals > precision) return { error: `${label} cannot have more than ${precision} decimal places.` };
    return { value: n };
  }
  if (field.data_type === "date") {
    const ok = typeof raw === "string" && /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw));
    return ok ? { value: raw } : invalid;
  }
  if (field.data_type === "check_box") {
    if (typeof raw === "boolean") return { value: raw };
    return raw === "true" || raw === "false" ? { value: raw === "true" } : invalid;
  }
  return invalid;
}

/**
 * Checks a write's custom-field items; on success returns the values to store by `customfield_id` (`""` clears).
 * `byIndexOrLabel` is the contact write's format (notes §2.4).
 */
export function checkCustomFields(
  org: BooksOrg,
  module: BooksModule,
  items: unknown,
  byIndexOrLabel: boolean,
): CustomFieldCheck {
  if (!Array.isArray(items)) return fail("Invalid value passed for custom_fields");
  const fields = fieldsOf(org, module);
  const values: Record<string, unknown> = {};
  for (const item of items) {
    if (!item || typeof item !== "object") return fail("Invalid value passed for custom_fields");
    const entry = item as Record<string, unknown>;
    const field = resolve(fields, entry, byIndexOrLabel);
    if (!field) {
      const named = entry.customfield_id ?? entry.api_name ?? entry.index ?? entry.label;
      return fail(`Invalid value passed for customfield_id${named !== undefined ? ` ${String(named)}` : ""}`);
    }
    if (!field.is_active) return fail(`The custom field ${field.label} is inactive.`);
    if (READ_ONLY.has(field.data_type)) return fail(`${field.label} cannot be edited.`);
    const raw = entry.value;
    if (raw === undefined || raw === null || raw === "") {
      if (field.is_mandatory) return fail(`Please enter a value for ${field.label}.`);
      values[field.customfield_id] = "";
      continue;
    }
    const checked = checkValue(field, raw);
    if ("error" in checked) return fail(checked.error);
    values[field.customfield_id] = checked.value;
  }
  return { ok: true, values };
}

/** Writes custom values (`""` removes one) into a record's store. */
export function applyCustom(target: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [id, value] of Object.entries(values)) {
    if (value === "") delete target[id];
    else target[id] = value;
  }
}
