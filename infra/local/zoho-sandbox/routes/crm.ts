/**
 * CRM v8 routing (`{url}/api/{dc}/crm/v8/...`): faults, authentication and the body first; then the first surface
 * that recognises the call plans it (its scope, credit cost and whether it is heavy); then the scope check, the
 * concurrency and credit gate, the configured latency, and the call itself.
 */
import type { IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import { hasScope } from "../accounts.js";
import type { DataCentre } from "../config.js";
import { findModule } from "../metadata.js";
import { crmError, type Reply } from "../state.js";
import { automationRoutes } from "./crm-automation.js";
import { metadataRoutes } from "./crm-metadata.js";
import { queryRoutes } from "./crm-query.js";
import { recordRoutes } from "./crm-records.js";
import { relatedRoutes } from "./crm-related.js";
import { type Gateway, INVALID_URL, parseJson, type State } from "./gateway.js";

/** One CRM call as the surfaces see it. */
export interface CrmCall {
  method: string;
  /** The path after `/crm/v8/`: e.g. `["Leads", "search"]`, `["settings", "fields"]`. */
  first?: string;
  second?: string;
  third?: string;
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

/** How to serve a call: its scope (any one of `required`), cost and heaviness, and the work; or a reply at once. */
export type CrmPlan =
  | { required: string[]; cost?: number; heavy?: boolean; run: () => Reply | Promise<Reply> }
  | { reply: Reply };

/** A surface recognises its calls and plans them; `undefined` passes the call on. */
export type CrmSurface = (call: CrmCall) => CrmPlan | undefined;

/** Order matters where paths overlap: `Leads/search` and `settings/fields` before a record by id. */
const SURFACES: CrmSurface[] = [metadataRoutes, queryRoutes, automationRoutes, recordRoutes, relatedRoutes];

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
  const [version, first, second, third] = parts;
  if (version !== "v8") return { reply: INVALID_URL(), clientId };
  const body = parseJson(raw);
  if (!body.ok) return { reply: crmError(400, "INVALID_DATA", "body is not a valid JSON", {}), clientId };
  const state = gw.state();
  const records = Array.isArray((body.value as { data?: unknown } | undefined)?.data)
    ? (body.value as { data: unknown[] }).data.length
    : 0;
  const call: CrmCall = {
    method: req.method ?? "GET",
    ...(first !== undefined ? { first } : {}),
    ...(second !== undefined ? { second } : {}),
    ...(third !== undefined ? { third } : {}),
    query,
    body: body.value,
    userId: auth.userId,
    records,
    writeCost: Math.max(1, Math.ceil(records / gw.options.recordsPerWriteCredit)),
    mod: (name) => findModule(state.crm.modules, name)?.api_name.toLowerCase() ?? name.toLowerCase(),
    state,
  };
  let plan: CrmPlan | undefined;
  for (const surface of SURFACES) {
    plan = surface(call);
    if (plan) break;
  }
  if (!plan) return { reply: INVALID_URL(), clientId };
  if ("reply" in plan) return { reply: plan.reply, clientId };
  if (
    !hasScope(auth.scopes, plan.required) ||
    // Upsert may insert or update, so it needs both.
    (second === "upsert" && !hasScope(auth.scopes, [`ZohoCRM.modules.${call.mod(first ?? "")}.UPDATE`]))
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
