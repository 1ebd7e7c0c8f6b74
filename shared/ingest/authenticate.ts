/**
 * Who may call which route, checked before anything that depends on caller-chosen names: CRM and flow routes take
 * the token in a header (flow may sign instead), Desk may put it in the URL, Notification API callbacks carry
 * their channel's token in the body.
 */
import type { HttpRequest } from "./http.js";
import type { IngestRoute } from "./routes/route-kit.js";
import { own } from "./routes/route-kit.js";
import {
  checkNotificationToken,
  checkSignature,
  checkToken,
  SIGNATURE_HEADER,
  WebhookAuthHintError,
  type WebhookSecrets,
} from "./webhook-auth.js";

/** The connection the request names (not yet checked: that happens after authentication). */
export const requestedConnection = (req: HttpRequest): string =>
  req.query.connection ?? req.headers["x-mediator-connection"] ?? "default";

/**
 * The shared token. Only Desk, which cannot set a header on its webhooks, may send it in the URL: a token in a URL
 * ends up in browser histories, proxies and Zoho's own webhook logs, so elsewhere it is refused outright (even next
 * to a valid header) with a message saying where it belongs.
 */
function headerToken(req: HttpRequest, route: string): string | undefined {
  if (req.query.token !== undefined)
    throw new WebhookAuthHintError(
      `the token is not accepted in the query string on ${route} routes: send it in the X-Mediator-Token header (only /v1/hooks/desk takes ?token=)`,
    );
  return req.headers["x-mediator-token"];
}

/** Desk's credential: the token header, or `?token=` (Desk cannot set headers). */
export const deskToken = (req: HttpRequest): string | undefined =>
  req.headers["x-mediator-token"] ?? req.query.token;

/** Authenticates the request for its route; returns the credential that matched (the caller's identity). */
export function authenticate(
  req: HttpRequest,
  route: IngestRoute["label"],
  secrets: WebhookSecrets,
  extra: { body?: unknown; idempotencyKey?: string | undefined; nowSeconds: number },
): string {
  if (route === "notifications") {
    const t = own(extra.body, "token");
    return checkNotificationToken(typeof t === "string" ? t : undefined, secrets);
  }
  if (route === "desk") return checkToken(deskToken(req), secrets);
  const token = headerToken(req, { crm: "CRM", creator: "Creator", books: "Books", flow: "flow" }[route]);
  const signature = req.headers[SIGNATURE_HEADER];
  if (route === "flow" && signature !== undefined)
    return checkSignature(
      signature,
      {
        method: req.method,
        path: req.path,
        connection: requestedConnection(req),
        idempotencyKey: extra.idempotencyKey,
        body: req.body,
      },
      secrets,
      extra.nowSeconds,
    );
  return checkToken(token, secrets);
}
