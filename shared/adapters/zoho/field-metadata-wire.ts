/**
 * Zoho's field metadata wire shapes, parsed into the mediator's `ZohoField`: CRM `settings/fields` (`api_name`,
 * `data_type`, `pick_list_values[].actual_value`), Desk `organizationFields` (`apiName`, `type`,
 * `allowedValues`), Creator `meta/.../form/<form>/fields` (`link_name`, numeric `type`, `max_char`, `choices`) and
 * Books `settings/fields` (`api_name`, `data_type`, `value_length`, `values[]`). Also the field a refused write
 * names, for dropping stale cached metadata.
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

/**
 * Creator's field `type` codes (Get Fields, v2.1) -> the mediator's field type; any other code (18 Image, 29 Name,
 * the codes past 18 not documented) is `other`. A lookup reports 12-15 after its display type: without `choices`
 * it gets no picklist, so the write guard refuses every value for it.
 */
export const CREATOR_TYPES: Readonly<Record<number, ZohoField["type"]>> = {
  1: "text", // Single Line
  2: "textarea", // Multi Line
  3: "email",
  4: "textarea", // Rich Text
  5: "integer", // Number
  6: "double", // Decimal
  7: "double", // Percent
  8: "double", // Currency
  9: "other", // Auto Number: read-only
  10: "date",
  11: "datetime",
  12: "picklist", // Drop Down
  13: "picklist", // Radio
  14: "multiselectpicklist", // Multi Select
  15: "multiselectpicklist", // Checkbox
  16: "boolean", // Decision Box
  17: "website", // URL
};

const hasChoices = (type: ZohoField["type"]) => type === "picklist" || type === "multiselectpicklist";

/** Creator types no API write may set. */
const CREATOR_READ_ONLY_TYPES: ReadonlySet<number> = new Set([9]);

/**
 * A Creator choice: a plain string, or an object naming its value (the shape of `choices` is UNCONFIRMED; the
 * display value is what a write sends).
 */
const CreatorChoiceSchema = z.union([
  z.string(),
  z
    .looseObject({ display_value: z.string().nullish(), value: z.string().nullish() })
    .transform((c) => c.display_value ?? c.value ?? undefined),
]);
const CreatorFieldSchema = z.looseObject({
  link_name: z.string(),
  type: z.number(),
  max_char: z.number().nullish(),
  mandatory: z.boolean().nullish(),
  choices: z.array(CreatorChoiceSchema).nullish(),
});
const CreatorFieldsSchema = z.object({ fields: z.array(CreatorFieldSchema) });

/** Creator `meta/<owner>/<app>/form/<form>/fields` answer -> fields, named by link name. */
export function parseCreatorFields(body: unknown): ZohoField[] {
  return CreatorFieldsSchema.parse(body).fields.map((f) => {
    const type = CREATOR_TYPES[f.type] ?? "other";
    const picklist = hasChoices(type)
      ? f.choices?.filter((c): c is string => typeof c === "string")
      : undefined;
    return {
      name: f.link_name,
      type,
      ...(typeof f.max_char === "number" ? { length: f.max_char } : {}),
      readOnly: CREATOR_READ_ONLY_TYPES.has(f.type),
      ...(f.mandatory ? { mandatory: true } : {}),
      ...(picklist ? { picklist } : {}),
    };
  });
}

/**
 * Books custom field `data_type` -> the mediator's field type; anything else (lookup, image, attachment) is `other`.
 * Autonumber and formula fields are computed by Books: `other` and read-only.
 */
export const BOOKS_TYPES: Readonly<Record<string, ZohoField["type"]>> = {
  string: "text",
  multiline: "textarea",
  large_text: "textarea",
  textarea: "textarea",
  email: "email",
  url: "website",
  phone: "phone",
  number: "integer",
  decimal: "double",
  amount: "double",
  percent: "double",
  date: "date",
  datetime: "datetime",
  date_time: "datetime",
  check_box: "boolean",
  dropdown: "picklist",
  multiselect: "multiselectpicklist",
};

const BOOKS_COMPUTED_TYPES: ReadonlySet<string> = new Set(["autonumber", "formula"]);

/** A Books dropdown option: `{name, order, is_active}` (Create Custom Field), or a plain string. */
const BooksValueSchema = z.union([
  z.string(),
  z.looseObject({ name: z.string(), is_active: z.boolean().nullish() }),
]);
const BooksFieldSchema = z.looseObject({
  api_name: z.string().nullish(),
  data_type: z.string().nullish(),
  value_length: z.number().nullish(),
  max_length: z.number().nullish(),
  is_active: z.boolean().nullish(),
  is_mandatory: z.boolean().nullish(),
  values: z.array(BooksValueSchema).nullish(),
});
const BooksFieldsSchema = z.object({ fields: z.array(z.unknown()) });

/**
 * Books `settings/fields?entity=` answer -> fields, named by `api_name`. Entries without an api name or a data type
 * are skipped (tolerant of shape drift); an inactive field is read-only; a dropdown's picklist is its active values.
 */
export function parseBooksFields(body: unknown): ZohoField[] {
  const out: ZohoField[] = [];
  for (const raw of BooksFieldsSchema.parse(body).fields) {
    const parsed = BooksFieldSchema.safeParse(raw);
    if (!parsed.success || !parsed.data.api_name || !parsed.data.data_type) continue;
    const f = parsed.data;
    const dataType = f.data_type as string;
    const length = f.value_length ?? f.max_length;
    const type = (Object.hasOwn(BOOKS_TYPES, dataType) ? BOOKS_TYPES[dataType] : undefined) ?? "other";
    const picklist = hasChoices(type)
      ? f.values
          ?.filter((v) => typeof v === "string" || v.is_active !== false)
          .map((v) => (typeof v === "string" ? v : v.name))
      : undefined;
    out.push({
      name: f.api_name as string,
      type,
      ...(typeof length === "number" ? { length } : {}),
      readOnly: f.is_active === false || BOOKS_COMPUTED_TYPES.has(dataType),
      ...(f.is_mandatory ? { mandatory: true } : {}),
      ...(picklist ? { picklist } : {}),
    });
  }
  return out;
}

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
