/**
 * The Create Custom Field API (`POST /crm/v8/settings/fields?module=`): validates each requested field against
 * Zoho's creatable types and the configured limits, derives its API name from the label, and adds it to the module's
 * metadata, where record writes enforce it at once.
 */
import type { Crm } from "./crm.js";
import { findModule, type ModuleMeta, toFieldMeta } from "./metadata.js";
import type { Row } from "./query.js";
import { crmError, json, type Reply } from "./state.js";

/**
 * Data types the Create Custom Field API accepts here, with their length range and default. Zoho's list is longer
 * (lookup, formula, autonumber, fileupload, ...: see the OAS `data_type` enum); those are refused with INVALID_DATA on
 * `data_type`, as the OAS 207 example answers an unusable type. Lengths follow Zoho's "Field types: data types and
 * length limits" (text 255, integer 9 digits, decimal/currency 16, percent 5; textarea small/large/rich 2000/32000/50000).
 */
const CREATABLE: Record<string, { max: number; default: number } | undefined> = {
  text: { max: 255, default: 255 },
  textarea: { max: 50_000, default: 2000 },
  email: { max: 100, default: 100 },
  phone: { max: 30, default: 30 },
  website: { max: 255, default: 255 },
  picklist: { max: 120, default: 120 },
  multiselectpicklist: { max: 120, default: 120 },
  integer: { max: 9, default: 9 },
  bigint: { max: 18, default: 18 },
  double: { max: 16, default: 16 },
  currency: { max: 16, default: 16 },
  percent: { max: 5, default: 5 },
  date: { max: 20, default: 20 },
  datetime: { max: 120, default: 120 },
  boolean: { max: 5, default: 5 },
};
const TEXTAREA_SIZES: Record<string, number> = { small: 2000, large: 32_000, rich_text: 50_000 };

/**
 * `POST /crm/v8/settings/fields?module=` (Create Custom Field). Request `{fields:[{field_label, data_type, length?,
 * pick_list_values?, textarea?}]}`; answers per field, in input order, `{code:"SUCCESS", details:{id, api_name},
 * message:"field created", status:"success"}` or an error item, with 201 when all succeed, 207 when mixed and 400
 * when none did (zoho/crm-oas v8.0/fields.json "Create Field": responses 201 CreateSuccessResponse, 400
 * ErrorResponse; examples response-201-fullexample and response-207-partialsuccess). The new field is served by
 * `GET /settings/fields` and enforced on record writes at once. Limits: fields per call (five, as the Update Custom
 * Fields page states), label length, custom fields per module and picklist values are settings (config.ts).
 */
/**
 * The module a settings call names in `?module=`, as Zoho answers when it is missing or unknown (both calls of
 * `settings/fields` take it the same way).
 */
export function moduleParam(
  crm: Crm,
  query: Record<string, string>,
): { module: ModuleMeta } | { error: Reply } {
  if (!query.module)
    return {
      error: crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "module",
      }),
    };
  const module = findModule(crm.modules, query.module);
  if (!module)
    return {
      error: crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        param_name: "module",
      }),
    };
  return { module };
}

export function createFields(crm: Crm, query: Record<string, string>, body: unknown): Reply {
  const named = moduleParam(crm, query);
  if ("error" in named) return named.error;
  const { module } = named;
  const list = (body as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(list) || list.length === 0)
    return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
      param_name: "fields",
    });
  const o = crm.ctx.options;
  if (list.length > o.customFieldsPerCall)
    return crmError(
      400,
      "LIMIT_EXCEEDED",
      `at most ${o.customFieldsPerCall} fields can be created per call`,
      {
        limit: o.customFieldsPerCall,
      },
    );
  const results = list.map((input, i) => createField(crm, module, input, i));
  const ok = results.filter((r) => r.status === "success").length;
  return json(ok === results.length ? 201 : ok === 0 ? 400 : 207, { fields: results });
}

function createField(crm: Crm, module: ModuleMeta, input: unknown, i: number): Row {
  const at = (key: string) => ({ api_name: key, json_path: `$.fields[${i}].${key}` });
  const fail = (code: string, message: string, details: Record<string, unknown>): Row => ({
    code,
    details,
    message,
    status: "error",
  });
  const o = crm.ctx.options;
  const f = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const label = typeof f.field_label === "string" ? f.field_label.trim() : "";
  if (!label) return fail("MANDATORY_NOT_FOUND", "required field not found", at("field_label"));
  if (f.data_type === undefined)
    return fail("MANDATORY_NOT_FOUND", "required field not found", at("data_type"));
  const type = typeof f.data_type === "string" ? f.data_type : "";
  const limits = CREATABLE[type];
  if (!limits) return fail("INVALID_DATA", "invalid data", at("data_type"));
  if (label.length > o.customFieldLabelMaxLength)
    return fail("INVALID_DATA", "invalid data", {
      ...at("field_label"),
      maximum_length: o.customFieldLabelMaxLength,
    });
  // Letters, digits, spaces and a few separators; anything else would make an unusable API name.
  if (!/^[\p{L}\p{N} _\-&()./]+$/u.test(label))
    return fail("INVALID_DATA", "invalid data", at("field_label"));
  // Zoho derives the API name from the label: spaces become underscores, other symbols are dropped.
  const apiName = label
    .replace(/\s+/g, "_")
    .replace(/[^\p{L}\p{N}_]/gu, "")
    .replace(/_+/g, "_");
  const clash = module.fields.find(
    (x) =>
      x.field_label.toLowerCase() === label.toLowerCase() ||
      x.api_name.toLowerCase() === apiName.toLowerCase(),
  );
  if (clash) return fail("DUPLICATE_DATA", "duplicate data", at("field_label"));
  if (module.fields.filter((x) => x.custom_field).length >= o.customFieldsPerModule)
    return fail("LIMIT_EXCEEDED", "custom field limit reached for the module", {
      limit: o.customFieldsPerModule,
      limit_due_to: [at("field_label")],
    });
  let length = limits.default;
  if (type === "textarea") {
    const size = (f.textarea as { type?: unknown } | undefined)?.type;
    if (size !== undefined) {
      const chosen = typeof size === "string" ? TEXTAREA_SIZES[size] : undefined;
      if (!chosen) return fail("INVALID_DATA", "invalid data", at("textarea"));
      length = chosen;
    }
  }
  if (f.length !== undefined) {
    if (typeof f.length !== "number" || !Number.isInteger(f.length) || f.length < 1 || f.length > limits.max)
      return fail("INVALID_DATA", "invalid data", { ...at("length"), maximum_length: limits.max });
    length = f.length;
  }
  let values: string[] = [];
  if (type === "picklist" || type === "multiselectpicklist") {
    const raw = f.pick_list_values;
    if (!Array.isArray(raw) || raw.length === 0)
      return fail("MANDATORY_NOT_FOUND", "required field not found", at("pick_list_values"));
    if (raw.length > o.maxPicklistValues)
      return fail("LIMIT_EXCEEDED", "too many picklist values", {
        limit: o.maxPicklistValues,
        limit_due_to: [at("pick_list_values")],
      });
    for (const [k, v] of raw.entries()) {
      const value =
        (v as { actual_value?: unknown; display_value?: unknown } | null)?.actual_value ??
        (v as { display_value?: unknown } | null)?.display_value;
      if (typeof value !== "string" || !value.trim() || value.length > length)
        return fail("INVALID_DATA", "invalid data", {
          api_name: "pick_list_values",
          json_path: `$.fields[${i}].pick_list_values[${k}]`,
        });
      if (values.some((x) => x.toLowerCase() === value.toLowerCase()))
        return fail("DUPLICATE_DATA", "duplicate data", {
          api_name: "pick_list_values",
          json_path: `$.fields[${i}].pick_list_values[${k}]`,
        });
      values.push(value);
    }
    // Zoho's single-select picklists start with "-None-".
    if (type === "picklist" && !values.includes("-None-")) values = ["-None-", ...values];
  }
  const meta = toFieldMeta(
    { api: apiName, label, type, length, custom: true, ...(values.length ? { picklist: values } : {}) },
    crm.ctx.ids.next(),
    () => crm.ctx.ids.next(),
  );
  module.fields.push(meta);
  return {
    code: "SUCCESS",
    details: { id: meta.id, api_name: apiName },
    message: "field created",
    status: "success",
  };
}
