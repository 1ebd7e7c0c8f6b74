/**
 * CRM v8 routing (`{url}/api/{dc}/crm/v8/...`): faults, authentication and the body first; then the first route
 * registered for the method and path plans the call (its scope, credit cost and whether it is heavy); then the
 * scope check, the concurrency and credit gate, the configured latency, and the call itself. Each surface's routes
 * live in their own module and register here: metadata, search and COQL, automation (watch), attachments, notes
 * and tasks (related lists: `{module}/{id}/{related}` would shadow Attachments), and records (last: `{module}/{id}`
 * would shadow the others).
 */
import type { IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import { hasScope } from "../accounts.js";
import type { DataCentre } from "../config.js";
import { findModule } from "../metadata.js";
import { type Params, Router } from "../router.js";
import { crmError, type Reply, type State } from "../state.js";
import { registerAttachmentRoutes } from "./crm-attachments.js";
import { registerAutomationRoutes } from "./crm-automation.js";
import { registerMetadataRoutes } from "./crm-metadata.js";
import { registerQueryRoutes } from "./crm-query.js";
import { registerRecordRoutes } from "./crm-records.js";
import { registerRelatedRoutes } from "./crm-related.js";
import { type Gateway, INVALID_URL, parseJson } from "./gateway.js";

/** One CRM call as the routes see it; the path's parameters come separately. */
export interface CrmCall {
  method: string;
  query: Record<string, string>;
  body: unknown;
  userId: string;
  /** Records in `body.data` (for write costs). */
  records: number;
  /** Credits a write of `records` costs. */
  writeCost: number;
  /** A module's API name in lower case, as scopes name it (`ZohoCRM.modules.leads.READ`). */
  mod(name: string): string;
  state: State;
}

/**
 * How to serve a call: its scope (any one of `required`, and every one of `alsoRequired`), cost and heaviness, and
 * the work; or a reply at once.
 */
export type CrmPlan =
  | {
      required: string[];
      alsoRequired?: string[];
      cost?: number;
      heavy?: boolean;
      run: () => Reply | Promise<Reply>;
    }
  | { reply: Reply };

/** A route plans the calls registered for it; `undefined` passes the call on. */
export type CrmRoute = (call: CrmCall, params: Params) => CrmPlan | undefined;

/** Registration order matters where paths overlap: the more specific route first (see above). */
const ROUTES = new Router<CrmRoute>();
registerMetadataRoutes(ROUTES);
registerQueryRoutes(ROUTES);
registerAutomationRoutes(ROUTES);
registerAttachmentRoutes(ROUTES);
registerRelatedRoutes(ROUTES);
registerRecordRoutes(ROUTES);

export async function crmRoute(
  gw: Gateway,
  req: IncomingMessage,
  dc: DataCentre,
  parts: string[],
  query: Record<string, string>,
  raw: Buffer,
): Promise<{ reply: Reply; clientId?: string }> {
  const fault = gw.takeFault("crm");
  if (fault) {
    const r = await gw.faultReply("crm", fault, req);
    return { reply: r ?? { status: 0 } };
  }
  const auth = gw.authenticate(req, dc, "crm");
  if ("status" in auth) return { reply: auth };
  const clientId = auth.clientId;
  const [version, ...path] = parts;
  if (version !== "v8") return { reply: INVALID_URL(), clientId };
  const body = parseJson(raw);
  if (!body.ok) return { reply: crmError(400, "INVALID_DATA", "body is not a valid JSON", {}), clientId };
  const state = gw.state();
  const records = Array.isArray((body.value as { data?: unknown } | undefined)?.data)
    ? (body.value as { data: unknown[] }).data.length
    : 0;
  const call: CrmCall = {
    method: req.method ?? "GET",
    query,
    body: body.value,
    userId: auth.userId,
    records,
    writeCost: Math.max(1, Math.ceil(records / gw.options.recordsPerWriteCredit)),
    mod: (name) => findModule(state.crm.modules, name)?.api_name.toLowerCase() ?? name.toLowerCase(),
    state,
  };
  const plan = ROUTES.first(call.method, path, (route, params) => route(call, params));
  if (!plan) return { reply: INVALID_URL(), clientId };
  if ("reply" in plan) return { reply: plan.reply, clientId };
  if (
    !hasScope(auth.scopes, plan.required) ||
    (plan.alsoRequired ?? []).some((scope) => !hasScope(auth.scopes, [scope]))
  ) {
    return { reply: gw.scopeError("crm"), clientId };
  }
  const gate = gw.admit(clientId, plan.cost ?? 1, plan.heavy ?? false);
  if (gate.reply) return { reply: gate.reply, clientId };
  try {
    if (gw.options.latencyMs > 0) await sleep(gw.options.latencyMs);
    const reply = await plan.run();
    return { reply: { ...reply, headers: { ...(reply.headers ?? {}), ...gate.headers } }, clientId };
  } finally {
    gate.release?.();
  }
}
