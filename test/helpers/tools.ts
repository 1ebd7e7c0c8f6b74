/**
 * Helpers for the mediated inbound path's end-to-end and security tests (issue 12): the local stack's tool
 * endpoint, keys made through the operator CLI as a person would make them, the official MCP SDK client, raw
 * JSON-RPC and REST calls with their exact HTTP status, and the Zoho sandbox's request log, so a test can show that
 * a refused call reached no Zoho API at all.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { main } from "../../infra/cli/main.js";
import type { LocalStack } from "../../infra/local/stack.js";
import type { LocalTools } from "../../infra/local/tools.js";
import type { ToolErrorInfo } from "../../shared/tools/definition.js";

/** The stack's tool endpoint (present when DynamoDB Local runs). */
export function toolsOf(stack: LocalStack): LocalTools {
  if (!stack.tools) throw new Error("the local stack serves no tools (is DynamoDB Local on?)");
  return stack.tools;
}

/** The REST URL of one tool: `POST {restUrl}/<tool>`. */
export const restUrlOf = (stack: LocalStack, tool: string) =>
  `${toolsOf(stack).restUrl.replace(/\/+$/, "")}/${encodeURIComponent(tool)}`;

/**
 * Runs the operator CLI (`infra/cli/main.ts`) against the stack's DynamoDB Local and agents table, as an operator
 * would with `--dynamodb-endpoint`. `secrets` adds the stack's Secrets Manager (what `proposals approve` needs to
 * reach Zoho through the connection).
 */
export async function cli(
  stack: LocalStack,
  args: string[],
  options: { secrets?: boolean } = {},
): Promise<{ code: number; lines: string[]; out: string }> {
  const tools = toolsOf(stack);
  const lines: string[] = [];
  const code = await main(
    [
      ...args,
      "--dynamodb-endpoint",
      tools.dynamodbUrl,
      "--table",
      tools.table,
      "--region",
      stack.env.AWS_REGION,
      ...(options.secrets ? ["--secrets-endpoint", stack.secrets.url] : []),
    ],
    { AWS_REGION: stack.env.AWS_REGION },
    (line) => lines.push(line),
  );
  return { code, lines, out: lines.join("\n") };
}

/** The first JSON value the CLI printed with `--json` (it may print it over several lines). */
export function jsonOut<T = Record<string, unknown>>(out: string): T {
  const start = out.search(/[[{]/);
  if (start < 0) throw new Error(`the CLI printed no JSON:\n${out}`);
  return JSON.parse(out.slice(start)) as T;
}

export interface KeyOptions {
  name: string;
  scopes: string;
  allow?: string[];
  writeBudget?: string;
  rate?: string;
  proposalsOnly?: boolean;
}

/** Creates a key with `keys create ... --json` and answers the key string (shown once) and its id. */
export async function createKey(
  stack: LocalStack,
  o: KeyOptions,
): Promise<{ key: string; id: string; record: Record<string, unknown> }> {
  const { code, out } = await cli(stack, [
    "keys",
    "create",
    "--name",
    o.name,
    "--scopes",
    o.scopes,
    ...(o.allow?.length ? ["--allow", o.allow.join(",")] : []),
    ...(o.writeBudget ? ["--write-budget", o.writeBudget] : []),
    ...(o.rate ? ["--rate", o.rate] : []),
    ...(o.proposalsOnly ? ["--proposals-only"] : []),
    "--json",
  ]);
  if (code !== 0) throw new Error(`keys create ${o.name} exited ${code}:\n${out}`);
  const record = jsonOut(out);
  const key = record.key;
  const id = record.id;
  if (typeof key !== "string" || typeof id !== "string")
    throw new Error(`keys create --json printed no key and id:\n${out}`);
  return { key, id, record };
}

/**
 * Connects the official MCP SDK client (Streamable HTTP) with `Authorization: Bearer <key>`, and lists the tools
 * as every agent does first (which also makes the client check each structured result against the tool's output
 * schema, as a real client would).
 */
export async function connectMcp(url: string, key: string | undefined, listTools = true): Promise<Client> {
  const client = new Client({ name: "zgm-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: key === undefined ? {} : { Authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  if (listTools) await client.listTools();
  return client;
}

type CallResult = Awaited<ReturnType<Client["callTool"]>>;

/** A tool result's structured output (fails the test when the tool answered an error). */
export function outputOf<T = Record<string, unknown>>(result: CallResult): T {
  if (result.isError)
    throw new Error(`tool error: ${JSON.stringify(result.structuredContent ?? result.content)}`);
  if (!result.structuredContent) throw new Error(`no structured content: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/**
 * A tool error result's `ToolErrorInfo`, or undefined for a success. CONTRACTS-12 §6 puts it in
 * `structuredContent.error`; the protocols package puts it in `_meta.error` instead, because the SDK client checks
 * any structuredContent against the tool's output schema, error results included, and throws. Both are read.
 */
export function toolErrorOf(result: CallResult): ToolErrorInfo | undefined {
  if (!result.isError) return undefined;
  const error =
    (result.structuredContent as { error?: ToolErrorInfo } | undefined)?.error ??
    (result._meta as { error?: ToolErrorInfo } | undefined)?.error;
  if (!error) throw new Error(`tool error without structured error info: ${JSON.stringify(result.content)}`);
  return error;
}

/** One Zoho API request as the sandbox logged it. */
export interface ZohoRequest {
  method: string;
  path: string;
  status: number;
  service: string;
}

/**
 * A mark in the sandbox's request log (its monotonic request count): `zohoCallsSince(stack, mark)` then lists the
 * CRM and Desk API requests made after it (OAuth token calls of the scheduled refresher are not Zoho API calls).
 */
export function zohoMark(stack: LocalStack): number {
  return sandboxReport(stack).counts.requests;
}

export function zohoCallsSince(stack: LocalStack, mark: number): ZohoRequest[] {
  const report = sandboxReport(stack);
  const n = report.counts.requests - mark;
  if (n <= 0) return [];
  return report.requests.slice(-n).filter((r) => r.service === "crm" || r.service === "desk");
}

function sandboxReport(stack: LocalStack): { counts: { requests: number }; requests: ZohoRequest[] } {
  if (!stack.sandbox) throw new Error("the stack runs no Zoho sandbox");
  return stack.sandbox.inspect() as { counts: { requests: number }; requests: ZohoRequest[] };
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, when it is JSON. */
  body: unknown;
}

async function answer(res: Response): Promise<RawAnswer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** `POST /v1/tools/<tool>` with a raw body (a string is sent as is, anything else as JSON). */
export async function restCall(
  stack: LocalStack,
  tool: string,
  body: unknown,
  key: string | undefined,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await fetch(restUrlOf(stack, tool), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return answer(res);
}

let rpcId = 1;
/**
 * One JSON-RPC request to `POST /v1/mcp` without the SDK (the server is stateless: every request stands alone), so
 * a test sees the exact HTTP status and body. `body` replaces the whole request when given as a string.
 */
export async function mcpRaw(
  stack: LocalStack,
  key: string | undefined,
  request: { method: string; params?: unknown } | string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await fetch(toolsOf(stack).mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body:
      typeof request === "string"
        ? request
        : JSON.stringify({ jsonrpc: "2.0", id: rpcId++, method: request.method, params: request.params }),
  });
  return answer(res);
}

/**
 * Whether an MCP answer refused the call: an HTTP 4xx, a JSON-RPC error, or a tool result with `isError: true`.
 * (A 5xx is never a refusal.)
 */
export function mcpRefused(a: RawAnswer): boolean {
  if (a.status >= 400 && a.status < 500) return true;
  if (a.status >= 300) return false;
  type Message = { error?: unknown; result?: { isError?: boolean } } | undefined;
  const refused = (m: Message) => Boolean(m?.error) || m?.result?.isError === true;
  // A batch (older protocol versions) is refused when every call in it is.
  if (Array.isArray(a.body)) return a.body.length > 0 && (a.body as Message[]).every(refused);
  return refused(a.body as Message);
}

/** Seconds from `now` to the next UTC midnight (when a daily write budget renews). */
export function secondsToUtcMidnight(now = Date.now()): number {
  const d = new Date(now);
  return Math.ceil((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now) / 1000);
}
