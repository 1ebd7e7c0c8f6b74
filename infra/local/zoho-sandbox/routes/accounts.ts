/** Zoho Accounts routing (`{url}/accounts/{dc}/oauth/...`): token, revoke, authorize and serverinfo. */
import type { IncomingMessage } from "node:http";
import { parseForm, parseMultipart } from "../../http.js";
import { DATA_CENTRES, type DataCentre } from "../config.js";
import { json, type Reply } from "../state.js";
import type { Gateway } from "./gateway.js";

export async function accountsRoute(
  gw: Gateway,
  req: IncomingMessage,
  dc: DataCentre,
  rest: string,
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
  // Token calls accept the query string, a form body or a multipart body (the SDK's choice).
  const params = { ...query, ...form };
  if (rest === "/oauth/v2/token" && req.method === "POST") return state.accounts.token(dc, params);
  if (rest === "/oauth/v2/token/revoke" && req.method === "POST") return state.accounts.revoke(params);
  if (rest === "/oauth/v2/auth" && req.method === "GET") return state.accounts.authorize(dc, query);
  if (rest === "/oauth/serverinfo" && req.method === "GET") {
    return json(200, {
      result: "success",
      locations: Object.fromEntries(DATA_CENTRES.map((d) => [d, state.accounts.accountsUrl(d)])),
    });
  }
  return json(404, { error: "invalid_request" });
}
