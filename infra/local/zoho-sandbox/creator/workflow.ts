/**
 * Creator's workflow engine (checklist item 8): hooks on a form's Created and Edited events that, like a Deluge
 * custom action calling `invokeUrl`, POST JSON to a URL. The body is the contract of the mediator's
 * `POST /v1/hooks/creator/{useCase}`: `{"owner","app","report","id","modified_time"}`, the record's Modified_Time as
 * the app formats it. `skip_workflow` decides what runs: `form_workflow` skips form workflow hooks, `schedules`
 * skips schedule hooks, `all` both; blueprint and approval hooks run regardless (configurable). Every delivery is in
 * the inspection log (`webhooks_fired` / `webhook_failures`, kind `creator-workflow`); every write's outcome in
 * `automations` and the `creator` counts.
 */
import { type SandboxContext, track } from "../state.js";
import { deliver } from "../webhook-delivery.js";
import { formatDateTime } from "./dates.js";
import type { Creator } from "./store.js";
import {
  CREATOR_ENVIRONMENTS,
  type CreatorApp,
  type CreatorEnv,
  type CreatorHook,
  type CreatorRow,
} from "./types.js";

export const SKIP_WORKFLOW_VALUES = ["form_workflow", "schedules", "all"] as const;
/** The use case the seeded app's hooks name when the caller names none. */
export const DEFAULT_CREATOR_USE_CASE = "service-request-triage";

/** `skip_workflow` as sent: `null` when absent, the list when every value is known, `undefined` when it is not. */
export function parseSkipWorkflow(value: unknown): string[] | null | undefined {
  if (value === undefined) return null;
  if (!Array.isArray(value)) return undefined;
  return value.every((v) => SKIP_WORKFLOW_VALUES.includes(v)) ? [...value] : undefined;
}

export interface CreatorWriteEvent {
  app: CreatorApp;
  env: CreatorEnv;
  form: string;
  row: CreatorRow;
  operation: "create" | "edit";
  skip: string[] | null;
  source: "api" | "ui";
}

function skipped(hook: CreatorHook, skip: string[], coversBlueprints: boolean): boolean {
  const all = skip.includes("all");
  if (hook.type === "form_workflow") return all || skip.includes("form_workflow");
  if (hook.type === "schedule") return all || skip.includes("schedules");
  return coversBlueprints && all;
}

/** Runs the hooks a write triggers; returns the IDs of those fired. */
export function runWorkflows(ctx: SandboxContext, creator: Creator, event: CreatorWriteEvent): string[] {
  const { app, env, form, row, operation, skip } = event;
  const fired: string[] = [];
  let suppressed = 0;
  for (const hook of creator.hooks) {
    if (hook.owner !== app.owner || hook.app !== app.link_name || hook.form !== form) continue;
    if (hook.environment !== env || !hook.events.includes(operation)) continue;
    if (skipped(hook, skip ?? [], ctx.options.creatorSkipWorkflowCoversBlueprints)) {
      suppressed += 1;
      continue;
    }
    fired.push(hook.id);
    const body = JSON.stringify({
      owner: app.owner,
      app: app.link_name,
      report: hook.report,
      id: row.ID,
      modified_time: formatDateTime(row.Modified_Time, app),
    });
    track(
      ctx,
      deliver(
        ctx,
        {
          kind: "creator-workflow",
          rule: hook.id,
          url: hook.url,
          module: `${app.owner}/${app.link_name}/${form}`,
          record_id: row.ID,
          event: operation,
        },
        { method: "POST", headers: { ...hook.headers, "content-type": "application/json" }, body },
      ),
    );
  }
  const counts = ctx.inspector.creator;
  counts.hooks_fired += fired.length;
  counts.hooks_skipped += suppressed;
  ctx.inspector.automation({
    time: ctx.clock.stamp(),
    module: `${app.owner}/${app.link_name}/${form}`,
    record_id: row.ID,
    ran: fired.length ? ["workflow"] : [],
    rules_fired: fired,
    trigger: null,
    skip_workflow: skip,
    source: event.source,
  });
  return fired;
}

/** What a test or the local stack sends to register a hook (`POST /_sandbox/creator/hooks`). */
export interface HookInput {
  owner?: string;
  app?: string;
  form?: string;
  report?: string;
  events?: ("create" | "edit")[];
  type?: CreatorHook["type"];
  environment?: CreatorEnv;
  /** The full URL, or `base_url` and `use_case` for `{base_url}/v1/hooks/creator/{use_case}`. */
  url?: string;
  base_url?: string;
  use_case?: string;
  headers?: Record<string, string>;
  /** Sent as `X-Mediator-Token`. */
  token?: string;
}

/** Registers a hook on a form (default: the first app's mediator form); a string says what is wrong. */
export function addHook(ctx: SandboxContext, creator: Creator, input: HookInput): CreatorHook | string {
  const app = input.owner || input.app ? creator.app(input.owner ?? "", input.app ?? "") : creator.apps[0];
  if (!app) return "no such app (owner and app are link names of a seeded app)";
  const form = input.form ?? app.mediator.form;
  if (!creator.form(app, form)) return `no form ${form} in ${app.link_name}`;
  const report = input.report ?? app.reports.find((r) => r.form === form)?.link_name;
  if (!report || !creator.report(app, report)) return `no report ${String(report)} in ${app.link_name}`;
  const url =
    input.url ??
    (input.base_url
      ? `${input.base_url}/v1/hooks/creator/${input.use_case ?? DEFAULT_CREATOR_USE_CASE}`
      : "");
  if (!/^https?:\/\//.test(url)) return "url (or base_url) is required";
  const events = input.events ?? ["create", "edit"];
  if (!events.length || events.some((e) => e !== "create" && e !== "edit"))
    return "events are create and/or edit";
  const environment = input.environment ?? "production";
  if (!CREATOR_ENVIRONMENTS.includes(environment))
    return `environment is one of ${CREATOR_ENVIRONMENTS.join(", ")}`;
  const type = input.type ?? "form_workflow";
  if (!["form_workflow", "schedule", "blueprint", "approval"].includes(type))
    return "type is form_workflow, schedule, blueprint or approval";
  const hook: CreatorHook = {
    id: ctx.ids.next(),
    owner: app.owner,
    app: app.link_name,
    form,
    report,
    events,
    type,
    environment,
    url,
    headers: { ...(input.headers ?? {}), ...(input.token ? { "X-Mediator-Token": input.token } : {}) },
  };
  creator.hooks.push(hook);
  return hook;
}

/**
 * What an admin sets up for the mediator in every seeded app: an on-create and on-edit form workflow on the app's
 * mediator form calling `{base}/v1/hooks/creator/{useCase}`. Hooks pointing at an earlier base are replaced.
 */
export function connectCreatorHooks(
  ctx: SandboxContext,
  creator: Creator,
  base: string,
  token?: string,
  useCase = DEFAULT_CREATOR_USE_CASE,
): CreatorHook[] {
  const stale = creator.hooks.filter((h) => h.url.includes("/v1/hooks/creator/"));
  for (const h of stale) creator.hooks.splice(creator.hooks.indexOf(h), 1);
  return creator.apps.map((app) => {
    const hook = addHook(ctx, creator, {
      owner: app.owner,
      app: app.link_name,
      base_url: base,
      use_case: useCase,
      ...(token ? { token } : {}),
    });
    if (typeof hook === "string") throw new Error(hook);
    return hook;
  });
}
