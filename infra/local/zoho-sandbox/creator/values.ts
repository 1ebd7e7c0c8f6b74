/**
 * Records as v2.1 serves them (checklist item 5): multi select and checkbox as lists; a lookup as
 * `{<display field>: value, ID, zc_display_value}` and a multi lookup as a list of those; a subform as rows with
 * their `ID` and `zc_display_value`; decimals, percent and currency as strings with the field's places; dates and
 * date-times in the app's formats; an empty value as `""`. Also the `text/csv` form of a list.
 */
import { formatDate, formatDateTime } from "./dates.js";
import type { CreatorApp, CreatorEnv, CreatorFieldSpec, CreatorFormSpec, CreatorRow } from "./types.js";

const DECIMAL_KINDS = new Set(["decimal", "percent", "currency"]);

/** A decimal string (`"0.8"`) with exactly `places` digits after the point, without going through a double. */
export function withPlaces(value: string, places: number): string {
  const negative = value.startsWith("-");
  const [int = "0", frac = ""] = value.replace(/^-/, "").split(".");
  const body = places > 0 ? `${int}.${frac.padEnd(places, "0").slice(0, places)}` : int;
  return negative ? `-${body}` : body;
}

export class RecordView {
  constructor(
    private readonly app: CreatorApp,
    private readonly env: CreatorEnv,
  ) {}

  /** One field's value as v2.1 writes it. */
  value(f: CreatorFieldSpec, value: unknown): unknown {
    const empty = value === undefined || value === null || value === "";
    if (f.kind === "multi_select" || f.kind === "checkbox") return Array.isArray(value) ? value : [];
    if (f.kind === "multi_lookup")
      return Array.isArray(value) ? value.map((id) => this.lookup(f, String(id))).filter(Boolean) : [];
    if (f.kind === "subform")
      return Array.isArray(value)
        ? value.map((row) => this.subformRow(f, row as Record<string, unknown>))
        : [];
    if (f.kind === "decision") return value === true;
    if (empty) return "";
    if (f.kind === "lookup") return this.lookup(f, String(value)) ?? "";
    if (DECIMAL_KINDS.has(f.kind)) return withPlaces(String(value), f.decimals ?? 2);
    if (f.kind === "date") return formatDate(String(value), this.app.date_format);
    if (f.kind === "datetime") return formatDateTime(Number(value), this.app);
    return String(value);
  }

  /** A record with the chosen fields (form order), plus ID and the system times. */
  record(form: CreatorFormSpec, row: CreatorRow, fields?: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { ID: row.ID };
    for (const f of form.fields)
      if (!fields || fields.includes(f.link_name)) out[f.link_name] = this.value(f, row[f.link_name]);
    if (!fields || fields.includes("Added_Time")) out.Added_Time = formatDateTime(row.Added_Time, this.app);
    if (!fields || fields.includes("Modified_Time"))
      out.Modified_Time = formatDateTime(row.Modified_Time, this.app);
    return out;
  }

  /** A lookup's target as v2.1 shows it; undefined when the target is gone. */
  private lookup(f: CreatorFieldSpec, id: string): Record<string, unknown> | undefined {
    const target = f.lookup ? this.app.data[this.env][f.lookup.form]?.get(id) : undefined;
    if (!target || !f.lookup) return undefined;
    const shown = String(target[f.lookup.display] ?? "");
    return { [f.lookup.display]: shown, ID: id, zc_display_value: shown };
  }

  private subformRow(f: CreatorFieldSpec, row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ID: row.ID };
    const shown: string[] = [];
    for (const sub of f.subform ?? []) {
      const v = this.value(sub, row[sub.link_name]);
      out[sub.link_name] = v;
      if (typeof v === "string" && v) shown.push(v);
    }
    out.zc_display_value = shown.join(" ");
    return out;
  }
}

/** A list as `text/csv`: a header of link names, then one line per record, lists joined and lookups shown. */
export function toCsv(records: Record<string, unknown>[]): string {
  const columns = Object.keys(records[0] ?? {});
  const cell = (v: unknown): string => {
    const text = Array.isArray(v)
      ? v
          .map((x) =>
            x && typeof x === "object" ? (x as { zc_display_value?: unknown }).zc_display_value : x,
          )
          .join(", ")
      : v && typeof v === "object"
        ? String((v as { zc_display_value?: unknown }).zc_display_value ?? "")
        : String(v ?? "");
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(","), ...records.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n");
}
