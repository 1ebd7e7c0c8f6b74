/**
 * Zoho field metadata for the write guard and the field mapping, read live and cached per connection and container
 * (fields change rarely; a stale cache errs towards rejection, which quarantines, never towards a bad write). An
 * entry lives for its TTL, and is dropped at once when Zoho refuses a write naming one of its fields.
 */
import * as z from "zod";
import type { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import type { ZohoField } from "../domain/write-guard.js";
import { UpstreamRejectedError } from "../errors.js";
import type { Clock } from "../ports/clock.js";

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

export class FieldMetadata {
  private readonly cache = new Map<string, { at: number; fields: ZohoField[] }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /**
   * `maxAgeMs` shortens the TTL for one read: the field mapping re-reads sooner while a required field is missing,
   * so a field the admin just created is seen within a minute.
   */
  private async cached(
    key: string,
    load: () => Promise<ZohoField[]>,
    maxAgeMs = this.ttlMs,
  ): Promise<ZohoField[]> {
    const hit = this.cache.get(key);
    if (hit && this.clock.now() - hit.at < Math.min(this.ttlMs, maxAgeMs)) return hit.fields;
    const fields = await load();
    this.cache.set(key, { at: this.clock.now(), fields });
    return fields;
  }

  /**
   * Drops a connection's cached fields of one module, e.g. after Zoho answered `INVALID_DATA` naming a field: the
   * next unit reads the org's fields again instead of repeating a write built on stale metadata.
   */
  invalidate(connection: string, service: "crm" | "desk", module: string): void {
    this.cache.delete(`${connection}|${service}|${module}`);
  }

  crm(
    zoho: ZohoHttpClient,
    connection: string,
    module: string,
    options: { maxAgeMs?: number } = {},
  ): Promise<ZohoField[]> {
    return this.read(zoho, connection, "crm", module, options.maxAgeMs);
  }

  desk(
    zoho: ZohoHttpClient,
    connection: string,
    module: string,
    options: { maxAgeMs?: number } = {},
  ): Promise<ZohoField[]> {
    return this.read(zoho, connection, "desk", module, options.maxAgeMs);
  }

  /** One module's fields: CRM `settings/fields` or Desk `organizationFields`, parsed from Zoho's own shapes. */
  private read(
    zoho: ZohoHttpClient,
    connection: string,
    service: "crm" | "desk",
    module: string,
    maxAgeMs: number | undefined,
  ): Promise<ZohoField[]> {
    return this.cached(
      `${connection}|${service}|${module}`,
      async () => {
        const res = await zoho.request({
          service,
          method: "GET",
          path: service === "crm" ? "/crm/v8/settings/fields" : "/api/v1/organizationFields",
          query: { module },
        });
        return service === "crm" ? parseCrmFields(res.data) : parseDeskFields(res.data);
      },
      maxAgeMs,
    );
  }
}

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

/**
 * Drops the cached metadata a rejected write was built on, when Zoho named a field: the org's fields changed
 * (a picklist value removed, a length shortened), and the next unit must see the change. Returns the field.
 */
export function invalidateOnRejection(
  metadata: Pick<FieldMetadata, "invalidate">,
  connection: string,
  service: "crm" | "desk",
  module: string,
  rejection: { code?: unknown; details?: unknown } | unknown,
): string | undefined {
  const r =
    rejection instanceof UpstreamRejectedError
      ? { code: rejection.code, details: rejection.details }
      : ((rejection ?? {}) as { code?: unknown; details?: unknown });
  const field = rejectedField(r.code, r.details);
  if (field) metadata.invalidate(connection, service, module);
  return field;
}
