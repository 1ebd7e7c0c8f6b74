/**
 * Creator v2.1 on each DC's API domain (`{url}/api/{dc}`), under both URL styles of the official pages:
 *   {api}/creator/v2.1/data/<owner>/<app>/report/<report>[/<ID>]   and   {api}/api/v2.1/<owner>/<app>/report/...
 *   {api}/creator/v2.1/data/<owner>/<app>/form/<form>                (add records)
 *   {api}/creator/v2.1/meta/<owner>/<app>/form/<form>/fields         (field metadata)
 * In order: injected faults (target `creator`), the DC, `Zoho-oauthtoken` auth (401 code 1030), the Accept header,
 * the API access switch (code 1130), the `environment` header, the route (404 codes 1040 / 2892 / 2893 / 2894, and
 * 1000 for any other path, such as record comments, which Creator has no API for), the scope (code 2945 by
 * default), the daily, per-minute and concurrency limits (limits.ts), the configured latency, and the call.
 */
import type { IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import { hasScope } from "../accounts.js";
import type { DataCentre } from "../config.js";
import { type Params, Router } from "../router.js";
import { type Gateway, parseJson } from "../routes/gateway.js";
import type { Reply, SandboxFault } from "../state.js";
import type { CreatorCall } from "./call.js";
import { formFields, getRecord, listRecords } from "./reads.js";
import {
  creatorError,
  DAILY_LIMIT,
  INVALID_PARAM,
  INVALID_URL,
  isReply,
  METHOD_NOT_ALLOWED,
  MINUTE_LIMIT,
  MISSING_BODY,
  NOT_AUTHORIZED,
  numericIds,
} from "./replies.js";
import type { Creator } from "./store.js";
import { CREATOR_ENVIRONMENTS, type CreatorApp, type CreatorEnv } from "./types.js";
import { addRecords, updateByCriteria, updateById } from "./writes.js";

/** How to serve a matched call: the app, the scope it needs and the work; or a reply at once (404, 405). */
type Plan = { app: CreatorApp; scope: string; run: (call: CreatorCall) => Reply } | { reply: Reply };
type CreatorRoute = (creator: Creator, params: Params, method: string) => Plan;

/** The owner and app of a path, or Creator's 404 for whichever is unknown. */
function appOf(creator: Creator, { owner = "", app = "" }: Params): CreatorApp | Reply {
  if (!creator.isOwner(owner)) return creatorError(404, 1040, `No account owner named "${owner}" found.`);
  return creator.app(owner, app) ?? creatorError(404, 2892, `No application named "${app}" found.`);
}

/** A route on a report: resolves owner, app and report, then plans with them. */
const onReport =
  (scope: string, run: (call: CreatorCall, report: string, id: string) => Reply): CreatorRoute =>
  (creator, params) => {
    const app = appOf(creator, params);
    if (isReply(app)) return { reply: app };
    const report = creator.report(app, params.report ?? "");
    if (!report) return { reply: creatorError(404, 2894, `No report named "${params.report}" found.`) };
    return { app, scope, run: (call) => run(call, report.link_name, params.id ?? "") };
  };
const onForm =
  (scope: string, run: (call: CreatorCall, form: string) => Reply): CreatorRoute =>
  (creator, params) => {
    const app = appOf(creator, params);
    if (isReply(app)) return { reply: app };
    const form = creator.form(app, params.form ?? "");
    if (!form) return { reply: creatorError(404, 2893, `No form named "${params.form}" found.`) };
    return { app, scope, run: (call) => run(call, form.link_name) };
  };
const notAllowed: CreatorRoute = (_creator, _params, method) => ({ reply: METHOD_NOT_ALLOWED(method) });

const report = (call: CreatorCall, name: string) =>
  call.creator.report(call.app, name) as NonNullable<ReturnType<Creator["report"]>>;
const form = (call: CreatorCall, name: string) =>
  call.creator.form(call.app, name) as NonNullable<ReturnType<Creator["form"]>>;

/** `.../data/...` (and the legacy `/api/v2.1/...`): reports and forms. */
const DATA = new Router<CreatorRoute>()
  .on(
    "GET",
    ":owner/:app/report/:report",
    onReport("ZohoCreator.report.READ", (c, r) => listRecords(c, report(c, r))),
  )
  .on(
    "PATCH",
    ":owner/:app/report/:report",
    onReport("ZohoCreator.report.UPDATE", (c, r) => updateByCriteria(c, report(c, r))),
  )
  .on(
    "GET",
    ":owner/:app/report/:report/:id",
    onReport("ZohoCreator.report.READ", (c, r, id) => getRecord(c, report(c, r), id)),
  )
  .on(
    "PATCH",
    ":owner/:app/report/:report/:id",
    onReport("ZohoCreator.report.UPDATE", (c, r, id) => updateById(c, report(c, r), id)),
  )
  .on(
    "POST",
    ":owner/:app/form/:form",
    onForm("ZohoCreator.form.CREATE", (c, f) => addRecords(c, form(c, f))),
  )
  .on("*", ":owner/:app/report/:report", notAllowed)
  .on("*", ":owner/:app/report/:report/:id", notAllowed)
  .on("*", ":owner/:app/form/:form", notAllowed);

/** `.../meta/...`: a form's fields. */
const META = new Router<CreatorRoute>().on(
  "GET",
  ":owner/:app/form/:form/fields",
  onForm("ZohoCreator.meta.form.READ", (c, f) => formFields(c, form(c, f))),
);

/** True for the paths Creator serves on an API domain (the dispatcher's test). */
export const isCreatorPath = (rest: readonly string[]): boolean =>
  rest[0] === "creator" || (rest[0] === "api" && /^v2(\.1)?$/.test(rest[1] ?? ""));

/** The router and path below `/creator/v2.1/{data|meta}/` or `/api/v2.1/[meta/]`; undefined for any other. */
function split(rest: readonly string[]): { router: Router<CreatorRoute>; path: string[] } | undefined {
  const [root, version, kind, ...tail] = rest;
  if (version !== "v2.1") return undefined;
  if (root === "creator" && kind === "data") return { router: DATA, path: tail };
  if (kind === "meta") return { router: META, path: tail };
  if (root === "api" && kind !== undefined) return { router: DATA, path: [kind, ...tail] };
  return undefined;
}

/** A queued fault in Creator's shapes; "daily-limit" is the HTTP 200 code 4000 answer. */
async function faultReply(gw: Gateway, fault: SandboxFault, req: IncomingMessage): Promise<Reply> {
  // A hang is the same for every service: the gateway holds the socket and destroys it.
  if (fault.kind === "hang") return (await gw.faultReply("crm", fault, req)) ?? { status: 0 };
  if (fault.kind === "daily-limit") return DAILY_LIMIT();
  if (fault.kind === 429) return MINUTE_LIMIT();
  if (fault.kind === 401) return NOT_AUTHORIZED();
  return creatorError(500, 2930, "Error Occurred. We are sorry for the inconvenience.");
}

function environment(req: IncomingMessage): CreatorEnv | undefined {
  const sent = req.headers.environment;
  if (sent === undefined) return "production";
  return CREATOR_ENVIRONMENTS.find((e) => e === sent);
}

export async function creatorRoute(
  gw: Gateway,
  req: IncomingMessage,
  dc: DataCentre,
  rest: string[],
  query: Record<string, string>,
  raw: Buffer,
): Promise<{ reply: Reply; clientId?: string }> {
  const fault = gw.takeFault("creator");
  if (fault) return { reply: await faultReply(gw, fault, req) };
  const { options } = gw;
  const state = gw.state();
  if (!options.creatorDataCentres.includes(dc)) return { reply: INVALID_URL() };
  const header = req.headers.authorization ?? "";
  const prefix = "Zoho-oauthtoken ";
  const token = header.startsWith(prefix)
    ? state.accounts.validate(header.slice(prefix.length).trim(), dc)
    : undefined;
  if (!token) return { reply: NOT_AUTHORIZED() };
  const clientId = token.clientId;
  const done = (reply: Reply) => ({ reply, clientId });
  const accept = req.headers.accept;
  if (
    options.creatorStrictAccept &&
    accept !== undefined &&
    accept !== "application/json" &&
    accept !== "text/csv"
  )
    return done(creatorError(400, 1060, "Please enter a valid input for 'accept' header key"));
  if (!options.creatorApiAccess)
    return done(
      creatorError(
        options.creatorApiAccessDeniedStatus,
        1130,
        "You do not have permission to access this application's APIs.",
      ),
    );
  const env = environment(req);
  if (!env) return done(INVALID_PARAM("environment"));
  const target = split(rest);
  if (!target) return done(INVALID_URL());
  const method = req.method ?? "GET";
  const plan = target.router.first(method, target.path, (route, params) =>
    route(state.creator, params, method),
  );
  if (!plan) return done(INVALID_URL());
  if ("reply" in plan) return done(plan.reply);
  if (!hasScope(token.scopes, [plan.scope]))
    return done(
      creatorError(
        options.creatorScopeErrorStatus,
        options.creatorScopeErrorCode,
        "This is an invalid oauthscope. Please check the scope of the access token.",
      ),
    );
  const body = parseJson(raw);
  if (!body.ok) return done(MISSING_BODY());
  const { app } = plan;
  const gate = state.creator.limits.admit(
    { owner: app.owner, timeZone: app.time_zone },
    token.userId,
    `${method} ${target.path.join("/")}`,
  );
  if ("reply" in gate) return done(gate.reply);
  try {
    if (options.latencyMs > 0) await sleep(options.latencyMs);
    const call: CreatorCall = {
      ctx: state.ctx,
      creator: state.creator,
      app,
      env,
      query,
      headers: req.headers,
      body: body.value,
      csv: accept === "text/csv",
      clientId,
      source: "api",
    };
    const reply = plan.run(call);
    if (!options.creatorNumericIds || typeof reply.body !== "object" || reply.body === null)
      return done(reply);
    return done({ ...reply, body: numericIds(reply.body) });
  } finally {
    gate.release();
  }
}
