/**
 * The tool endpoint's HTTP routes, independent of API Gateway (the thin handler converts its v2 events; the local
 * router builds the same events): `POST /v1/mcp` (MCP, Streamable HTTP, stateless), `POST /v1/tools/<name>` (the
 * same tools as REST, for GPT Actions), `GET /v1/openapi.json` (their generated OpenAPI document). Every request
 * first passes the Host/Origin check (DNS-rebinding protection, where hosts are configured) and, except the
 * document, the API key check, so an MCP client learns at connect time that its key is wrong and nothing is parsed
 * or run for a caller without a valid key. Never throws: every outcome is an HTTP answer, bad input a 4xx.
 */
import { ApiKeyError } from "../errors.js";
import { type HttpRequest, type HttpResponse, json, parseBody } from "../ingest/http.js";
import type { ToolErrorInfo } from "./definition.js";
import { TOOL_METRICS, type ToolsDeps } from "./deps.js";
import { toToolError } from "./errors.js";
import { authenticate, invokeTool } from "./invoke.js";
import { answerTooLarge, handleMcpPost } from "./mcp.js";
import { buildOpenApi, type OpenApiDocument } from "./openapi.js";

export interface ToolsHttpDeps extends ToolsDeps {
  /**
   * Hosts a request may name in its Host (and Origin) header; absent: no check. The local stack sets the loopback
   * names (a browser page on another site cannot reach a local server through DNS rebinding).
   */
  allowedHosts?: string[];
  /** The public base URL the OpenAPI document names as its server (`TOOLS_PUBLIC_URL`); absent: the request's. */
  publicUrl?: string;
  /** The deployment's version (MCP server info, OpenAPI info). */
  version: string;
  /** `DESK_FROM_ADDRESS`: the from address of Desk replies (invokeTool's; unset: the org's reply addresses). */
  deskFromAddress?: string | undefined;
}

/** Largest request body: a tool's arguments (texts up to `maxTextLength`, 50 fields), with room for JSON escapes. */
export const MAX_TOOLS_BODY_BYTES = 256 * 1024;

/** GPT Actions' limit on a response (characters): a larger REST answer is refused with a way to ask for less. */
export const MAX_REST_ANSWER_CHARS = 100_000;

const MCP_PATH = "/v1/mcp";
const TOOLS_PREFIX = "/v1/tools/";
const OPENAPI_PATH = "/v1/openapi.json";
const WWW_AUTHENTICATE = { "www-authenticate": 'Bearer realm="zoho-gpt-mediator"' };

export async function handleToolsHttp(deps: ToolsHttpDeps, req: HttpRequest): Promise<HttpResponse> {
  const mcp = req.path === MCP_PATH;
  try {
    if (!hostAllowed(deps.allowedHosts, req.headers)) {
      const message = "this host is not allowed to reach the tool endpoint";
      return mcp ? rpcError(403, message) : restError({ status: 403, code: "forbidden", message });
    }
    if (mcp) return await routeMcp(deps, req);
    if (req.path === OPENAPI_PATH) {
      if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed("GET");
      return json(200, openApiFor(deps, req), { "cache-control": "max-age=300" });
    }
    if (req.path.startsWith(TOOLS_PREFIX)) return await routeRest(deps, req);
    return restError({ status: 404, code: "not_found", message: "no such route" });
  } catch (error) {
    // A body refused, a key refused, the key store unavailable, or a bug: the tools' own error mapping.
    const info = toToolError(error);
    if (error instanceof ApiKeyError) deps.metrics.count(TOOL_METRICS.authFailed);
    else if (info.status >= 500) deps.logger.error("tool endpoint failed", { error });
    const headers = info.status === 401 ? WWW_AUTHENTICATE : {};
    return mcp
      ? rpcError(info.status, info.message, rpcCodeOf(info), { ...headers, ...retryAfterOf(info) })
      : restError(info, headers);
  }
}

/** The JSON-RPC code of a request refused before the MCP server read it. */
const rpcCodeOf = (info: ToolErrorInfo): number =>
  info.status === 400
    ? -32700
    : info.status === 401
      ? -32001
      : info.status >= 500 && !info.retryable
        ? -32603
        : -32000;

const retryAfterOf = (info: {
  retryable: boolean;
  retryAfterSeconds?: number | undefined;
}): Record<string, string> =>
  info.retryable ? { "retry-after": String(Math.max(1, info.retryAfterSeconds ?? 1)) } : {};

async function routeMcp(deps: ToolsHttpDeps, req: HttpRequest): Promise<HttpResponse> {
  // Stateless: no standalone SSE stream to GET, no session to DELETE (the spec lets such a server answer 405).
  if (req.method !== "POST") return rpcError(405, "Method not allowed: POST only", -32000, { allow: "POST" });
  const key = await authenticate(deps.keys, req.headers.authorization);
  const body = parseBody(req, MAX_TOOLS_BODY_BYTES, false);
  return handleMcpPost(deps, { caller: { key }, headers: req.headers, body });
}

async function routeRest(deps: ToolsHttpDeps, req: HttpRequest): Promise<HttpResponse> {
  const name = req.path.slice(TOOLS_PREFIX.length);
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name) || !deps.tools.some((t) => t.name === name))
    return restError({ status: 404, code: "not_found", message: "no such tool" });
  if (req.method !== "POST") return methodNotAllowed("POST");
  const key = await authenticate(deps.keys, req.headers.authorization);
  // A tool without arguments may be called with no body at all.
  const args = req.body.trim() === "" ? {} : parseBody(req, MAX_TOOLS_BODY_BYTES, false);
  const outcome = await invokeTool(deps, { key, tool: name, args });
  if (outcome.ok) {
    const body = JSON.stringify(outcome.output);
    // GPT Actions refuse a response over 100,000 characters: say how to ask for less instead of a cut answer.
    if (body.length > MAX_REST_ANSWER_CHARS)
      return restError(answerTooLarge(body.length, MAX_REST_ANSWER_CHARS), {}, outcome.callId);
    return { statusCode: 200, headers: { "content-type": "application/json" }, body };
  }
  return restError(outcome.error, outcome.error.status === 401 ? WWW_AUTHENTICATE : {}, outcome.callId);
}

/** REST's error body (`{ error, message, issues?, jobId? }`), with `retry-after` when the fault is passing. */
export function restError(
  error: Omit<ToolErrorInfo, "retryable"> & { retryable?: boolean },
  headers: Record<string, string> = {},
  callId?: string,
): HttpResponse {
  const retryable = error.retryable ?? false;
  return json(
    error.status,
    {
      error: error.code,
      message: error.message,
      ...(error.issues?.length ? { issues: error.issues } : {}),
      ...(callId ? { jobId: callId } : {}),
      ...(retryable ? { retryable } : {}),
    },
    { ...headers, ...retryAfterOf({ retryable, retryAfterSeconds: error.retryAfterSeconds }) },
  );
}

/** A JSON-RPC error as the SDK's transport answers one outside a session (id null: the request was not read). */
function rpcError(
  status: number,
  message: string,
  code = -32000,
  headers: Record<string, string> = {},
): HttpResponse {
  return json(status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers);
}

const methodNotAllowed = (allow: string) =>
  json(405, { error: "method_not_allowed", message: `use ${allow}` }, { allow });

/**
 * Whether the Host header (and the Origin's host, when a browser sent one) is an allowed host. A name matches with
 * or without its port, so `localhost` allows `localhost:3000`.
 */
export function hostAllowed(
  allowed: readonly string[] | undefined,
  headers: Record<string, string | undefined>,
): boolean {
  if (!allowed) return true;
  const names = new Set(allowed.map((h) => h.trim().toLowerCase()).filter(Boolean));
  const ok = (host: string) => names.has(host) || names.has(hostnameOf(host));
  const host = headers.host?.trim().toLowerCase();
  if (!host || !ok(host)) return false;
  const origin = headers.origin?.trim();
  if (origin === undefined) return true;
  try {
    return ok(new URL(origin).host.toLowerCase());
  } catch {
    return false;
  }
}

/** `localhost:3000` -> `localhost`, `[::1]:3000` -> `[::1]`. */
const hostnameOf = (host: string) =>
  host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : (host.split(":")[0] ?? host);

/** The document served for a request: `TOOLS_PUBLIC_URL`, else the request's own scheme and host, as the server. */
function openApiFor(deps: ToolsHttpDeps, req: HttpRequest): OpenApiDocument {
  const serverUrl = deps.publicUrl?.replace(/\/+$/, "") ?? requestBaseUrl(req);
  const byUrl = documents.get(deps.tools) ?? new Map<string, OpenApiDocument>();
  documents.set(deps.tools, byUrl);
  let doc = byUrl.get(serverUrl);
  if (!doc) {
    doc = buildOpenApi(deps.tools, { serverUrl, version: deps.version });
    // A few public names at most (a host-checked or API Gateway host): the cache stays small.
    if (byUrl.size < 8) byUrl.set(serverUrl, doc);
  }
  return doc;
}

const documents = new WeakMap<object, Map<string, OpenApiDocument>>();

function requestBaseUrl(req: HttpRequest): string {
  // The Host header only (API Gateway routes by it; a client-sent X-Forwarded-Host is not trusted), and only when
  // it is a plain host name or address: nothing else reaches the document.
  const given = req.headers.host?.trim().toLowerCase() ?? "";
  const host = /^([a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\])(:\d{1,5})?$/.test(given) ? given : "localhost";
  const loopback = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  const proto = req.headers["x-forwarded-proto"]?.split(",")[0]?.trim() || (loopback ? "http" : "https");
  return `${proto === "http" ? "http" : "https"}://${host}`;
}
