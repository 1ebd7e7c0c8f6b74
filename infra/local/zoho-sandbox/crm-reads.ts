/**
 * What every CRM read shares: the `fields` parameter, projection, and paging with Zoho's `info` block (per_page at
 * most 200, 204 with an empty body when a page is empty; checklist item 14).
 */
import type { ModuleMeta } from "./metadata.js";
import type { Row } from "./query.js";
import { crmError, json, type Reply } from "./state.js";

const MAX_PER_PAGE = 200;
const MAX_FIELDS = 50;

/** INVALID_MODULE for a module named in the path. */
export const invalidModule = (): Reply =>
  crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", { resource_path_index: 0 });

/** The `fields` query parameter as a list, or `undefined` when absent. */
export const fieldList = (query: Record<string, string>): string[] | undefined =>
  query.fields ? query.fields.split(",") : undefined;

/** The record with only `id` and the fields asked for (all of it when none are). */
export function project(record: Row, fields?: string[]): Row {
  if (!fields) return record;
  const out: Row = { id: record.id };
  for (const f of fields) if (f in record) out[f] = record[f];
  return out;
}

/** One page of `rows` (`page`, `per_page`, `sort_by`, `sort_order`), projected, with Zoho's `info`; 204 when empty. */
export function page(rows: Row[], query: Record<string, string>, fields?: string[]): Reply {
  const perPage = Number(query.per_page ?? MAX_PER_PAGE);
  const page = Number(query.page ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    return crmError(400, "INVALID_DATA", "invalid data", {
      param_name: "per_page",
      maximum_value: MAX_PER_PAGE,
    });
  }
  if (!Number.isInteger(page) || page < 1)
    return crmError(400, "INVALID_DATA", "invalid data", { param_name: "page" });
  const sortBy = query.sort_by ?? "id";
  const desc = (query.sort_order ?? "desc") === "desc";
  const sorted = [...rows].sort((a, b) => {
    const x = String(a[sortBy] ?? "");
    const y = String(b[sortBy] ?? "");
    return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
  });
  const slice = sorted.slice((page - 1) * perPage, page * perPage);
  // GET with nothing to return answers 204 with an empty body.
  if (slice.length === 0) return { status: 204 };
  return json(200, {
    data: slice.map((r) => project(r, fields)),
    info: {
      per_page: perPage,
      count: slice.length,
      page,
      sort_by: sortBy,
      sort_order: desc ? "desc" : "asc",
      more_records: page * perPage < sorted.length,
      next_page_token: null,
      previous_page_token: null,
      page_token_expiry: null,
    },
  });
}

/** The list call's mandatory `fields` (at most 50, each a field of the module), or the error Zoho answers. */
export function fieldsParam(module: ModuleMeta, query: Record<string, string>): string[] | Reply {
  if (!query.fields)
    return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
      param_name: "fields",
    });
  const fields = query.fields
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.length > MAX_FIELDS)
    return crmError(400, "LIMIT_EXCEEDED", `fields must not exceed ${MAX_FIELDS}`, {
      param_name: "fields",
      limit: MAX_FIELDS,
    });
  const known = new Set(module.fields.map((f) => f.api_name));
  const unknown = fields.find((f) => f !== "id" && !known.has(f));
  if (unknown)
    return crmError(400, "INVALID_DATA", "invalid data", { param_name: "fields", api_name: unknown });
  return fields;
}
