/**
 * The Notifications API ("watch" channels, checklist item 18; zoho/crm-oas v8.0/notifications.json): channels that
 * receive a callback for every create or edit of the modules they watch, whatever the write's `trigger` says
 * (notifications are not automation). Callbacks group the ids of one request per channel.
 */

import type { WriteEvent } from "./crm.js";
import type { ModuleMeta } from "./metadata.js";
import { type SandboxContext, track } from "./state.js";
import { answer, checkChannel, itemError, missingWatch, watchList } from "./watch-requests.js";
import { deliver } from "./webhook-delivery.js";

/** A watch channel as the sandbox keeps it (`channel_expiry` in sandbox-clock milliseconds). */
export interface WatchChannel {
  channel_id: string | number;
  events: string[];
  notify_url: string;
  token?: string;
  channel_expiry: number;
  module: string;
}

const NOTIFICATION_OPS = { insert: "create", update: "edit" } as const;

/**
 * Where the channels live: the automation owns them (as data, so a snapshot of the sandbox's state holds them and a
 * restore puts them back), and this class serves and fires them.
 */
export interface ChannelStore {
  readonly channels: WatchChannel[];
  readonly modules: Map<string, ModuleMeta>;
}

/** Serves the watch API over the automation's channels and fires their callbacks on writes. */
export class NotificationChannels {
  private pendingNotifications = new Map<
    string,
    {
      channel: WatchChannel;
      module: string;
      operation: string;
      ids: string[];
      fields: Record<string, string[]>;
    }
  >();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: ChannelStore,
    private readonly apiDomain: () => string,
  ) {}

  private get channels(): WatchChannel[] {
    return this.store.channels;
  }

  private get modules(): Map<string, ModuleMeta> {
    return this.store.modules;
  }

  // zoho/crm-oas v8.0/notifications.json: POST enables (201; item errors 202), GET lists (page, per_page,
  // channel_id, module; 204 when none), PUT updates a channel's details, PATCH with `_delete_events: true` disables
  // the listed events (without it, PATCH adds events and updates the given details), DELETE `?channel_ids=` removes.
  // `channel_expiry` is honoured against the sandbox clock: an expired channel stays known (listed, renewable by
  // PUT/PATCH or a new POST with the same id) but fires nothing until renewed.

  private static readonly SUBSCRIBED = "Successfully subscribed for actions-watch of the given module";

  private channelItem(channel: WatchChannel, message: string): Record<string, unknown> {
    return {
      code: "SUCCESS",
      details: {
        events: [...new Set(channel.events.map((e) => e.split(".")[0] ?? ""))].map((m) => ({
          channel_expiry: this.ctx.clock.stamp(channel.channel_expiry),
          resource_uri: `${this.apiDomain()}/crm/v8/${m}`,
          resource_id: this.modules.get(m)?.id ?? "",
          resource_name: m,
          channel_id: channel.channel_id,
        })),
      },
      message,
      status: "success",
    };
  }

  private findChannel(id: unknown): WatchChannel | undefined {
    return this.channels.find((c) => String(c.channel_id) === String(id));
  }

  /** `POST /crm/v8/actions/watch`: enables channels; the same `channel_id` again replaces (and so renews) it. */
  watch(body: unknown): { status: number; body: unknown } {
    const list = watchList(body);
    if (!list) return missingWatch();
    const results = list.map((item, i) => {
      const w = (item && typeof item === "object" ? item : {}) as Record<string, unknown>;
      if (w.channel_id === undefined || !/^\d{1,19}$/.test(String(w.channel_id)))
        return itemError(
          w.channel_id === undefined ? "MANDATORY_NOT_FOUND" : "INVALID_DATA",
          "channel_id",
          i,
        );
      const checked = checkChannel(this.ctx, this.modules, w, i, false);
      if (checked.error) return checked.error;
      const events = w.events as string[];
      const channel: WatchChannel = {
        channel_id: w.channel_id as string | number,
        events,
        notify_url: w.notify_url as string,
        channel_expiry: checked.expiry as number,
        module: events[0]?.split(".")[0] ?? "",
        ...(typeof w.token === "string" ? { token: w.token } : {}),
      };
      const existing = this.channels.findIndex((c) => String(c.channel_id) === String(w.channel_id));
      if (existing >= 0) this.channels.splice(existing, 1);
      this.channels.push(channel);
      return this.channelItem(channel, NotificationChannels.SUBSCRIBED);
    });
    return answer(results, 201);
  }

  /**
   * `PUT` (replace the channel's events, URL, token and expiry; a missing expiry means the default life from now)
   * and `PATCH` (`_delete_events: true` removes the listed events, the channel with its last one; otherwise adds
   * events and updates what is given). Either renews an expired channel when it carries a later `channel_expiry`.
   */
  update(body: unknown, mode: "replace" | "patch"): { status: number; body: unknown } {
    const list = watchList(body);
    if (!list) return missingWatch();
    const results = list.map((item, i) => {
      const w = (item && typeof item === "object" ? item : {}) as Record<string, unknown>;
      const channel = this.findChannel(w.channel_id);
      if (!channel)
        return itemError(
          w.channel_id === undefined ? "MANDATORY_NOT_FOUND" : "NOT_SUBSCRIBED",
          "channel_id",
          i,
          w.channel_id === undefined ? "required field not found" : "the channel is not subscribed",
        );
      if (mode === "patch" && w._delete_events === true) {
        const drop = Array.isArray(w.events) ? w.events.map(String) : [];
        if (drop.length === 0) return itemError("INVALID_DATA", "events", i);
        channel.events = channel.events.filter((e) => !drop.includes(e));
        if (channel.events.length === 0) this.channels.splice(this.channels.indexOf(channel), 1);
        return this.channelItem(channel, "Successfully unsubscribed the given events");
      }
      const checked = checkChannel(this.ctx, this.modules, w, i, mode === "patch");
      if (checked.error) return checked.error;
      if (mode === "replace") {
        channel.events = w.events as string[];
        channel.notify_url = w.notify_url as string;
        if (typeof w.token === "string") channel.token = w.token;
        else delete channel.token;
      } else {
        if (Array.isArray(w.events))
          channel.events = [...new Set([...channel.events, ...(w.events as string[])])];
        if (typeof w.notify_url === "string") channel.notify_url = w.notify_url;
        if (typeof w.token === "string") channel.token = w.token;
      }
      if (checked.expiry !== undefined) channel.channel_expiry = checked.expiry;
      channel.module = channel.events[0]?.split(".")[0] ?? channel.module;
      return this.channelItem(channel, NotificationChannels.SUBSCRIBED);
    });
    return answer(results, 200);
  }

  /** `GET /crm/v8/actions/watch`: the channels (expired ones too, with their past expiry); 204 when none. */
  list(query: Record<string, string>): { status: number; body?: unknown } {
    const page = Number(query.page ?? 1);
    const perPage = Number(query.per_page ?? 200);
    const all = this.channels.filter(
      (c) =>
        (query.channel_id === undefined || String(c.channel_id) === query.channel_id) &&
        (query.module === undefined || c.events.some((e) => e.startsWith(`${query.module}.`))),
    );
    const slice = all.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return { status: 204 };
    return {
      status: 200,
      body: {
        watch: slice.map((c) => ({
          channel_id: c.channel_id,
          events: c.events,
          notify_url: c.notify_url,
          token: c.token ?? null,
          channel_expiry: this.ctx.clock.stamp(c.channel_expiry),
          resource_name: c.module,
          resource_id: this.modules.get(c.module)?.id ?? "",
          resource_uri: `${this.apiDomain()}/crm/v8/${c.module}`,
          notify_on_related_action: false,
          return_affected_field_values: false,
        })),
        info: { page, per_page: perPage, count: slice.length, more_records: all.length > page * perPage },
      },
    };
  }

  /** `DELETE /crm/v8/actions/watch?channel_ids=`. */
  unwatch(channelIds: string[]): { status: number; body: unknown } {
    const ids = channelIds.filter(Boolean);
    if (ids.length === 0)
      return {
        status: 400,
        body: {
          code: "REQUIRED_PARAM_MISSING",
          details: { param_name: "channel_ids" },
          message: "One of the expected parameter is missing",
          status: "error",
        },
      };
    const results = ids.map((id, i) => {
      const channel = this.findChannel(id);
      if (!channel)
        return {
          code: "NOT_SUBSCRIBED",
          details: { api_name: "channel_ids", json_path: `$.channel_ids[${i}]` },
          message: "the channel is not subscribed",
          status: "error",
        };
      this.channels.splice(this.channels.indexOf(channel), 1);
      return this.channelItem(channel, "Successfully unsubscribed from actions-watch of the given module");
    });
    return answer(results, 200);
  }

  /** Called for every successful record write, whatever its `trigger`: notifications are not automation. */
  notify(event: WriteEvent): void {
    const op = NOTIFICATION_OPS[event.operation];
    const now = this.ctx.clock.now();
    const mod = event.module.api_name;
    for (const channel of this.channels) {
      // An expired channel fires nothing until it is renewed.
      if (channel.channel_expiry <= now) continue;
      if (!channel.events.some((e) => e === `${mod}.all` || e === `${mod}.${op}`)) continue;
      const key = `${channel.channel_id}|${mod}|${event.operation}`;
      const batch = this.pendingNotifications.get(key) ?? {
        channel,
        module: mod,
        operation: event.operation,
        ids: [],
        fields: {},
      };
      batch.ids.push(event.record.id as string);
      batch.fields[event.record.id as string] = event.changed;
      if (!this.pendingNotifications.has(key)) {
        this.pendingNotifications.set(key, batch);
        // One callback per channel for the writes of one request, as Zoho groups ids.
        track(
          this.ctx,
          new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush(key)),
        );
      }
    }
  }

  private async flush(key: string): Promise<void> {
    const batch = this.pendingNotifications.get(key);
    this.pendingNotifications.delete(key);
    if (!batch) return;
    const body = JSON.stringify({
      server_time: this.ctx.clock.now(),
      query_params: {},
      module: batch.module,
      resource_uri: `${this.apiDomain()}/crm/v8/${batch.module}`,
      ids: batch.ids,
      affected_fields:
        batch.operation === "update" ? batch.ids.map((id) => ({ [id]: batch.fields[id] ?? [] })) : [],
      operation: batch.operation,
      channel_id: batch.channel.channel_id,
      token: batch.channel.token ?? null,
    });
    await deliver(
      this.ctx,
      { kind: "crm-notification", url: batch.channel.notify_url },
      { method: "POST", headers: { "content-type": "application/json" }, body },
    );
  }
}
