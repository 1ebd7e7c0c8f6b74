/**
 * Zoho's field metadata wire shapes, parsed into the mediator's `ZohoField`: CRM `settings/fields` (`api_name`,
 * `data_type`, `pick_list_values[].actual_value`) and Desk `organizationFields` (`apiName`, `type`,
 * `allowedValues`). Also the field a refused write names, for dropping stale cached metadata.
 */
import * as z from "zod";
import type { ZohoField } from "../../domain/zoho-field.js";

const CrmFieldSchema = z.looseObject({
  api_name: z.string(),
  data_type: z.string(),
  length: z.number().nullish(),
  read_only: z.boolean().nullish(),
  field_read_only: z.boolean().nullish(),
  system_mandatory: z.boolean().nullish(),
  pick_list_values: z
    .array(z.looseObject({ actual_value: z.string(), display_value: z.string().nullish() }))
    .nullish(),
});
const CrmFieldsSchema = z.object({ fields: z.array(CrmFieldSchema) });

/**
 * Desk's `allowedValues`: objects (`{"value": "Open", "statusType": "Open"}`, as Desk answers; public Desk clients
 * read each entry's `value`), plain strings, or `null` where a field has none.
 */
const DeskAllowedValuesSchema = z
  .array(z.union([z.string(), z.looseObject({ value: z.string() }).transform((v) => v.value)]))
  .nullish();
const DeskFieldSchema = z.looseObject({
  apiName: z.string(),
  type: z.string(),
  /** `null` where a field has no length (picklists, numbers). */
  maxLength: z.number().nullish(),
  isReadOnly: z.boolean().nullish(),
  isMandatory: z.boolean().nullish(),
  allowedValues: DeskAllowedValuesSchema,
});
const DeskFieldsSchema = z.object({ data: z.array(DeskFieldSchema) });

/** CRM `data_type` -> the mediator's field type; anything else is `other` (never written by the guard). */
export const CRM_TYPES: Readonly<Record<string, ZohoField["type"]>> = {
  text: "text",
  textarea: "textarea",
  email: "email",
  phone: "phone",
  website: "website",
  integer: "integer",
  bigint: "integer",
  double: "double",
  currency: "double",
  percent: "double",
  boolean: "boolean",
  date: "date",
  datetime: "datetime",
  picklist: "picklist",
  multiselectpicklist: "multiselectpicklist",
};

/** Desk field `type` -> the mediator's field type; anything else is `other`. */
export const DESK_TYPES: Readonly<Record<string, ZohoField["type"]>> = {
  Text: "text",
  Textarea: "textarea",
  Email: "email",
  Phone: "phone",
  URL: "website",
  Number: "integer",
  Decimal: "double",
  Currency: "double",
  Percent: "double",
  Boolean: "boolean",
  Date: "date",
  DateTime: "datetime",
  Picklist: "picklist",
  Multiselect: "multiselectpicklist",
};

/** Desk `organizationFields` answer -> fields. */
export function parseDeskFields(body: unknown): ZohoField[] {
  return DeskFieldsSchema.parse(body).data.map((f) => ({
    name: f.apiName,
    type: (Object.hasOwn(DESK_TYPES, f.type) ? DESK_TYPES[f.type] : undefined) ?? "other",
    ...(typeof f.maxLength === "number" ? { length: f.maxLength } : {}),
    readOnly: Boolean(f.isReadOnly),
    ...(f.isMandatory ? { mandatory: true } : {}),
    ...(f.allowedValues ? { picklist: f.allowedValues } : {}),
  }));
}

/** CRM `settings/fields` answer -> fields. */
export function parseCrmFields(body: unknown): ZohoField[] {
  return CrmFieldsSchema.parse(body).fields.map((f) => ({
    name: f.api_name,
    type: (Object.hasOwn(CRM_TYPES, f.data_type) ? CRM_TYPES[f.data_type] : undefined) ?? "other",
    ...(typeof f.length === "number" ? { length: f.length } : {}),
    readOnly: Boolean(f.read_only || f.field_read_only),
    ...(f.system_mandatory ? { mandatory: true } : {}),
    ...(f.pick_list_values ? { picklist: f.pick_list_values.map((p) => p.actual_value) } : {}),
  }));
}

/**
 * The field a Zoho `INVALID_DATA` names, from a CRM per-record result (`details.api_name`) or a Desk error
 * (`errors[].fieldName`, a JSON pointer such as `/cf/cf_ai_urgency`); undefined for any other answer.
 */
export function rejectedField(code: unknown, details: unknown): string | undefined {
  if (code !== "INVALID_DATA" || !details || typeof details !== "object") return undefined;
  return namedField(details);
}

/**
 * The field Zoho's error details name, whatever the code: CRM `details.api_name`, or the last segment of the
 * first Desk `errors[].fieldName` JSON pointer. Undefined when none is named.
 */
export function namedField(details: unknown): string | undefined {
  if (!details || typeof details !== "object") return undefined;
  const d = details as { api_name?: unknown };
  if (typeof d.api_name === "string") return d.api_name;
  if (Array.isArray(details)) {
    const name = (details as { fieldName?: unknown }[]).find(
      (e) => typeof e?.fieldName === "string",
    )?.fieldName;
    return typeof name === "string" ? name.split("/").pop() || undefined : undefined;
  }
  return undefined;
}
