/**
 * Zoho field metadata for the write guard, read live and cached per container (fields change rarely; a stale
 * cache errs towards rejection, which quarantines, never towards a bad write).
 */
import * as z from "zod";
import type { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import type { Clock } from "../ports/clock.js";
import type { GuardField } from "./write-guard.js";

const CrmFieldSchema = z.looseObject({
  api_name: z.string(),
  data_type: z.string(),
  length: z.number().optional(),
  read_only: z.boolean().optional(),
  field_read_only: z.boolean().optional(),
  pick_list_values: z
    .array(z.looseObject({ actual_value: z.string(), display_value: z.string().optional() }))
    .optional(),
});
const CrmFieldsSchema = z.object({ fields: z.array(CrmFieldSchema) });

const DeskFieldSchema = z.looseObject({
  apiName: z.string(),
  type: z.string(),
  maxLength: z.number().optional(),
  isReadOnly: z.boolean().optional(),
  allowedValues: z.array(z.string()).optional(),
});
const DeskFieldsSchema = z.object({ data: z.array(DeskFieldSchema) });

const CRM_TYPES: Record<string, GuardField["type"]> = {
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
const DESK_TYPES: Record<string, GuardField["type"]> = {
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
  private readonly cache = new Map<string, { at: number; fields: GuardField[] }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  private async cached(key: string, load: () => Promise<GuardField[]>): Promise<GuardField[]> {
    const hit = this.cache.get(key);
    if (hit && this.clock.now() - hit.at < this.ttlMs) return hit.fields;
    const fields = await load();
    this.cache.set(key, { at: this.clock.now(), fields });
    return fields;
  }

  crm(zoho: ZohoHttpClient, connection: string, module: string): Promise<GuardField[]> {
    return this.cached(`${connection}|crm|${module}`, async () => {
      const res = await zoho.request({
        service: "crm",
        method: "GET",
        path: "/crm/v8/settings/fields",
        query: { module },
      });
      return CrmFieldsSchema.parse(res.data).fields.map((f) => ({
        name: f.api_name,
        type: CRM_TYPES[f.data_type] ?? "other",
        ...(f.length !== undefined ? { length: f.length } : {}),
        readOnly: Boolean(f.read_only || f.field_read_only),
        ...(f.pick_list_values ? { picklist: f.pick_list_values.map((p) => p.actual_value) } : {}),
      }));
    });
  }

  desk(zoho: ZohoHttpClient, connection: string, module: string): Promise<GuardField[]> {
    return this.cached(`${connection}|desk|${module}`, async () => {
      const res = await zoho.request({
        service: "desk",
        method: "GET",
        path: "/api/v1/organizationFields",
        query: { module },
      });
      return DeskFieldsSchema.parse(res.data).data.map((f) => ({
        name: f.apiName,
        type: DESK_TYPES[f.type] ?? "other",
        ...(f.maxLength !== undefined ? { length: f.maxLength } : {}),
        readOnly: Boolean(f.isReadOnly),
        ...(f.allowedValues ? { picklist: f.allowedValues } : {}),
      }));
    });
  }
}
