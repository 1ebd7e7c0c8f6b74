/**
 * Zoho's setup surface behind the `ZohoAdmin` port: CRM `settings/modules`, Create Custom Field
 * (`POST /crm/v8/settings/fields?module=`), the Notification API (`/crm/v8/actions/watch`) and Desk
 * `organizations`.
 */
import * as z from "zod";
import { NotFoundError, UpstreamRejectedError } from "../../errors.js";
import type {
  CustomFieldResult,
  NewCustomField,
  WatchChannel,
  WatchResult,
  WatchSubscription,
  ZohoAdmin,
} from "../../ports/zoho-admin.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

const ModulesSchema = z.looseObject({
  modules: z.array(z.looseObject({ api_name: z.string() })).default([]),
});
const CreateAnswerSchema = z.looseObject({
  fields: z
    .array(
      z.looseObject({
        code: z.string().optional(),
        message: z.string().optional(),
        details: z
          .looseObject({ id: z.union([z.string(), z.number()]).optional(), limit: z.number().optional() })
          .optional(),
      }),
    )
    .default([]),
});
/** `GET /crm/v8/actions/watch` (Zoho answers 204 when nothing is subscribed). */
const WatchListSchema = z.looseObject({
  watch: z
    .array(
      z.looseObject({
        channel_id: z.union([z.string(), z.number()]),
        events: z.array(z.string()).optional(),
        channel_expiry: z.union([z.string(), z.number()]).nullish(),
        notify_url: z.string().nullish(),
      }),
    )
    .default([]),
});
/** Each item of a subscribe answer. */
const WatchResultSchema = z.looseObject({
  watch: z.array(
    z.looseObject({ status: z.string(), code: z.string().optional(), message: z.string().optional() }),
  ),
});
const OrganizationsSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.union([z.string(), z.number()]) })).default([]),
});

/** Create Custom Field's body for one field (crm-oas v8 fields.json). */
export function customFieldBody(field: NewCustomField): Record<string, unknown> {
  return {
    field_label: field.label,
    data_type: field.dataType,
    ...(field.length !== undefined ? { length: field.length } : {}),
    ...(field.picklistValues
      ? { pick_list_values: field.picklistValues.map((v) => ({ display_value: v, actual_value: v })) }
      : {}),
  };
}

/** Zoho's timestamp form, `2026-11-30T10:00:00+00:00`. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

export class ZohoAdminHttp implements ZohoAdmin {
  constructor(private readonly http: ZohoHttpClient) {}

  async crmModules(): Promise<{ apiName: string }[]> {
    const res = await this.http.request({ service: "crm", method: "GET", path: "/crm/v8/settings/modules" });
    return ModulesSchema.parse(res.data ?? {}).modules.map((m) => ({ apiName: m.api_name }));
  }

  describeCustomField(module: string, field: NewCustomField): string {
    return `POST /crm/v8/settings/fields?module=${module} ${JSON.stringify({ fields: [customFieldBody(field)] })}`;
  }

  async createCustomField(module: string, field: NewCustomField): Promise<CustomFieldResult> {
    const body = customFieldBody(field);
    let data: unknown;
    try {
      const res = await this.http.request({
        service: "crm",
        method: "POST",
        path: "/crm/v8/settings/fields",
        query: { module },
        body: { fields: [body] },
        // Creating a field twice is refused as DUPLICATE_DATA, so a retried POST cannot make two.
        idempotent: true,
      });
      data = res.data;
    } catch (error) {
      if (error instanceof UpstreamRejectedError)
        return { code: error.code ?? "REJECTED", message: error.message };
      throw error;
    }
    const entry = CreateAnswerSchema.safeParse(data ?? {}).data?.fields[0];
    return {
      code: entry?.code,
      ...(entry?.message !== undefined ? { message: entry.message } : {}),
      ...(entry?.details?.id !== undefined ? { id: String(entry.details.id) } : {}),
      ...(entry?.details?.limit !== undefined ? { limit: entry.details.limit } : {}),
    };
  }

  async listWatches(channelId: number, module: string): Promise<WatchChannel[]> {
    let data: unknown;
    try {
      const res = await this.http.request({
        service: "crm",
        method: "GET",
        path: "/crm/v8/actions/watch",
        query: { channel_id: channelId, module },
      });
      data = res.data;
    } catch (error) {
      // What Zoho answers for a channel id it does not know is UNCONFIRMED (204, or a 4xx code): not subscribed.
      if (error instanceof UpstreamRejectedError || error instanceof NotFoundError) return [];
      throw error;
    }
    return WatchListSchema.parse(data ?? {}).watch.map((w) => ({
      channelId: String(w.channel_id),
      events: w.events ?? [],
      expiresAt: w.channel_expiry ? new Date(w.channel_expiry).getTime() : Number.NaN,
      notifyUrl: w.notify_url ?? null,
    }));
  }

  async watch(subscriptions: readonly WatchSubscription[]): Promise<WatchResult[]> {
    const res = await this.http.request({
      service: "crm",
      method: "POST",
      path: "/crm/v8/actions/watch",
      // Replacing a channel's subscription is safe to repeat.
      idempotent: true,
      body: {
        watch: subscriptions.map((s) => ({
          channel_id: s.channelId,
          events: s.events,
          notify_url: s.notifyUrl,
          token: s.token,
          channel_expiry: stamp(s.expiresAt),
          return_affected_field_values: false,
          notify_on_related_action: false,
        })),
      },
    });
    const items = WatchResultSchema.safeParse(res.data).data?.watch ?? [];
    return subscriptions.map((_, i) => {
      const item = items[i];
      if (item?.status === "success") return { ok: true };
      return {
        ok: false,
        code: item?.code ?? `status ${res.status}`,
        ...(item?.message !== undefined ? { message: item.message } : {}),
      };
    });
  }

  async unwatch(channelIds: readonly number[]): Promise<void> {
    if (channelIds.length === 0) return;
    await this.http.request({
      service: "crm",
      method: "DELETE",
      path: "/crm/v8/actions/watch",
      query: { channel_ids: channelIds.join(",") },
      idempotent: true,
    });
  }

  async deskOrganizations(): Promise<string[]> {
    const res = await this.http.request({ service: "desk", method: "GET", path: "/api/v1/organizations" });
    return OrganizationsSchema.parse(res.data ?? {}).data.map((o) => String(o.id));
  }
}
