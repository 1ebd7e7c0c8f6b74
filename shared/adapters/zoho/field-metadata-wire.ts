/**
 * STAND-IN (pipeline package, until the adapters package's version lands): Zoho's field-metadata wire shapes
 * (CRM `settings/fields`, Desk `organizationFields`) parsed into ZohoField, and the field a refusal names.
 */
import * as z from "zod";
import type { ZohoField } from "../../domain/zoho-field.js";

const CrmFieldSchema = z.looseObject({
  api_name: z.string(),
  data_type: z.string(),
  length: z.number().nullish(),
  read_only: z.boolean().nullish(),
  field_read_only: z.boolean().nullish(),
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
  allowedValues: DeskAllowedValuesSchema,
});
const DeskFieldsSchema = z.object({ data: z.array(DeskFieldSchema) });

const CRM_TYPES: Record<string, ZohoField["type"]> = {
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
const DESK_TYPES: Record<string, ZohoField["type"]> = {
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

/** Desk `organizationFields` answer -> guard fields. Exported for tests of Desk's shapes. */
export function parseDeskFields(body: unknown): ZohoField[] {
  return DeskFieldsSchema.parse(body).data.map((f) => ({
    name: f.apiName,
    type: (Object.hasOwn(DESK_TYPES, f.type) ? DESK_TYPES[f.type] : undefined) ?? "other",
    ...(typeof f.maxLength === "number" ? { length: f.maxLength } : {}),
    readOnly: Boolean(f.isReadOnly),
    ...(f.allowedValues ? { picklist: f.allowedValues } : {}),
  }));
}

/** CRM `settings/fields` answer -> guard fields. Exported for tests. */
export function parseCrmFields(body: unknown): ZohoField[] {
  return CrmFieldsSchema.parse(body).fields.map((f) => ({
    name: f.api_name,
    type: (Object.hasOwn(CRM_TYPES, f.data_type) ? CRM_TYPES[f.data_type] : undefined) ?? "other",
    ...(typeof f.length === "number" ? { length: f.length } : {}),
    readOnly: Boolean(f.read_only || f.field_read_only),
    ...(f.pick_list_values ? { picklist: f.pick_list_values.map((p) => p.actual_value) } : {}),
  }));
}

/**
 * The field a Zoho `INVALID_DATA` names, from a CRM per-record result (`details.api_name`) or a Desk error
 * (`errors[].fieldName`, a JSON pointer such as `/cf/cf_ai_urgency`); undefined for any other answer.
 */
export function rejectedField(code: unknown, details: unknown): string | undefined {
  if (code !== "INVALID_DATA" || !details || typeof details !== "object") return undefined;
  const d = details as { api_name?: unknown };
  if (typeof d.api_name === "string") return d.api_name;
  if (Array.isArray(details)) {
    const name = (details as { fieldName?: unknown }[]).find(
      (e) => typeof e?.fieldName === "string",
    )?.fieldName;
    return typeof name === "string" ? (name.split("/").pop() ?? undefined) : undefined;
  }
  return undefined;
}
