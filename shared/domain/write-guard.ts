/**
 * The write guard between GPT and Zoho. Every proposed value is checked against Zoho's live field metadata and the
 * use case's allow-list: the field must exist, be writable and allowed; the value must have the field's type and
 * fit its length; a restricted picklist value must be one of Zoho's (a case or near match is mapped to Zoho's
 * spelling, anything else is rejected). `guardWrite` is all or nothing: a single problem rejects the whole write;
 * `guardPartial` leaves out the values of fields a use case may drop and writes the rest.
 */

import type { ZohoField } from "./zoho-field.js";

export type GuardResult =
  | { ok: true; fields: Record<string, unknown>; mapped: { field: string; from: string; to: string }[] }
  | { ok: false; problems: { field: string; reason: string }[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const norm = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/** Zoho's spelling of a picklist value: exact, then case/punctuation-insensitive, then one unique near match. */
export function matchPicklist(value: string, options: string[]): string | undefined {
  const usable = options.filter((o) => o !== "-None-");
  if (usable.includes(value)) return value;
  const n = norm(value);
  const loose = usable.filter((o) => norm(o) === n);
  if (loose.length === 1) return loose[0];
  if (n.length < 4) return undefined;
  const scored = usable
    .map((o) => ({ o, d: levenshtein(norm(o), n) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d);
  if (scored.length === 0 || (scored.length > 1 && scored[0]?.d === scored[1]?.d)) return undefined;
  return scored[0]?.o;
}

/** Zoho's datetime form: `2026-11-25T10:15:02+00:00`. */
const zohoDateTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00");

function check(
  field: ZohoField,
  value: unknown,
): { value: unknown; mappedFrom?: string } | { reason: string } {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  switch (field.type) {
    case "text":
    case "textarea":
    case "phone":
    case "website":
    case "email": {
      const s = str(value);
      if (s === undefined) return { reason: `expected text, got ${typeof value}` };
      if (field.length !== undefined && s.length > field.length)
        return { reason: `longer than ${field.length} characters` };
      if (field.type === "email" && s !== "" && !EMAIL.test(s)) return { reason: "not an email address" };
      return { value: s };
    }
    case "integer": {
      const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
      return typeof n === "number" && Number.isInteger(n) && Math.abs(n) <= 2_147_483_647
        ? { value: n }
        : { reason: "expected a whole number" };
    }
    case "double": {
      const n =
        typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
          ? Number(value)
          : value;
      return typeof n === "number" && Number.isFinite(n) ? { value: n } : { reason: "expected a number" };
    }
    case "boolean":
      return typeof value === "boolean" ? { value } : { reason: "expected true or false" };
    case "date":
      return typeof value === "string" &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? { value }
        : { reason: "expected a date YYYY-MM-DD" };
    case "datetime": {
      const d = typeof value === "string" ? new Date(value) : value instanceof Date ? value : undefined;
      return d && !Number.isNaN(d.getTime())
        ? { value: zohoDateTime(d) }
        : { reason: "expected a date and time" };
    }
    case "picklist": {
      const s = str(value);
      if (s === undefined) return { reason: "expected a picklist value" };
      const match = matchPicklist(s, field.picklist ?? []);
      if (!match) return { reason: `"${s.slice(0, 60)}" is not one of the field's picklist values` };
      return match === s ? { value: s } : { value: match, mappedFrom: s };
    }
    case "multiselectpicklist": {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
        return { reason: "expected a list of picklist values" };
      const out: string[] = [];
      for (const v of value as string[]) {
        const match = matchPicklist(v, field.picklist ?? []);
        if (!match) return { reason: `"${v.slice(0, 60)}" is not one of the field's picklist values` };
        out.push(match);
      }
      return { value: out };
    }
    default:
      return { reason: `fields of this type are not written by AI` };
  }
}

/** Checks a proposed write; `null` or `undefined` values mean "no proposal" and are dropped, not written. */
export function guardWrite(
  proposed: Record<string, unknown>,
  fields: ZohoField[],
  allowList: readonly string[],
): GuardResult {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const problems: { field: string; reason: string }[] = [];
  const out: Record<string, unknown> = {};
  const mapped: { field: string; from: string; to: string }[] = [];
  for (const [name, value] of Object.entries(proposed)) {
    if (value === null || value === undefined) continue;
    if (!allowList.includes(name)) {
      problems.push({ field: name, reason: "not on this use case's allow-list" });
      continue;
    }
    const field = byName.get(name);
    if (!field) {
      problems.push({ field: name, reason: "no such field in Zoho" });
      continue;
    }
    if (field.readOnly) {
      problems.push({ field: name, reason: "read-only in Zoho" });
      continue;
    }
    const result = check(field, value);
    if ("reason" in result) problems.push({ field: name, reason: result.reason });
    else {
      out[name] = result.value;
      if (result.mappedFrom !== undefined)
        mapped.push({ field: name, from: result.mappedFrom, to: String(result.value) });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, fields: out, mapped };
}

/** A guarded write, and the values left out of it because Zoho would reject them (partial writes). */
export type PartialGuardResult =
  | (Extract<GuardResult, { ok: true }> & { dropped: { field: string; reason: string }[] })
  | Extract<GuardResult, { ok: false }>;

/**
 * The write guard with partial writes: when every rejected value belongs to a field the use case may drop, the
 * other values are written without them; otherwise the whole write is refused, as guardWrite does.
 */
export function guardPartial(
  proposed: Record<string, unknown>,
  fields: ZohoField[],
  allowList: readonly string[],
  droppable: readonly string[] = [],
): PartialGuardResult {
  const first = guardWrite(proposed, fields, allowList);
  if (first.ok) return { ...first, dropped: [] };
  if (!first.problems.every((p) => droppable.includes(p.field))) return first;
  const rejected = new Set(first.problems.map((p) => p.field));
  const rest = guardWrite(
    Object.fromEntries(Object.entries(proposed).filter(([k]) => !rejected.has(k))),
    fields,
    allowList,
  );
  // Nothing left worth writing is no partial write.
  if (!rest.ok || Object.keys(rest.fields).length === 0) return first;
  return { ...rest, dropped: first.problems };
}
