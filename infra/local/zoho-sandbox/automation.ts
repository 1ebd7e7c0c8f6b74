/**
 * CRM automation: workflow rules whose webhook action POSTs to a URL (checklist items 12-13), and the
 * Notifications API watch channels (item 18). A write with no `trigger` key runs workflow, approval and blueprint;
 * `"trigger": []` runs nothing; a list runs only what it names. Notifications are not automation and follow
 * every change, whatever `trigger` says.
 */
import type { WriteEvent } from "./crm.js";
import type { ModuleMeta } from "./metadata.js";
import type { Row } from "./query.js";
import { type SandboxContext, track, type WebhookLogEntry } from "./state.js";

export interface WebhookAction {
  url: string;
  method?: "POST" | "GET";
  /** Static custom headers, e.g. a shared secret. */
  headers?: Record<string, string>;
  /** Raw JSON body with merge fields (`${Leads.Lead Id}`), or form parameters (Zoho's form-data mode). */
  body?: { type: "raw"; template: string } | { type: "form"; params: Record<string, string> };
  /** Query-string parameters (module and custom parameters), merge fields allowed. */
  params?: Record<string, string>;
}

export interface WorkflowRule {
  id: string;
  name: string;
  module: string;
  on: "create" | "edit" | "create_or_edit";
  /** For edits: fire only when one of these fields changed. */
  fields?: string[];
  /** All must match the record after the write. */
  criteria?: { field: string; equals: unknown }[];
  webhook: WebhookAction;
}

export interface WatchChannel {
  channel_id: string | number;
  events: string[];
  notify_url: string;
  token?: string;
  channel_expiry: number;
  module: string;
}

const AUTOMATIONS = ["workflow", "approval", "blueprint", "pathfinder", "orchestration"] as const;
const NOTIFICATION_OPS = { insert: "create", update: "edit" } as const;

/** Posts JSON or form bodies and records the outcome; shared with the Desk emitter. */
export async function deliver(
  ctx: SandboxContext,
  entry: Pick<WebhookLogEntry, "kind" | "rule" | "url">,
  init: { method: string; headers: Record<string, string>; body?: string },
  okStatuses: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<number | undefined> {
  const started = Date.now();
  let attempts = 0;
  let status: number | undefined;
  let error: string | undefined;
  while (attempts <= ctx.options.webhookRetries) {
    attempts += 1;
    try {
      const res = await fetch(entry.url, {
        ...init,
        signal: AbortSignal.timeout(ctx.options.webhookTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
      error = okStatuses(status) ? undefined : `status ${status}`;
    } catch (e) {
      status = undefined;
      error =
        e instanceof Error && e.name === "TimeoutError"
          ? `timeout after ${ctx.options.webhookTimeoutMs} ms`
          : String(e);
    }
    if (!error) break;
  }
  ctx.inspector.webhook({
    time: ctx.clock.stamp(),
    ...entry,
    ...(status !== undefined ? { status } : {}),
    ok: !error,
    ...(error ? { error } : {}),
    duration_ms: Date.now() - started,
    attempts,
    body: init.body ?? "",
  });
  return status;
}

export class Automation {
  readonly rules: WorkflowRule[] = [];
  readonly channels: WatchChannel[] = [];
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
    private readonly modules: Map<string, ModuleMeta>,
    private readonly apiDomain: () => string,
  ) {}

  /** Renders `${Leads.Email}`-style merge fields by field label; `${Leads.Lead Id}` is the record id. */
  render(template: string, module: ModuleMeta, record: Row, jsonEscape: boolean): string {
    return template.replace(/\$\{([^.}]+)\.([^}]+)\}/g, (_all, mod: string, label: string) => {
      if (mod !== module.api_name) return "";
      let value: unknown;
      if (label === `${module.singular_label} Id`) value = record.id;
      else {
        const field = module.fields.find((f) => f.field_label === label || f.api_name === label);
        value = field ? record[field.api_name] : undefined;
      }
      if (value && typeof value === "object")
        value = (value as { name?: unknown; id?: unknown }).name ?? (value as { id?: unknown }).id;
      const text = value === undefined || value === null ? "" : String(value);
      // Zoho's escaping of merge values in raw JSON bodies is UNCONFIRMED; escaping keeps the body valid JSON.
      return jsonEscape ? JSON.stringify(text).slice(1, -1) : text;
    });
  }

  /** Called for every successful record write. */
  onWrite(event: WriteEvent): void {
    const ran =
      event.trigger === null
        ? ["workflow", "approval", "blueprint"]
        : AUTOMATIONS.filter((a) => event.trigger?.includes(a));
    const fired: string[] = [];
    if (ran.includes("workflow")) {
      for (const rule of this.rules) {
        if (rule.module !== event.module.api_name || !this.matches(rule, event)) continue;
        fired.push(rule.id);
        track(this.ctx, this.fire(rule, event.module, { ...event.record }));
      }
    }
    this.ctx.inspector.automation({
      time: this.ctx.clock.stamp(),
      module: event.module.api_name,
      record_id: event.record.id as string,
      ran,
      rules_fired: fired,
      trigger: event.trigger,
      source: event.source,
    });
    this.notify(event);
  }

  private matches(rule: WorkflowRule, event: WriteEvent): boolean {
    const when = event.operation === "insert" ? "create" : "edit";
    if (rule.on !== "create_or_edit" && rule.on !== when) return false;
    if (when === "edit" && rule.fields && !rule.fields.some((f) => event.changed.includes(f))) return false;
    return (rule.criteria ?? []).every((c) => event.record[c.field] === c.equals);
  }

  private async fire(rule: WorkflowRule, module: ModuleMeta, record: Row): Promise<void> {
    const hook = rule.webhook;
    const url = new URL(hook.url);
    for (const [k, v] of Object.entries(hook.params ?? {}))
      url.searchParams.set(k, this.render(v, module, record, false));
    const headers: Record<string, string> = {
      "user-agent": "ZohoCRM-Webhook-Sandbox",
      ...(hook.headers ?? {}),
    };
    let body: string | undefined;
    if (hook.body?.type === "raw") {
      headers["content-type"] = "application/json";
      body = this.render(hook.body.template, module, record, true);
    } else if (hook.body?.type === "form") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(
        Object.entries(hook.body.params).map(([k, v]): [string, string] => [
          k,
          this.render(v, module, record, false),
        ]),
      ).toString();
    }
    await deliver(
      this.ctx,
      { kind: "crm-workflow", rule: rule.id, url: url.toString() },
      { method: hook.method ?? "POST", headers, ...(body !== undefined ? { body } : {}) },
    );
  }

  // ---------------------------------------------------------------- Notifications API

  /** `POST /crm/v8/actions/watch`. */
  watch(body: unknown): { status: number; body: unknown } {
    const list = (body as { watch?: unknown } | undefined)?.watch;
    if (!Array.isArray(list) || list.length === 0) {
      return {
        status: 400,
        body: {
          code: "REQUIRED_PARAM_MISSING",
          details: { param_name: "watch" },
          message: "One of the expected parameter is missing",
          status: "error",
        },
      };
    }
    const results = list.map((w: Partial<WatchChannel> & { channel_expiry?: string | number }) => {
      const events = Array.isArray(w.events) ? w.events : [];
      const moduleName = events[0]?.split(".")[0] ?? "";
      if (!w.channel_id || !w.notify_url || events.length === 0 || !this.modules.has(moduleName)) {
        return { code: "INVALID_DATA", details: {}, message: "invalid data", status: "error" };
      }
      const now = this.ctx.clock.now();
      const requested = w.channel_expiry ? new Date(w.channel_expiry).getTime() : now + 3600_000;
      // Channels live at most one day (UNCONFIRMED), then stop receiving callbacks.
      const expiry = Math.min(Number.isNaN(requested) ? now + 3600_000 : requested, now + 86_400_000);
      const channel: WatchChannel = {
        channel_id: w.channel_id,
        events,
        notify_url: w.notify_url,
        channel_expiry: expiry,
        module: moduleName,
        ...(w.token ? { token: w.token } : {}),
      };
      const existing = this.channels.findIndex((c) => String(c.channel_id) === String(w.channel_id));
      if (existing >= 0) this.channels.splice(existing, 1);
      this.channels.push(channel);
      return {
        code: "SUCCESS",
        details: {
          events: events.map(() => ({
            channel_expiry: this.ctx.clock.stamp(expiry),
            resource_uri: `${this.apiDomain()}/crm/v8/${moduleName}`,
            resource_name: moduleName,
            channel_id: w.channel_id,
          })),
        },
        message: "Successfully subscribed for actions-watch of the given module",
        status: "success",
      };
    });
    return { status: 200, body: { watch: results } };
  }

  unwatch(channelIds: string[]): void {
    for (const id of channelIds) {
      const i = this.channels.findIndex((c) => String(c.channel_id) === id);
      if (i >= 0) this.channels.splice(i, 1);
    }
  }

  private notify(event: WriteEvent): void {
    const op = NOTIFICATION_OPS[event.operation];
    const now = this.ctx.clock.now();
    for (const channel of this.channels) {
      if (channel.channel_expiry <= now || channel.module !== event.module.api_name) continue;
      if (!channel.events.some((e) => e === `${channel.module}.all` || e === `${channel.module}.${op}`))
        continue;
      const key = `${channel.channel_id}|${event.operation}`;
      const batch = this.pendingNotifications.get(key) ?? {
        channel,
        module: channel.module,
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
