/**
 * The sandbox's HTTP entry: reads the body, picks the service from the path's first segments, lets that service's
 * routes answer, logs the call for inspection and writes the reply. Each service (routes/accounts.ts, routes/crm.ts,
 * routes/desk.ts, routes/control.ts) runs its own checks (faults, auth, orgId) and then its router (router.ts).
 *
 *   accounts server   {url}/accounts/{dc}/...
 *   CRM api_domain    {url}/api/{dc}/crm/...
 *   Books             {url}/api/{dc}/books/...   (the same API domain, books/routes.ts)
 *   Creator           {url}/api/{dc}/creator/... and /api/{dc}/api/v2.1/...   (creator/routes.ts)
 *   Desk              {url}/desk/{dc}/...
 *   control           {url}/_sandbox/...
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, sendJson } from "../http.js";
import { booksRoute } from "./books/routes.js";
import { creatorRoute, isCreatorPath } from "./creator/routes.js";
import { accountsRoute } from "./routes/accounts.js";
import { control } from "./routes/control.js";
import { crmRoute } from "./routes/crm.js";
import { deskRoute } from "./routes/desk.js";
import { type Gateway, INVALID_URL, isDc } from "./routes/gateway.js";
import type { ZohoSandbox } from "./server.js";
import type { Reply } from "./state.js";

/** Largest request body the sandbox reads (Zoho's own limits are lower; this only bounds memory). */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** The request handler of one sandbox; `sandbox` is read per call, as the control surface needs the live object. */
export function createDispatcher(
  gw: Gateway,
  sandbox: () => ZohoSandbox,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const query = Object.fromEntries(url.searchParams);
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, {
          code: "LIMIT_EXCEEDED",
          details: {},
          message: "request body too large",
          status: "error",
        });
      throw error;
    }
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [root, dc, ...rest] = segments;
    let service: "accounts" | "crm" | "desk" | "books" | "creator" | "control";
    let reply: Reply | undefined;
    let clientId: string | undefined;
    if (root === "_sandbox") {
      service = "control";
      reply = await control(gw, sandbox(), req, segments.slice(1), raw);
    } else if (root === "accounts" && isDc(dc)) {
      service = "accounts";
      reply = await accountsRoute(gw, req, dc, rest, query, raw);
    } else if (root === "api" && isDc(dc) && rest[0] === "crm") {
      service = "crm";
      ({ reply, clientId } = await crmRoute(gw, req, dc, rest.slice(1), query, raw));
    } else if (root === "api" && isDc(dc) && rest[0] === "books") {
      service = "books";
      ({ reply, clientId } = await booksRoute(gw, req, dc, rest.slice(1), query, raw));
    } else if (root === "api" && isDc(dc) && isCreatorPath(rest)) {
      service = "creator";
      ({ reply, clientId } = await creatorRoute(gw, req, dc, rest, query, raw));
    } else if (root === "desk" && isDc(dc)) {
      service = "desk";
      ({ reply, clientId } = await deskRoute(gw, req, dc, rest, query, raw));
    } else {
      service = "crm";
      reply = INVALID_URL();
    }
    // A hang fault leaves nothing to answer: the socket is already gone.
    if (!reply || reply.status === 0) return;
    if (service !== "control") {
      const state = gw.state();
      state.ctx.inspector.request({
        time: state.ctx.clock.stamp(),
        method: req.method ?? "GET",
        path: url.pathname,
        status: reply.status,
        service,
        duration_ms: Date.now() - started,
        ...(clientId ? { client_id: clientId } : {}),
      });
    }
    send(res, reply);
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === 302 || reply.status === 204) {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end();
    return;
  }
  // Bytes (an attachment download) go out as they are, with the content type the route set.
  if (Buffer.isBuffer(reply.body)) {
    res.writeHead(reply.status, { "content-length": String(reply.body.length), ...(reply.headers ?? {}) });
    res.end(reply.body);
    return;
  }
  sendJson(res, reply.status, reply.body, reply.headers);
}
