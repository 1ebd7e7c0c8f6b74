/**
 * Zoho Accounts routing (`{url}/accounts/{dc}/oauth/...`, checklist items 1-8): token (code and refresh exchanges),
 * revoke, authorize and serverinfo. Token calls accept the query string, a form body or a multipart body.
 */
import type { IncomingMessage } from "node:http";
import { parseForm, parseMultipart } from "../../http.js";
import { DATA_CENTRES, type DataCentre } from "../config.js";
import { Router } from "../router.js";
import { json, type Reply, type State } from "../state.js";
import type { Gateway } from "./gateway.js";

/** One accounts call: the data centre, the query string, and the query merged with the body's parameters. */
interface AccountsCall {
  state: State;
  dc: DataCentre;
  query: Record<string, string>;
  params: Record<string, string>;
}

type AccountsRoute = (call: AccountsCall) => Reply;

const ROUTES = new Router<AccountsRoute>()
  .on("POST", "oauth/v2/token", ({ state, dc, params }) => state.accounts.token(dc, params))
  .on("POST", "oauth/v2/token/revoke", ({ state, params }) => state.accounts.revoke(params))
  .on("GET", "oauth/v2/auth", ({ state, dc, query }) => state.accounts.authorize(dc, query))
  .on("GET", "oauth/serverinfo", ({ state }) =>
    json(200, {
      result: "success",
      locations: Object.fromEntries(DATA_CENTRES.map((d) => [d, state.accounts.accountsUrl(d)])),
    }),
  );

export async function accountsRoute(
  gw: Gateway,
  req: IncomingMessage,
  dc: DataCentre,
  path: string[],
  query: Record<string, string>,
  raw: Buffer,
): Promise<Reply | undefined> {
  const state = gw.state();
  const fault = gw.takeFault("accounts");
  if (fault) return gw.faultReply("accounts", fault, req);
  const contentType = req.headers["content-type"] ?? "";
  const form = contentType.startsWith("multipart/form-data")
    ? parseMultipart(raw, contentType)
    : contentType.includes("json")
      ? {}
      : parseForm(raw.toString("utf8"));
  const call: AccountsCall = { state, dc, query, params: { ...query, ...form } };
  return (
    ROUTES.first(req.method ?? "GET", path, (route) => route(call)) ?? json(404, { error: "invalid_request" })
  );
}
