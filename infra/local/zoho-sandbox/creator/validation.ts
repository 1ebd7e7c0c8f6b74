/**
 * Writes checked against a form's field metadata (checklist item 10), turning v2.1 input into stored values:
 * text within `max_char` (255 by default for single line, email and URL), e-mail and URL shapes, dropdown and
 * multi-select choices, mandatory fields never empty, auto number, formula and system fields never written,
 * lookups naming an existing record, dates in the app's format, and decimals with 8011 (too many digits before the
 * point), 8012 (not a decimal, or too many places) and 3002 (a fraction for a 0-place field; configurable).
 */
import { parseDate, parseDateTime } from "./dates.js";
import type { CreatorOptions } from "./options.js";
import type { CreatorApp, CreatorEnv, CreatorFieldSpec, CreatorFormSpec, CreatorRow } from "./types.js";

export interface FieldError {
  field: string;
  code: number;
  message: string;
}

export interface WriteCheck {
  app: CreatorApp;
  env: CreatorEnv;
  form: CreatorFormSpec;
  data: Record<string, unknown>;
  mode: "add" | "update";
  /** The record being updated (unique checks skip it). */
  row?: CreatorRow;
  options: CreatorOptions;
}

const SYSTEM = new Set(["ID", "Added_Time", "Modified_Time", "Added_User", "Modified_User"]);
const TEXT = new Set(["single_line", "multi_line", "rich_text", "email", "url"]);
const DECIMAL = new Set(["decimal", "percent", "currency"]);
const LISTS = new Set(["multi_select", "checkbox", "multi_lookup", "subform"]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Coerced = { value: unknown } | { error: FieldError };
const fail = (field: string, message: string, code = 3070): Coerced => ({ error: { field, code, message } });
const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

function text(f: CreatorFieldSpec, v: unknown): Coerced {
  if (typeof v !== "string" && typeof v !== "number")
    return fail(f.link_name, `Enter a valid value for '${f.link_name}'`);
  const s = String(v);
  const max = f.max_char ?? (f.kind === "multi_line" || f.kind === "rich_text" ? undefined : 255);
  if (max !== undefined && s.length > max)
    return fail(f.link_name, `'${f.link_name}' can contain a maximum of ${max} characters.`);
  if (f.kind === "email" && !EMAIL.test(s))
    return fail(f.link_name, `Enter a valid email address for '${f.link_name}'`);
  if (f.kind === "url" && !/^https?:\/\/\S+$/.test(s))
    return fail(f.link_name, `Enter a valid URL for '${f.link_name}'`);
  return { value: s };
}

function decimal(f: CreatorFieldSpec, v: unknown, options: CreatorOptions): Coerced {
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : "";
  const formatError = () =>
    fail(f.link_name, "Input format does not match the required format for the field", 8012);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return formatError();
  const [, sign = "", int = "", frac = ""] = m;
  const places = f.decimals ?? 2;
  if (f.kind === "number" && frac) return formatError();
  if (f.max_digits !== undefined && int.replace(/^0+(?=\d)/, "").length > f.max_digits)
    return fail(f.link_name, `'${f.link_name}' has exceeded its maximum digits.`, 8011);
  if (places === 0 && frac && Number(frac) !== 0 && f.kind !== "number")
    return fail(
      f.link_name,
      `'${f.link_name}' does not accept decimal values.`,
      options.creatorZeroDecimalFractionCode,
    );
  if (frac.replace(/0+$/, "").length > places) {
    if (options.creatorDecimalExcessPlaces === "reject") return formatError();
    return { value: Number(s).toFixed(places) };
  }
  return { value: `${sign}${int}${frac.replace(/0+$/, "") ? `.${frac.replace(/0+$/, "")}` : ""}` };
}

function choice(f: CreatorFieldSpec, v: unknown): Coerced {
  const ok = (c: unknown) => typeof c === "string" && (f.choices ?? []).includes(c);
  if (f.kind === "dropdown" || f.kind === "radio")
    return ok(v)
      ? { value: v }
      : fail(f.link_name, `'${String(v)}' is not a valid choice for '${f.link_name}'`);
  if (!Array.isArray(v)) return fail(f.link_name, `'${f.link_name}' takes a list of choices`);
  const bad = v.find((c) => !ok(c));
  return bad === undefined
    ? { value: [...v] }
    : fail(f.link_name, `'${String(bad)}' is not a valid choice for '${f.link_name}'`);
}

/** One field's input as a stored value, or why it cannot be one. */
function coerce(check: WriteCheck, f: CreatorFieldSpec, v: unknown): Coerced {
  const { app, env, options } = check;
  if (TEXT.has(f.kind)) return text(f, v);
  if (DECIMAL.has(f.kind) || f.kind === "number") return decimal(f, v, options);
  switch (f.kind) {
    case "dropdown":
    case "radio":
    case "multi_select":
    case "checkbox":
      return choice(f, v);
    case "decision":
      if (v === true || v === "true") return { value: true };
      if (v === false || v === "false") return { value: false };
      return fail(f.link_name, `Enter true or false for '${f.link_name}'`);
    case "date": {
      const day = typeof v === "string" ? parseDate(v, app.date_format) : undefined;
      return day
        ? { value: day }
        : fail(f.link_name, `Enter a valid date for '${f.link_name}' (${app.date_format})`);
    }
    case "datetime": {
      const at = typeof v === "string" ? parseDateTime(v, app) : undefined;
      return at !== undefined
        ? { value: at }
        : fail(
            f.link_name,
            `Enter a valid date-time for '${f.link_name}' (${app.date_format} ${app.time_format})`,
          );
    }
    case "lookup":
    case "multi_lookup": {
      const ids = f.kind === "lookup" ? [v] : Array.isArray(v) ? v : [undefined];
      const target = app.data[env][f.lookup?.form ?? ""];
      const bad = ids.find((id) => typeof id !== "string" || !target?.has(id));
      if (bad !== undefined || ids.some((id) => typeof id !== "string"))
        return fail(f.link_name, `Invalid lookup value ${JSON.stringify(bad ?? null)} for '${f.link_name}'`);
      return { value: f.kind === "lookup" ? v : [...ids] };
    }
    case "subform":
      return subform(check, f, v);
    default:
      return fail(f.link_name, `'${f.link_name}' cannot be written: Creator computes it.`);
  }
}

/** Subform rows: each row's fields checked like a form's; a row keeps its `ID` when it sends one. */
function subform(check: WriteCheck, f: CreatorFieldSpec, v: unknown): Coerced {
  if (!Array.isArray(v)) return fail(f.link_name, `'${f.link_name}' takes a list of rows`);
  const rows: Record<string, unknown>[] = [];
  for (const input of v) {
    if (!input || typeof input !== "object")
      return fail(f.link_name, `'${f.link_name}' takes a list of rows`);
    const row: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      if (key === "ID") {
        row.ID = value;
        continue;
      }
      const sub = f.subform?.find((s) => s.link_name === key);
      if (!sub) return fail(`${f.link_name}.${key}`, `'${f.link_name}.${key}' is not a field of the subform`);
      const out = isEmpty(value) ? { value: null } : coerce(check, sub, value);
      if ("error" in out) return { error: { ...out.error, field: `${f.link_name}.${out.error.field}` } };
      row[key] = out.value;
    }
    rows.push(row);
  }
  return { value: rows };
}

/** Checks a write; `values` holds what may be stored when `errors` is empty. */
export function validateWrite(check: WriteCheck): { values: Record<string, unknown>; errors: FieldError[] } {
  const { form, data, mode, options } = check;
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(data)) {
    const f = form.fields.find((x) => x.link_name === key);
    if (SYSTEM.has(key)) {
      errors.push({ field: key, code: 3070, message: `'${key}' is a system field and cannot be written.` });
      continue;
    }
    if (!f) {
      if (options.creatorUnknownField === "reject")
        errors.push({ field: key, code: 3070, message: `'${key}' is not a field of ${form.link_name}.` });
      continue;
    }
    if (isEmpty(value) && f.kind !== "auto_number" && f.kind !== "formula") {
      if (f.mandatory) errors.push({ field: key, code: 3070, message: `'${key}' cannot be empty.` });
      else values[key] = LISTS.has(f.kind) ? [] : f.kind === "decision" ? false : null;
      continue;
    }
    const out = coerce(check, f, value);
    if ("error" in out) errors.push(out.error);
    else values[key] = out.value;
  }
  if (mode === "add")
    for (const f of form.fields)
      if (f.mandatory && !(f.link_name in data))
        errors.push({ field: f.link_name, code: 3070, message: `'${f.link_name}' cannot be empty.` });
  for (const f of form.fields) {
    const value = values[f.link_name];
    if (!f.unique || isEmpty(value)) continue;
    const table = check.app.data[check.env][form.link_name];
    const clash = [...(table?.values() ?? [])].some(
      (r) => r.ID !== check.row?.ID && r[f.link_name] === value,
    );
    if (clash)
      errors.push({
        field: f.link_name,
        code: 3070,
        message: `'${String(value)}' already exists for '${f.link_name}'.`,
      });
  }
  return { values, errors };
}
