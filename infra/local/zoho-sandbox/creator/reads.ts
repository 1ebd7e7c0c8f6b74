/**
 * Creator reads (checklist items 4, 5, 11, 12): a report's records with `criteria`, `max_records` (200, 500 or
 * 1000; default 200), `field_config` and `fields`, paged by the `record_cursor` response and request header; one
 * record by ID; the `text/csv` form of both; and a form's fields (the meta API).
 */
import { json, type Reply } from "../state.js";
import type { CreatorCall } from "./call.js";
import { CriteriaError, compileCriteria } from "./criteria.js";
import { INVALID_PARAM, isReply, NO_RECORD, NO_RECORDS } from "./replies.js";
import { type CreatorFormSpec, type CreatorReportSpec, type CreatorRow, TYPE_CODES } from "./types.js";
import { RecordView, toCsv } from "./values.js";

const MAX_RECORDS = new Set(["200", "500", "1000"]);
const FIELD_CONFIGS = new Set(["quick_view", "detail_view", "custom", "all"]);
const SYSTEM_FIELDS = ["Added_Time", "Modified_Time"];

/** The fields a `field_config` shows (undefined: every field), or the reply refusing the parameters. */
function fieldsFor(
  call: CreatorCall,
  report: CreatorReportSpec,
  form: CreatorFormSpec,
  fallback: "quick_view" | "detail_view" | "all",
): string[] | undefined | Reply {
  const config = call.query.field_config ?? fallback;
  if (!FIELD_CONFIGS.has(config)) return INVALID_PARAM("field_config");
  if (config === "quick_view") return report.quick_view;
  if (config !== "custom") return undefined;
  const names = (call.query.fields ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const known = (n: string) => SYSTEM_FIELDS.includes(n) || form.fields.some((f) => f.link_name === n);
  if (!names.length || !names.every(known)) return INVALID_PARAM("fields");
  return names;
}

function answer(
  call: CreatorCall,
  data: Record<string, unknown>[],
  headers: Record<string, string> = {},
): Reply {
  if (call.csv) return json(200, toCsv(data), { ...headers, "content-type": "text/csv;charset=UTF-8" });
  return json(200, { code: 3000, data }, headers);
}

/** `GET .../report/<report>`: the first `max_records` matches in report order, then the rest by `record_cursor`. */
export function listRecords(call: CreatorCall, report: CreatorReportSpec): Reply {
  const { creator, app, env, query, ctx } = call;
  const form = creator.form(app, report.form) as CreatorFormSpec;
  const max = query.max_records ?? "200";
  if (!MAX_RECORDS.has(max)) return INVALID_PARAM("max_records");
  const fields = fieldsFor(call, report, form, ctx.options.creatorDefaultFieldConfig);
  if (isReply(fields)) return fields;
  let matches: (row: CreatorRow) => boolean = () => true;
  if (query.criteria) {
    try {
      matches = compileCriteria(query.criteria, form, app, env);
    } catch (error) {
      if (error instanceof CriteriaError) return INVALID_PARAM("criteria");
      throw error;
    }
  }
  const key = [
    app.owner,
    app.link_name,
    env,
    report.link_name,
    query.criteria ?? "",
    max,
    query.field_config ?? "",
    query.fields ?? "",
  ].join("\u0000");
  const sent = call.headers.record_cursor;
  let offset = 0;
  if (typeof sent === "string") {
    const cursor = creator.takeCursor(sent);
    if (!cursor || cursor.key !== key) return INVALID_PARAM("record_cursor");
    offset = cursor.offset;
  }
  const rows = [...creator.table(app, env, form.link_name).values()].filter(matches);
  const page = rows.slice(offset, offset + Number(max));
  if (!page.length) return NO_RECORDS(ctx.options.creatorNoRecordsStatus);
  const view = new RecordView(app, env);
  const more = offset + page.length < rows.length;
  const headers = more ? { record_cursor: creator.saveCursor({ key, offset: offset + page.length }) } : {};
  return answer(
    call,
    page.map((row) => view.record(form, row, fields)),
    headers,
  );
}

/** `GET .../report/<report>/<ID>`: the record's detail view, or code 3190. */
export function getRecord(call: CreatorCall, report: CreatorReportSpec, id: string): Reply {
  const { creator, app, env, ctx } = call;
  const form = creator.form(app, report.form) as CreatorFormSpec;
  const fields = fieldsFor(call, report, form, "detail_view");
  if (isReply(fields)) return fields;
  const row = creator.table(app, env, form.link_name).get(id);
  if (!row) return NO_RECORD(ctx.options.creatorRecordNotFoundStatus, id);
  const record = new RecordView(app, env).record(form, row, fields);
  return call.csv ? answer(call, [record]) : json(200, { code: 3000, data: record });
}

/** `GET /creator/v2.1/meta/<owner>/<app>/form/<form>/fields`: link and display names, type codes, limits, choices. */
export function formFields(call: CreatorCall, form: CreatorFormSpec): Reply {
  const shape = call.ctx.options.creatorMetaChoices;
  const fields = form.fields.map((f) => {
    const meta: Record<string, unknown> = {
      link_name: f.link_name,
      display_name: f.display_name,
      type: TYPE_CODES[f.kind],
      mandatory: f.mandatory ?? false,
      unique: f.unique ?? false,
    };
    if (f.max_char !== undefined) meta.max_char = f.max_char;
    else if (["single_line", "email", "url"].includes(f.kind)) meta.max_char = 255;
    if (f.choices && shape !== "none")
      meta.choices = shape === "strings" ? f.choices : f.choices.map((c) => ({ display_value: c, value: c }));
    return meta;
  });
  return json(200, { code: 3000, fields });
}
