/**
 * Creator controls (`{url}/_sandbox/creator/...`, loopback only), for tests and the local stack:
 * - `GET creator`: the apps (owner, link names, formats, forms, reports), the hooks, the daily usage and limit;
 * - `POST creator/hooks` `{form?, events?, type?, environment?, report?, url | base_url + use_case, token?,
 *   headers?}` registers a workflow hook; `GET creator/hooks` lists them, `DELETE creator/hooks[/<id>]` removes;
 * - `POST creator/connect-hooks` `{base_url, token?, use_case?}` points every app's mediator form at
 *   `{base_url}/v1/hooks/creator/{use_case}` (on create and edit), replacing earlier mediator hooks;
 * - `GET creator/deliveries`: every hook delivery (the inspection log's `creator-workflow` entries);
 * - `GET creator/records/<env>/<owner>/<app>/<form>/<ID>`: a record as v2.1 serves it, and as stored;
 * - `POST creator/records/<env>/<owner>/<app>/<form>` and `PATCH .../<ID>`: a person adding or editing a record in
 *   the app (body: the fields; workflows fire, no API limits count);
 * - `POST creator/apps/<owner>/<app>` `{date_format?, time_format?, time_zone?}`: the app's settings.
 * Faults use the shared `POST /_sandbox/faults` with `target: "creator"` and `kind` 401 (code 1030), 429 (code
 * 2955), 500 (code 2930), "hang" or "daily-limit" (HTTP 200 code 4000).
 */
import type { Router } from "../router.js";
import type { ControlCall, ControlRoute } from "../routes/control.js";
import { json, type Reply } from "../state.js";
import type { CreatorCall } from "./call.js";
import { isReply } from "./replies.js";
import { CREATOR_ENVIRONMENTS, type CreatorEnv } from "./types.js";
import { RecordView } from "./values.js";
import { addHook, connectCreatorHooks, type HookInput } from "./workflow.js";
import { addRecords, updateById } from "./writes.js";

const notFound = (what: string) => json(404, { error: `no such ${what}` });

/** The app, form and environment a records control names, or the 404 saying which is unknown. */
function target(call: ControlCall, p: Readonly<Record<string, string>>) {
  const creator = call.state.creator;
  const env = CREATOR_ENVIRONMENTS.find((e) => e === p.env);
  if (!env) return notFound(`environment (${CREATOR_ENVIRONMENTS.join(", ")})`);
  const app = creator.app(p.owner ?? "", p.app ?? "");
  if (!app) return notFound("app");
  const form = creator.form(app, p.form ?? "");
  if (!form) return notFound("form");
  return { creator, app, form, env: env as CreatorEnv };
}

/** A UI write as a Creator call: no limits, source `ui`, the body's fields as `data`. */
function uiCall(call: ControlCall, t: Exclude<ReturnType<typeof target>, Reply>): CreatorCall {
  return {
    ctx: call.state.ctx,
    creator: t.creator,
    app: t.app,
    env: t.env,
    query: {},
    headers: {},
    body: { data: call.body ?? {} },
    csv: false,
    source: "ui",
  };
}

function summary(call: ControlCall): Reply {
  const creator = call.state.creator;
  return json(200, {
    apps: creator.apps.map((a) => ({
      owner: a.owner,
      app: a.link_name,
      display_name: a.display_name,
      date_format: a.date_format,
      time_format: a.time_format,
      time_zone: a.time_zone,
      mediator: a.mediator,
      forms: a.forms.map((f) => ({ link_name: f.link_name, fields: f.fields.map((x) => x.link_name) })),
      reports: a.reports.map((r) => ({ link_name: r.link_name, form: r.form })),
      records: Object.fromEntries(
        CREATOR_ENVIRONMENTS.map((e) => [
          e,
          Object.fromEntries(Object.entries(a.data[e]).map(([f, t]) => [f, t.size])),
        ]),
      ),
    })),
    hooks: creator.hooks,
    usage: Object.fromEntries(creator.usage),
    daily_limit: creator.limits.dailyLimit(),
  });
}

/** Registers the Creator controls with the control router (routes/control.ts). */
export function registerCreatorControls(router: Router<ControlRoute>): void {
  router
    .on("GET", "creator", (call) => summary(call))
    .on("GET", "creator/hooks", ({ state }) => json(200, { hooks: state.creator.hooks }))
    .on("POST", "creator/hooks", ({ body, state }) => {
      const hook = addHook(state.ctx, state.creator, (body ?? {}) as HookInput);
      return typeof hook === "string" ? json(400, { error: hook }) : json(200, hook);
    })
    .on("DELETE", "creator/hooks", ({ state }) => {
      state.creator.hooks.splice(0);
      return json(200, { hooks: [] });
    })
    .on("DELETE", "creator/hooks/:id", ({ state }, { id }) => {
      const i = state.creator.hooks.findIndex((h) => h.id === id);
      if (i < 0) return notFound("hook");
      state.creator.hooks.splice(i, 1);
      return json(200, { hooks: state.creator.hooks });
    })
    .on("POST", "creator/connect-hooks", ({ body, state }) => {
      const base = typeof body?.base_url === "string" ? body.base_url : "";
      if (!/^https?:\/\//.test(base)) return json(400, { error: "base_url is required" });
      const token = typeof body?.token === "string" ? body.token : undefined;
      const useCase = typeof body?.use_case === "string" ? body.use_case : undefined;
      return json(200, { hooks: connectCreatorHooks(state.ctx, state.creator, base, token, useCase) });
    })
    .on("GET", "creator/deliveries", ({ state }) =>
      json(200, { deliveries: state.ctx.inspector.webhooks.filter((w) => w.kind === "creator-workflow") }),
    )
    .on("GET", "creator/records/:env/:owner/:app/:form/:id", (call, p) => {
      const t = target(call, p);
      if (isReply(t)) return t;
      const row = t.creator.table(t.app, t.env, t.form.link_name).get(p.id ?? "");
      if (!row) return notFound("record");
      return json(200, { record: new RecordView(t.app, t.env).record(t.form, row), stored: row });
    })
    .on("POST", "creator/records/:env/:owner/:app/:form", (call, p) => {
      const t = target(call, p);
      return isReply(t) ? t : addRecords(uiCall(call, t), t.form);
    })
    .on("PATCH", "creator/records/:env/:owner/:app/:form/:id", (call, p) => {
      const t = target(call, p);
      if (isReply(t)) return t;
      const report = t.app.reports.find((r) => r.form === t.form.link_name);
      return report ? updateById(uiCall(call, t), report, p.id ?? "") : notFound("report on the form");
    })
    .on("POST", "creator/apps/:owner/:app", ({ body, state }, p) => {
      const app = state.creator.app(p.owner ?? "", p.app ?? "");
      if (!app) return notFound("app");
      for (const key of ["date_format", "time_format", "time_zone"] as const)
        if (typeof body?.[key] === "string") app[key] = body[key] as string;
      return json(200, {
        date_format: app.date_format,
        time_format: app.time_format,
        time_zone: app.time_zone,
      });
    });
}
