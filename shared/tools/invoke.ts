/**
 * One tool call, for MCP and REST alike: the trust boundary between an agent and Zoho. In this order, and nothing
 * reaches Zoho before step 6: (1) the API key (401), (2) the tool (404), (3) the tool's scope (403), (4) the key's
 * rate (429), (5) the arguments (400) and the module scope (403), (6) Zoho's credits (429), (7) the tool runs on
 * counting ports, its writes through `carryOut`, (8) the call is audited and counted. Never throws: every
 * failure is a ToolOutcome the protocols turn into a tool error or an HTTP answer.
 */

import { createHash } from "node:crypto";
import type { ApiKeyRecord } from "../domain/api-key.js";
import { hasScope, keyIdOf, keyMatches, mayReadModule, mayWriteModule } from "../domain/api-key.js";
import { CREDITS_WAIT_MS, creditsLow } from "../domain/budgets.js";
import { AccessDeniedError, ApiKeyError, ValidationError, WorkMustWaitError } from "../errors.js";
import { canonical } from "../json/canonical.js";
import { DeskFromAddress } from "../pipeline/desk-from-address.js";
import type { ApiKeyStore, ToolCallRecord, ToolWrite } from "../ports/agent-store.js";
import { alwaysProposes } from "./catalog.js";
import { countingPorts } from "./counting.js";
import type { ToolContext, ToolDefinition, ToolErrorInfo, ToolOutcome, WriteOutcome } from "./definition.js";
import { TOOL_METRICS, type ToolsDeps } from "./deps.js";
import { outcomeOf, toToolError } from "./errors.js";
import { newCallId } from "./ids.js";
import { carryOut } from "./write.js";

/**
 * ToolsDeps, plus the `DESK_FROM_ADDRESS` setting (the contract's ToolsDeps has no place for it): when unset, the
 * address e-mail drafts go from is read from the org's reply addresses, as the pipeline does.
 */
export type InvokeDeps = ToolsDeps & { deskFromAddress?: string | undefined };

export interface ToolCall {
  /** The request's `Authorization` header: authenticated here when `key` is not given. */
  authorization?: string | undefined;
  /**
   * The key the protocol layer already authenticated for this request with `authenticate` (HTTP answers a bad key
   * 401 before parsing a body), so a request reads the key store once.
   */
  key?: ApiKeyRecord;
  tool: string;
  args: unknown;
}

/** Who calls: the key already authenticated, or the header to authenticate. */
export type ToolCaller = Pick<ToolCall, "authorization" | "key">;

/** One resolver of the from address per deps (its cache of the org's addresses lives as long as the container). */
const fromAddresses = new WeakMap<object, DeskFromAddress>();
const deskFromOf = (deps: InvokeDeps): DeskFromAddress => {
  let from = fromAddresses.get(deps);
  if (!from) {
    from = new DeskFromAddress(deps.deskFromAddress ?? null, deps.clock);
    fromAddresses.set(deps, from);
  }
  return from;
};

/**
 * Step 1: the key from `Authorization: Bearer <key>` (one read of the key store); the message says what is wrong,
 * never echoing the key.
 */
export async function authenticate(
  keys: ApiKeyStore,
  authorization: string | undefined,
): Promise<ApiKeyRecord> {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) throw new ApiKeyError("no API key: send Authorization: Bearer <key>");
  const presented = m[1] as string;
  const id = keyIdOf(presented);
  if (!id) throw new ApiKeyError("malformed API key");
  const key = await keys.get(id);
  if (!key || !keyMatches(key, presented)) throw new ApiKeyError("unknown API key");
  // Only after the secret matched: whoever does not hold the key learns nothing about it.
  if (key.revokedAt) throw new ApiKeyError("API key revoked");
  return key;
}

/** SHA-256 of the arguments' canonical JSON (keys sorted): the call log keeps this, never the arguments. */
export function argsDigest(args: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(canonical(args)) ?? "null";
  } catch {
    text = "unserializable";
  }
  return createHash("sha256").update(text).digest("hex");
}

/** Step 5: the tool's schema, then the deployment's text limit on every string; issues name paths, never values. */
function parseArgs(deps: InvokeDeps, tool: ToolDefinition, args: unknown): unknown {
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 20).map((i) => ({
      path: i.path.map(String).join(".").slice(0, 200) || "(arguments)",
      message: i.message.slice(0, 200),
    }));
    throw new ValidationError(
      `invalid arguments for ${tool.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`.slice(
        0,
        1_000,
      ),
      issues,
    );
  }
  const tooLong: { path: string; message: string }[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === "string" && v.length > deps.config.maxTextLength)
      tooLong.push({ path, message: `longer than ${deps.config.maxTextLength} characters` });
    else if (v && typeof v === "object")
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
  };
  walk(parsed.data, "");
  if (tooLong.length)
    throw new ValidationError(
      `a text is longer than ${deps.config.maxTextLength} characters`,
      tooLong.slice(0, 20),
    );
  return parsed.data;
}

/** The module scope of a CRM tool's `module` argument (the tool checks again; this keeps it before any Zoho call). */
function checkModule(key: ApiKeyRecord, tool: ToolDefinition, args: unknown): void {
  const module = (args as { module?: unknown }).module;
  if (typeof module !== "string") return;
  if (tool.scope === "crm.read" && !mayReadModule(key.scopes, module))
    throw new AccessDeniedError(`this key may not read the module ${module} (no crm.read for it)`);
  if (tool.scope === "crm.write" && !mayWriteModule(key.scopes, module))
    throw new AccessDeniedError(`this key may not write the module ${module} (no crm.write:${module})`);
}

interface CallState {
  tool?: ToolDefinition;
  zohoCalls: () => number;
  writes: number;
  proposalId?: string;
}

async function runCall(
  deps: InvokeDeps,
  key: ApiKeyRecord,
  call: ToolCall,
  callId: string,
  state: CallState,
) {
  const tool = deps.tools.find((t) => t.name === call.tool);
  if (!tool)
    throw new ValidationError("no such tool: tools/list (or /v1/openapi.json) names every tool", [], {
      httpStatus: 404,
    });
  state.tool = tool;
  if (!hasScope(key.scopes, tool.scope))
    throw new AccessDeniedError(`this key lacks the scope ${tool.scope}`);
  const now = deps.clock.now();
  const windowStart = Math.floor(now / 60_000) * 60;
  if (!(await deps.limits.takeCall(key.id, windowStart, 60, key.ratePerMinute))) {
    deps.metrics.count(TOOL_METRICS.rateLimited);
    throw new WorkMustWaitError(`this key's rate limit (${key.ratePerMinute} calls per minute) is reached`, {
      retryAfterMs: (windowStart + 60) * 1000 - now,
    });
  }
  const args = parseArgs(deps, tool, call.args);
  checkModule(key, tool, args);
  const ports = deps.zohoFor(key.connection);
  // CRM's daily credits: a CRM tool waits while they are low, so the org's own integrations keep working.
  const credits = ports.crm.creditsRemaining();
  if (tool.scope.startsWith("crm.") && creditsLow(credits, deps.config.creditsLowWater))
    throw new WorkMustWaitError(
      `Zoho API credits are low (${credits} left today): tools wait so the org keeps working`,
      {
        retryAfterMs: CREDITS_WAIT_MS,
      },
    );
  const counting = countingPorts(ports);
  state.zohoCalls = counting.calls;
  const ctx: ToolContext = {
    key,
    zoho: counting.zoho,
    metadata: deps.metadata,
    callId,
    clock: deps.clock,
    proposals: deps.proposals,
    calls: deps.calls,
    jobs: deps.jobs,
    config: deps.config,
    async write(write: ToolWrite, reason?: string): Promise<WriteOutcome> {
      const outcome = await carryOut(
        {
          key,
          zoho: counting.zoho,
          metadata: deps.metadata,
          clock: deps.clock,
          proposals: deps.proposals,
          limits: deps.limits,
          deskFrom: deskFromOf(deps),
          logger: deps.logger,
          metrics: deps.metrics,
        },
        { write, tool: tool.name, jobId: callId, reason, propose: key.proposalsOnly || alwaysProposes(tool) },
      );
      if (outcome.status === "written") state.writes += 1;
      else state.proposalId = outcome.proposalId;
      return outcome;
    },
  };
  const output = tool.output.safeParse(await tool.run(ctx, args));
  if (!output.success)
    throw new Error(`${tool.name} answered outside its output schema: ${output.error.message}`);
  return output.data;
}

/** Runs one tool call through every check; never throws. */
export async function invokeTool(deps: InvokeDeps, call: ToolCall): Promise<ToolOutcome> {
  try {
    return await invoke(deps, call);
  } catch (error) {
    // Only a failing logger, metrics sink or clock gets here: still an answer, never a thrown error.
    return { ok: false, error: toToolError(error) };
  }
}

async function invoke(deps: InvokeDeps, call: ToolCall): Promise<ToolOutcome> {
  const started = deps.clock.now();
  let key: ApiKeyRecord;
  try {
    key = call.key ?? (await authenticate(deps.keys, call.authorization));
  } catch (error) {
    const info = toToolError(error);
    if (error instanceof ApiKeyError) deps.metrics.count(TOOL_METRICS.authFailed);
    else deps.logger.error("tool call: the key could not be read", { error });
    return { ok: false, error: info };
  }
  const callId = newCallId();
  const state: CallState = { zohoCalls: () => 0, writes: 0 };
  let outcome: ToolOutcome;
  try {
    outcome = { ok: true, callId, output: await runCall(deps, key, call, callId, state) };
  } catch (error) {
    const info = toToolError(error);
    if (info.status === 500) deps.logger.error("tool call failed", { callId, tool: state.tool?.name, error });
    outcome = { ok: false, callId, error: info };
  }
  await audit(deps, key, call, callId, state, outcome, started);
  return outcome;
}

async function audit(
  deps: InvokeDeps,
  key: ApiKeyRecord,
  call: ToolCall,
  callId: string,
  state: CallState,
  outcome: ToolOutcome,
  started: number,
): Promise<void> {
  const error: ToolErrorInfo | undefined = outcome.ok ? undefined : outcome.error;
  const record: ToolCallRecord = {
    id: callId,
    keyId: key.id,
    keyName: key.name,
    connection: key.connection,
    // An unknown tool's name is the caller's text: the log keeps no more than a bounded, checked form of it.
    tool: state.tool?.name ?? "(unknown tool)",
    argsDigest: argsDigest(call.args),
    outcome: error ? outcomeOf(error) : state.proposalId ? "proposed" : "ok",
    ...(error ? { code: error.code, message: error.message.slice(0, 1_000) } : {}),
    zohoCalls: state.zohoCalls(),
    writes: state.writes,
    ...(state.proposalId ? { proposalId: state.proposalId } : {}),
    at: new Date(started).toISOString(),
    durationMs: Math.max(0, deps.clock.now() - started),
  };
  deps.metrics.count(TOOL_METRICS.calls);
  if (state.writes) deps.metrics.count(TOOL_METRICS.writes, state.writes);
  if (error?.status === 403) deps.metrics.count(TOOL_METRICS.forbidden);
  if (record.outcome === "error") deps.metrics.count(TOOL_METRICS.errors);
  deps.logger.info("tool call", {
    callId,
    keyId: key.id,
    tool: record.tool,
    outcome: record.outcome,
    code: record.code,
    zohoCalls: record.zohoCalls,
    writes: record.writes,
    durationMs: record.durationMs,
  });
  try {
    await deps.calls.record(record);
  } catch (e) {
    // The answer stands (a write made is made); the missing audit entry is an operator's matter.
    deps.logger.error("tool call not recorded in the audit log", { callId, error: e });
    deps.metrics.count(TOOL_METRICS.errors);
  }
}
