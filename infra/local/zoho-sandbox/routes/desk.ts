/**
 * Desk v1 routing (`{url}/desk/{dc}/api/v1/...`): faults, authentication, the `orgId` header, the body, the source
 * id header and the configured latency first; then the first surface that recognises the call serves it.
 */
import type { IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import { hasScope } from "../accounts.js";
import type { DataCentre } from "../config.js";
import type { Desk } from "../desk.js";
import { deskError, json, type Reply } from "../state.js";
import { deskSettingsRoutes } from "./desk-settings.js";
import { ticketRoutes } from "./desk-tickets.js";
import { deskWebhookRoutes } from "./desk-webhooks.js";
import { DESK_NOT_FOUND, type Gateway, parseJson } from "./gateway.js";

/** One Desk call as the surfaces see it: `/api/v1/{resource}/{id}/{sub}/{subId}`. */
export interface DeskCall {
  method: string;
  resource?: string;
  id?: string;
  sub?: string;
  subId?: string;
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

/** A surface serves the calls it recognises; `undefined` passes the call on. */
export type DeskSurface = (call: DeskCall) => Reply | Promise<Reply> | undefined;

const SURFACES: DeskSurface[] = [ticketRoutes, deskWebhookRoutes, deskSettingsRoutes];

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
  const [api, version, resource, id, sub, subId] = parts;
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
    return {
      reply: json(200, {
        data: [
          {
            id: desk.orgId,
            companyName: desk.seed.deskOrg.companyName,
            portalName: desk.seed.deskOrg.portalName,
            isDefault: true,
          },
        ],
      }),
      clientId,
    };
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
    ...(resource !== undefined ? { resource } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(sub !== undefined ? { sub } : {}),
    ...(subId !== undefined ? { subId } : {}),
    query,
    body: body.value,
    ...(typeof sourceHeader === "string" ? { sourceId: sourceHeader } : {}),
    agentId: desk.agents[0]?.id ?? "",
    desk,
    scope,
    need: (...s) => (scope(...s) ? undefined : gw.scopeError("desk")),
    scopeError: () => gw.scopeError("desk"),
  };
  for (const surface of SURFACES) {
    const reply = await surface(call);
    if (reply) return { reply, clientId };
  }
  return { reply: DESK_NOT_FOUND(), clientId };
}
