/**
 * Books v3 routing (`{url}/api/{dc}/books/v3/...`, the DC's API domain, checklist items 16-28): faults, then
 * `Zoho-oauthtoken` authentication (401 code 57), the route (404 / 405), the `organization_id` (400 code 2 when
 * missing or not numeric, 6041 for an org the token's user is not in or that lives in another DC), the org's call
 * limits (429 codes 45 / 44 / 1070), the operation's `ZohoBooks.<module>.<OP>` scope, the configured latency and the
 * call. Surfaces register here: organizations and custom-field settings, comments, entities (last: `{module}/{id}`
 * would shadow the others).
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import { type AccessToken, hasScope } from "../accounts.js";
import type { DataCentre, SandboxOptions } from "../config.js";
import { type Params, Router } from "../router.js";
import type { Gateway } from "../routes/gateway.js";
import { parseJson } from "../routes/gateway.js";
import type { Reply, SandboxFault } from "../state.js";
import { booksError, internalError, invalidUrl, limitReply, methodNotAllowed } from "./errors.js";
import { admitBooksCall } from "./limits.js";
import { booksJson } from "./render.js";
import { registerCommentRoutes } from "./routes-comments.js";
import { registerEntityRoutes } from "./routes-entities.js";
import { registerSettingsRoutes } from "./routes-settings.js";
import type { Books } from "./store.js";
import type { BooksOrg } from "./types.js";

/** One Books call as the routes see it (the path after `/books/v3/`); the path's parameters come separately. */
export interface BooksCall {
  method: string;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
  books: Books;
  options: SandboxOptions;
  dc: DataCentre;
  userId: string;
  /** An inbound `X-ZOHO-Skip-Webhook-Trigger: true`, when the sandbox honours it (a setting, default off). */
  skipWebhooks: boolean;
}

/**
 * How to serve a call: the scope it needs and the work, run with the caller's org (`run`) or before any org is
 * known (`global`: `GET /organizations`); or a reply at once.
 */
export type BooksPlan =
  | { scope: string; run: (org: BooksOrg) => Reply }
  | { scope: string; global: () => Reply }
  | { reply: Reply };

/** A route plans the calls registered for it; `undefined` passes the call on. */
export type BooksRoute = (call: BooksCall, params: Params) => BooksPlan | undefined;

const ROUTES = new Router<BooksRoute>();
registerSettingsRoutes(ROUTES);
registerCommentRoutes(ROUTES);
registerEntityRoutes(ROUTES);

const METHODS = ["GET", "POST", "PUT", "DELETE"] as const;
const UNAUTHORIZED = "You are not authorized to perform this operation";

/** `ZohoBooks.fullaccess.all` (UNCONFIRMED, notes §2.2) covers every operation. */
export const hasBooksScope = (granted: string[], required: string): boolean =>
  granted.some((s) => s.toLowerCase() === "zohobooks.fullaccess.all") || hasScope(granted, [required]);

async function faultReply(gw: Gateway, fault: SandboxFault, req: IncomingMessage): Promise<Reply> {
  if (fault.kind === "hang") return (await gw.faultReply("crm", fault, req)) ?? { status: 0 };
  if (fault.kind === 401) return booksError(401, gw.options.booksAuthErrorCode, UNAUTHORIZED);
  if (fault.kind === 429) {
    const code = fault.code === 45 || fault.code === 1070 ? fault.code : 44;
    return limitReply(code, gw.options.booksDailyLimit);
  }
  return internalError();
}

function authenticate(gw: Gateway, req: IncomingMessage, dc: DataCentre): AccessToken | Reply {
  const header = req.headers.authorization ?? "";
  const match = /^(Zoho-oauthtoken|Bearer) (.+)$/.exec(header);
  const accepted = match && (match[1] === "Zoho-oauthtoken" || gw.options.booksAcceptBearer);
  const token = accepted ? gw.state().accounts.validate((match?.[2] ?? "").trim(), dc) : undefined;
  return token ?? booksError(401, gw.options.booksAuthErrorCode, UNAUTHORIZED);
}

function resolveOrg(call: BooksCall): BooksOrg | Reply {
  const header = call.options.booksOrgIdHeader ? call.headers["x-com-zoho-books-organizationid"] : undefined;
  const id = call.query.organization_id ?? (typeof header === "string" ? header : undefined);
  if (!id || !/^\d+$/.test(id))
    return booksError(400, call.options.booksInvalidOrgCode, "Invalid value passed for organization_id");
  const org = call.books.orgs.get(id);
  if (!org || org.dc !== call.dc || !org.members.includes(call.userId))
    return booksError(
      call.options.booksOrgNotAssociatedStatus,
      6041,
      `This user is not associated with the CompanyID/CompanyName:${id}.`,
    );
  return org;
}

/** The reply as sent: JSON text (ids as strings, or bare numbers under `booksNumericIds`) and the limit headers. */
function finish(reply: Reply, options: SandboxOptions, headers: Record<string, string> = {}): Reply {
  const body = reply.body === undefined ? undefined : booksJson(reply.body, options.booksNumericIds);
  return { status: reply.status, body, headers: { ...(reply.headers ?? {}), ...headers } };
}

export async function booksRoute(
  gw: Gateway,
  req: IncomingMessage,
  dc: DataCentre,
  parts: string[],
  query: Record<string, string>,
  raw: Buffer,
): Promise<{ reply: Reply; clientId?: string }> {
  const { options } = gw;
  const fault = gw.takeFault("books");
  if (fault) return { reply: await faultReply(gw, fault, req) };
  const auth = authenticate(gw, req, dc);
  if ("status" in auth) return { reply: auth };
  const clientId = auth.clientId;
  const [version, ...path] = parts;
  if (version !== "v3") return { reply: invalidUrl(), clientId };
  const body = parseJson(raw);
  if (!body.ok) return { reply: booksError(400, 4, "Invalid value passed for JSONString"), clientId };
  const call: BooksCall = {
    method: req.method ?? "GET",
    query,
    body: body.value,
    headers: req.headers,
    books: gw.state().books,
    options,
    dc,
    userId: auth.userId,
    skipWebhooks:
      options.booksHonourSkipWebhookHeader &&
      String(req.headers["x-zoho-skip-webhook-trigger"]).toLowerCase() === "true",
  };
  const plan = ROUTES.first(call.method, path, (route, params) => route(call, params));
  if (!plan) {
    const known = METHODS.some(
      (m) =>
        m !== call.method && ROUTES.first(m, path, (route, params) => route({ ...call, method: m }, params)),
    );
    return { reply: known ? methodNotAllowed() : invalidUrl(), clientId };
  }
  if ("reply" in plan) return { reply: finish(plan.reply, options), clientId };
  const scopeError = () =>
    booksError(options.booksScopeErrorStatus, options.booksAuthErrorCode, UNAUTHORIZED);
  if ("global" in plan)
    return {
      reply: hasBooksScope(auth.scopes, plan.scope) ? finish(plan.global(), options) : scopeError(),
      clientId,
    };
  const org = resolveOrg(call);
  if ("status" in org) return { reply: org, clientId };
  const gate = admitBooksCall(call.books, org, options);
  if (gate.reply) return { reply: gate.reply, clientId };
  try {
    if (!hasBooksScope(auth.scopes, plan.scope)) return { reply: scopeError(), clientId };
    if (options.latencyMs > 0) await sleep(options.latencyMs);
    return { reply: finish(plan.run(org), options, gate.headers), clientId };
  } finally {
    gate.release?.();
  }
}
