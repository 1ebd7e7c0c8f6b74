/**
 * Per-record validation of CRM writes against the field metadata the sandbox serves (checklist item 11): mandatory
 * fields, data types, lengths, restricted picklists, lookups and unique fields, answered with Zoho's per-item errors.
 */
import type { Crm } from "./crm.js";
import type { FieldMeta, ModuleMeta } from "./metadata.js";
import type { Row } from "./query.js";

/** One record's outcome inside a batch write. */
export type ItemResult =
  | { ok: true; record: Row; action: "insert" | "update"; duplicateField?: string }
  | { ok: false; error: Row };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$/;

/** Zoho's per-record error item. */
export const itemError = (
  code: string,
  message: string,
  details: Record<string, unknown>,
): { ok: false; error: Row } => ({
  ok: false,
  error: { code, details, message, status: "error" },
});

/** Validates and normalises one field value; returns an error item or the value to store. */
function checkValue(
  crm: Crm,
  field: FieldMeta,
  value: unknown,
  path: string,
): { value: unknown } | { ok: false; error: Row } {
  const bad = (extra: Record<string, unknown> = {}) =>
    itemError("INVALID_DATA", "invalid data", { api_name: field.api_name, json_path: path, ...extra });
  if (value === null) return { value: null };
  switch (field.data_type) {
    case "text":
    case "textarea":
    case "phone":
    case "website":
    case "email":
    case "picklist": {
      if (typeof value !== "string")
        return bad({ expected_data_type: field.data_type === "picklist" ? "picklist" : "string" });
      if (value.length > field.length) return bad({ maximum_length: field.length });
      if (field.data_type === "email" && value !== "" && !EMAIL.test(value))
        return bad({ expected_data_type: "email" });
      if (field.data_type === "picklist" && field.restricted_picklist && value !== "") {
        const allowed = field.pick_list_values.some(
          (p) => p.actual_value === value || p.display_value === value,
        );
        if (!allowed) return bad({ expected_data_type: "picklist" });
      }
      return { value };
    }
    case "multiselectpicklist":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? { value }
        : bad({ expected_data_type: "jsonarray" });
    case "integer":
      return typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= 2_147_483_647
        ? { value }
        : bad({ expected_data_type: "integer" });
    case "bigint":
      return (typeof value === "string" && /^-?\d{1,19}$/.test(value)) ||
        (typeof value === "number" && Number.isSafeInteger(value))
        ? { value: String(value) }
        : bad({ expected_data_type: "bigint" });
    case "double":
    case "currency":
    case "percent":
      return typeof value === "number" && Number.isFinite(value)
        ? { value }
        : bad({ expected_data_type: "double" });
    case "boolean":
      return typeof value === "boolean" ? { value } : bad({ expected_data_type: "boolean" });
    case "date":
      return typeof value === "string" && DATE.test(value) ? { value } : bad({ expected_data_type: "date" });
    case "datetime":
      return typeof value === "string" && DATETIME.test(value)
        ? { value }
        : bad({ expected_data_type: "datetime" });
    case "lookup":
    case "ownerlookup": {
      const id =
        typeof value === "string"
          ? value
          : value && typeof value === "object"
            ? (value as { id?: unknown }).id
            : undefined;
      if (typeof id !== "string" || !/^\d{1,19}$/.test(id)) return bad({ expected_data_type: "jsonobject" });
      if (field.data_type === "ownerlookup") {
        const user = crm.users.find((u) => u.id === id);
        return user ? { value: crm.ref(user) } : bad({ expected_data_type: "ownerlookup" });
      }
      const target = "module" in field.lookup ? field.lookup.module?.api_name : undefined;
      const record = target ? crm.find(target, id) : undefined;
      if (target && !record) return bad();
      return {
        value: {
          id,
          name: record ? String(record.Full_Name ?? record.Account_Name ?? record.Deal_Name ?? "") : "",
        },
      };
    }
    default:
      return { value };
  }
}

/**
 * Validates one input record. Insert requires every `system_mandatory` field; update must not blank one.
 * Unknown keys are ignored, as Zoho ignores field names it does not know; read-only fields are ignored too.
 */
export function validateRecord(
  crm: Crm,
  module: ModuleMeta,
  input: Row,
  index: number,
  existing?: Row,
): ItemResult | { ok: true; fields: Row } {
  const fields: Row = {};
  const byName = new Map(module.fields.map((f) => [f.api_name, f]));
  for (const f of module.fields) {
    if (!f.system_mandatory) continue;
    const given = Object.hasOwn(input, f.api_name) ? input[f.api_name] : existing?.[f.api_name];
    if (given === undefined || given === null || given === "") {
      return itemError("MANDATORY_NOT_FOUND", "required field not found", {
        api_name: f.api_name,
        json_path: `$.data[${index}].${f.api_name}`,
      });
    }
  }
  for (const [key, value] of Object.entries(input)) {
    if (key === "id" || key.startsWith("$")) continue;
    const field = byName.get(key);
    if (!field || field.read_only) continue;
    const checked = checkValue(crm, field, value, `$.data[${index}].${key}`);
    if ("ok" in checked) return checked;
    fields[key] = checked.value;
  }
  for (const field of module.fields) {
    if (!("casesensitive" in field.unique)) continue;
    const v = fields[field.api_name];
    if (typeof v !== "string" || v === "") continue;
    const clash = [...crm.table(module.api_name).values()].find(
      (r) =>
        r.id !== existing?.id &&
        typeof r[field.api_name] === "string" &&
        (r[field.api_name] as string).toLowerCase() === v.toLowerCase(),
    );
    if (clash) return duplicate(module, field.api_name, index, clash);
  }
  return { ok: true, fields };
}

function duplicate(module: ModuleMeta, apiName: string, index: number, clash: Row) {
  const owner = clash.Owner as { name: string; id: string } | undefined;
  return itemError("DUPLICATE_DATA", "duplicate data", {
    api_name: apiName,
    json_path: `$.data[${index}].${apiName}`,
    duplicate_record: {
      id: clash.id,
      module: { api_name: module.api_name, id: module.id },
      Owner: owner ? { name: owner.name, id: owner.id } : null,
    },
  });
}
