/**
 * Creator writes (checklist items 7, 8, 9, 10, 15): update by ID, bulk update by `criteria` (200 at most per call,
 * code 3960 beyond unless `process_until_limit`), and add to a form (one record or up to 200). Each write is checked
 * against the form's fields (validation.ts), honours `skip_workflow` (workflow.ts), and is logged for inspection
 * with its `skip_workflow` value.
 */
import { json, type Reply } from "../state.js";
import type { CreatorCall } from "./call.js";
import { CriteriaError, compileCriteria } from "./criteria.js";
import { creatorError, INVALID_PARAM, isReply, MISSING_BODY, NO_RECORD, NO_RECORDS } from "./replies.js";
import type { CreatorFormSpec, CreatorReportSpec, CreatorRow } from "./types.js";
import { type FieldError, validateWrite } from "./validation.js";
import { RecordView } from "./values.js";
import { parseSkipWorkflow, runWorkflows } from "./workflow.js";

const MAX_PER_CALL = 200;
type Body = { data?: unknown; skip_workflow?: unknown; result?: { fields?: unknown }; criteria?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The parts every write shares: the body, its `skip_workflow`, or the reply refusing them. */
function parse(call: CreatorCall): { body: Body; skip: string[] | null } | Reply {
  if (!isObject(call.body)) return MISSING_BODY();
  const body = call.body as Body;
  const skip = parseSkipWorkflow(body.skip_workflow);
  if (skip === undefined) {
    const { creatorSkipWorkflowErrorStatus: status, creatorSkipWorkflowErrorCode: code } = call.ctx.options;
    return creatorError(status, code, "Invalid request parameter found - skip_workflow");
  }
  return { body, skip };
}

/** The validation failure's `error`: messages, or field → message (`creatorValidationErrorDetail`). */
function detail(call: CreatorCall, errors: FieldError[]): unknown {
  return call.ctx.options.creatorValidationErrorDetail === "map"
    ? Object.fromEntries(errors.map((e) => [e.field, e.message]))
    : errors.map((e) => e.message);
}

/** A record's failure: the first field error's own code (8011, 8012, 3002) or 3070 "Data validation failure". */
function failure(call: CreatorCall, errors: FieldError[]): { code: number; message: string; error: unknown } {
  const specific = errors.find((e) => e.code !== 3070);
  if (specific) return { code: specific.code, message: specific.message, error: detail(call, errors) };
  return {
    code: 3070,
    message: `Data validation failure: [${errors.map((e) => e.message).join(", ")}]`,
    error: detail(call, errors),
  };
}

/** A single write's failure, at the top level or as a `result` entry (`creatorValidationErrorPlacement`). */
function singleFailure(call: CreatorCall, errors: FieldError[], id?: string): Reply {
  const f = failure(call, errors);
  if (call.ctx.options.creatorValidationErrorPlacement === "top-level") return json(200, f);
  return json(200, { code: f.code, result: [{ ...f, ...(id ? { data: { ID: id } } : {}) }] });
}

/** A failed record inside a bulk `result`. */
const bulkFailure = (call: CreatorCall, errors: FieldError[], id?: string) => ({
  code: call.ctx.options.creatorBulkFailureCode,
  ...(id ? { data: { ID: id } } : {}),
  error: detail(call, errors),
  message: failure(call, errors).message,
});

/** `data` of a success: the ID and the fields `result.fields` asks for. */
function echo(
  call: CreatorCall,
  form: CreatorFormSpec,
  row: CreatorRow,
  body: Body,
): Record<string, unknown> {
  const wanted = Array.isArray(body.result?.fields) ? body.result.fields.map(String) : [];
  if (!wanted.length) return { ID: row.ID };
  return new RecordView(call.app, call.env).record(form, row, wanted);
}

function log(
  call: CreatorCall,
  form: string,
  operation: string,
  rows: CreatorRow[],
  skip: string[] | null,
  fields: string[],
) {
  const { ctx, app } = call;
  ctx.inspector.write({
    time: ctx.clock.stamp(),
    service: "creator",
    module: `${app.owner}/${app.link_name}/${form}`,
    operation,
    ids: rows.map((r) => r.ID),
    trigger: null,
    skip_workflow: skip,
    source: call.source,
    ...(call.clientId ? { client_id: call.clientId } : {}),
    fields: rows.map(() => fields),
  });
  const counts = ctx.inspector.creator;
  counts.writes += 1;
  const key = skip === null ? "absent" : skip.length ? [...skip].sort().join(",") : "[]";
  counts.skip_workflow[key] = (counts.skip_workflow[key] ?? 0) + 1;
}

/** Validates and applies `data` to one record; the errors, or the updated record with its hooks run. */
function applyUpdate(
  call: CreatorCall,
  form: CreatorFormSpec,
  row: CreatorRow,
  data: Record<string, unknown>,
  skip: string[] | null,
) {
  const { values, errors } = validateWrite({
    ...call,
    form,
    data,
    mode: "update",
    row,
    options: call.ctx.options,
  });
  if (errors.length) return { errors };
  call.creator.update(row, values, form);
  return {
    row,
    run: () =>
      runWorkflows(call.ctx, call.creator, { ...call, form: form.link_name, row, operation: "edit", skip }),
  };
}

/** `PATCH .../report/<report>/<ID>`. */
export function updateById(call: CreatorCall, report: CreatorReportSpec, id: string): Reply {
  const parsed = parse(call);
  if (isReply(parsed)) return parsed;
  const { body, skip } = parsed;
  if (!isObject(body.data)) return MISSING_BODY();
  const form = call.creator.form(call.app, report.form) as CreatorFormSpec;
  const row = call.creator.table(call.app, call.env, form.link_name).get(id);
  if (!row) return NO_RECORD(call.ctx.options.creatorRecordNotFoundStatus, id);
  const done = applyUpdate(call, form, row, body.data, skip);
  if ("errors" in done) return singleFailure(call, done.errors, id);
  log(call, form.link_name, "update", [row], skip, Object.keys(body.data));
  done.run();
  return json(200, { code: 3000, data: echo(call, form, row, body), message: "Data Updated Successfully!" });
}

/** `PATCH .../report/<report>` with `criteria`: at most 200 records per call. */
export function updateByCriteria(call: CreatorCall, report: CreatorReportSpec): Reply {
  const parsed = parse(call);
  if (isReply(parsed)) return parsed;
  const { body, skip } = parsed;
  if (!isObject(body.data) || typeof body.criteria !== "string" || !body.criteria) return MISSING_BODY();
  const data = body.data;
  const form = call.creator.form(call.app, report.form) as CreatorFormSpec;
  let matches: (row: CreatorRow) => boolean;
  try {
    matches = compileCriteria(body.criteria, form, call.app, call.env);
  } catch (error) {
    if (error instanceof CriteriaError) return INVALID_PARAM("criteria");
    throw error;
  }
  const rows = [...call.creator.table(call.app, call.env, form.link_name).values()].filter(matches);
  if (!rows.length) return NO_RECORDS(call.ctx.options.creatorNoRecordsStatus);
  const untilLimit =
    call.query.process_until_limit === "true" ||
    (call.body as { process_until_limit?: unknown }).process_until_limit === true;
  if (rows.length > MAX_PER_CALL && !untilLimit)
    return creatorError(
      200,
      3960,
      'A maximum of 200 records can be processed per request. Include "process_until_limit" to process the first 200 records.',
    );
  const batch = rows.slice(0, MAX_PER_CALL);
  const updated: CreatorRow[] = [];
  const runs: (() => void)[] = [];
  const result = batch.map((row) => {
    const done = applyUpdate(call, form, row, data, skip);
    if ("errors" in done) return bulkFailure(call, done.errors, row.ID);
    updated.push(row);
    runs.push(done.run);
    return { code: 3000, data: echo(call, form, row, body), message: "Data Updated Successfully!" };
  });
  if (updated.length) log(call, form.link_name, "bulk_update", updated, skip, Object.keys(data));
  for (const run of runs) run();
  return json(200, {
    code: 3000,
    result,
    ...(untilLimit ? { more_records: rows.length > MAX_PER_CALL } : {}),
  });
}

/** `POST .../form/<form>`: one record (`data` an object) or several (`data` a list of up to 200). */
export function addRecords(call: CreatorCall, form: CreatorFormSpec): Reply {
  const parsed = parse(call);
  if (isReply(parsed)) return parsed;
  const { body, skip } = parsed;
  const many = Array.isArray(body.data);
  const inputs = many ? (body.data as unknown[]) : [body.data];
  if (!inputs.length || !inputs.every(isObject)) return MISSING_BODY();
  if (inputs.length > MAX_PER_CALL)
    return creatorError(200, 3950, "A maximum of 200 records can be added per request.");
  const added: CreatorRow[] = [];
  const result = inputs.map((data) => {
    const { values, errors } = validateWrite({ ...call, form, data, mode: "add", options: call.ctx.options });
    if (errors.length) return { errors };
    const row = call.creator.insert(call.app, call.env, form.link_name, values);
    added.push(row);
    return { row };
  });
  if (added.length)
    log(call, form.link_name, "add", added, skip, [...new Set(inputs.flatMap((d) => Object.keys(d)))]);
  for (const row of added)
    runWorkflows(call.ctx, call.creator, { ...call, form: form.link_name, row, operation: "create", skip });
  const success = (row: CreatorRow) => ({
    code: 3000,
    data: echo(call, form, row, body),
    message: "Data Added Successfully!",
  });
  if (!many) {
    const only = result[0];
    return only && "row" in only && only.row
      ? json(200, success(only.row))
      : singleFailure(call, (only as { errors: FieldError[] }).errors);
  }
  return json(200, {
    code: 3000,
    result: result.map((r) =>
      "row" in r && r.row ? success(r.row) : bulkFailure(call, (r as { errors: FieldError[] }).errors),
    ),
  });
}
