/**
 * CRM automation: workflow rules whose webhook action POSTs to a URL (checklist items 12-13). A write with no
 * `trigger` key runs workflow, approval and blueprint; `"trigger": []` runs nothing; a list runs only what it
 * names. Every write also feeds the Notifications API's channels (notifications.ts), which are not automation and
 * follow every change, whatever `trigger` says.
 */
import type { WriteEvent } from "./crm.js";
import type { ModuleMeta } from "./metadata.js";
import { NotificationChannels, type WatchChannel } from "./notifications.js";
import type { Row } from "./query.js";
import { type SandboxContext, track } from "./state.js";
import { deliver } from "./webhook-delivery.js";

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

const AUTOMATIONS = ["workflow", "approval", "blueprint", "pathfinder", "orchestration"] as const;

export class Automation {
  readonly rules: WorkflowRule[] = [];
  /** The Notifications API's channels (data, like the rules); `notifications` serves and fires them. */
  readonly channels: WatchChannel[] = [];
  // A private field, not an own property: a snapshot of the sandbox's state (infra/local/persistence.ts) keeps the
  // data above and leaves the behaviour out.
  readonly #notifications: NotificationChannels;

  constructor(
    private readonly ctx: SandboxContext,
    readonly modules: Map<string, ModuleMeta>,
    apiDomain: () => string,
  ) {
    this.#notifications = new NotificationChannels(ctx, this, apiDomain);
  }

  /** The Notifications API over {@link channels}: not automation, but fed by the same writes. */
  get notifications(): NotificationChannels {
    return this.#notifications;
  }

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
    this.notifications.notify(event);
  }

  private matches(rule: WorkflowRule, event: WriteEvent): boolean {
    const when = event.operation === "insert" ? "create" : "edit";
    if (rule.on !== "create_or_edit" && rule.on !== when) return false;
    if (when === "edit" && rule.fields && !rule.fields.some((f) => event.changed.includes(f))) return false;
    return (rule.criteria ?? []).every((c) => event.record[c.field] === c.equals);
  }

  /** The request a rule's webhook sends for a record: URL, method, headers and rendered body (the bench sends it too). */
  webhookRequest(
    rule: WorkflowRule,
    module: ModuleMeta,
    record: Row,
  ): { url: string; method: string; headers: Record<string, string>; body?: string } {
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
    return {
      url: url.toString(),
      method: hook.method ?? "POST",
      headers,
      ...(body !== undefined ? { body } : {}),
    };
  }

  private async fire(rule: WorkflowRule, module: ModuleMeta, record: Row): Promise<void> {
    const { url, method, headers, body } = this.webhookRequest(rule, module, record);
    await deliver(
      this.ctx,
      { kind: "crm-workflow", rule: rule.id, url },
      { method, headers, ...(body !== undefined ? { body } : {}) },
    );
  }
}
