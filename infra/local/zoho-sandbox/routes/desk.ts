/**
 * Desk v1 routing (`{url}/desk/{dc}/api/v1/...`): faults, authentication, the `orgId` header, the body, the source
 * id header and the configured latency first; then the first route registered for the method and path serves it.
 * Each surface's routes live in their own module and register here: tickets, the conversation (threads, comments,
 * drafts and replies), webhooks, and settings (ticket fields, reply addresses, agents).
 */
import type { IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import { hasScope } from "../accounts.js";
import type { DataCentre } from "../config.js";
import type { Desk } from "../desk.js";
import { type Params, Router } from "../router.js";
import { deskError, type Reply } from "../state.js";
import { registerReplyRoutes } from "./desk-replies.js";
import { organizations, registerDeskSettingsRoutes } from "./desk-settings.js";
import { registerTicketRoutes } from "./desk-tickets.js";
import { registerDeskWebhookRoutes } from "./desk-webhooks.js";
import { DESK_NOT_FOUND, type Gateway, parseJson } from "./gateway.js";

/** One Desk call as the routes see it (the path after `/api/v1/`); the path's parameters come separately. */
export interface DeskCall {
  method: string;
  query: Record<string, string>;
  body: unknown;
  /** The caller's source id (the `ignoreSourceId` of webhooks), from the configured header. */
  sourceId?: string;
  /** The agent an API write is attributed to. */
  agentId: string;
  desk: Desk;
  /** True when the token holds every scope named. */
  scope(...scopes: string[]): boolean;
  /** `undefined` when the token holds every scope named, else Desk's scope error. */
  need(...scopes: string[]): Reply | undefined;
  scopeError(): Reply;
}

/** A route serves the calls registered for it; `undefined` passes the call on. */
export type DeskRoute = (call: DeskCall, params: Params) => Reply | Promise<Reply> | undefined;

const ROUTES = new Router<DeskRoute>();
registerTicketRoutes(ROUTES);
registerReplyRoutes(ROUTES);
registerDeskWebhookRoutes(ROUTES);
registerDeskSettingsRoutes(ROUTES);

export async function deskRoute(
  gw: Gateway,
  req: IncomingMessage,
  dc: DataCentre,
  parts: string[],
  query: Record<string, string>,
  raw: Buffer,
): Promise<{ reply: Reply; clientId?: string }> {
  const fault = gw.takeFault("desk");
  if (fault) {
    const r = await gw.faultReply("desk", fault, req);
    return { reply: r ?? { status: 0 } };
  }
  const { options } = gw;
  const [api, version, ...path] = parts;
  const [resource] = path;
  if (api !== "api" || version !== "v1") return { reply: DESK_NOT_FOUND() };
  const auth = gw.authenticate(req, dc, "desk");
  if ("status" in auth) return { reply: auth };
  const clientId = auth.clientId;
  const desk = gw.state().desk;
  const method = req.method ?? "GET";
  const scope = (...s: string[]) => s.every((one) => hasScope(auth.scopes, [one]));
  // The one call made before an orgId is known: it is how a client learns it.
  if (resource === "organizations" && method === "GET") {
    if (!scope("Desk.basic.READ")) return { reply: gw.scopeError("desk"), clientId };
    return { reply: organizations(desk), clientId };
  }
  const orgId = req.headers.orgid;
  if (orgId === undefined)
    return {
      reply: deskError(
        options.deskMissingOrgIdStatus,
        "UNPROCESSABLE_ENTITY",
        "The orgId header is missing.",
      ),
      clientId,
    };
  if (orgId !== desk.orgId)
    return {
      reply: deskError(401, "OAUTH_ORG_MISMATCH", "The OAuth token does not belong to this organization."),
      clientId,
    };
  const body = parseJson(raw);
  if (!body.ok)
    return { reply: deskError(400, "BAD_REQUEST", "The request body is not valid JSON."), clientId };
  const sourceHeader = req.headers[options.deskSourceIdHeader.toLowerCase()];
  if (options.latencyMs > 0) await sleep(options.latencyMs);
  const call: DeskCall = {
    method,
    query,
    body: body.value,
    ...(typeof sourceHeader === "string" ? { sourceId: sourceHeader } : {}),
    agentId: desk.agents[0]?.id ?? "",
    desk,
    scope,
    need: (...s) => (scope(...s) ? undefined : gw.scopeError("desk")),
    scopeError: () => gw.scopeError("desk"),
  };
  const reply = await ROUTES.first(method, path, (route, params) => route(call, params));
  return { reply: reply ?? DESK_NOT_FOUND(), clientId };
}
