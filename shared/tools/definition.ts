/**
 * One tool of the mediated inbound path, described once: its name (the MCP tool name and the OpenAPI operationId),
 * its REST path, zod input and output schemas (the MCP `inputSchema`/`outputSchema` and the OpenAPI request and
 * response bodies are generated from them), a description written for a model, the scope it needs, and what it
 * does through the Zoho ports. The tool never sees a key, a token or the HTTP request: `invokeTool`
 * (shared/tools/invoke.ts) authenticates, checks scopes, validates, counts limits and audits around `run`.
 */
import type * as z from "zod";
import type { ApiKeyRecord } from "../domain/api-key.js";
import type { FieldMetadataCache } from "../pipeline/field-metadata-cache.js";
import type { ProposalStore, ToolCallLog, ToolWrite } from "../ports/agent-store.js";
import type { Clock } from "../ports/clock.js";
import type { JobStore } from "../ports/job-store.js";
import type { ZohoPorts } from "../ports/zoho.js";

/** What a tool needs of the key, checked before `run` (module- and field-level checks are the tool's own). */
export type ToolScope = "crm.read" | "crm.write" | "desk.read" | "desk.comment" | "desk.draft" | "jobs";

export interface ToolsConfig {
  /** Largest page a search answers. @default 50 */
  maxPageSize: number;
  /** Below this many Zoho API credits left today, tools answer a retryable 429 instead of calling Zoho. */
  creditsLowWater: number;
  /** Longest text (note, comment, draft) a tool accepts, in characters. @default 10_000 */
  maxTextLength: number;
}

/** What a tool's `run` gets: the key (already authenticated and scope-checked) and the ports of its connection. */
export interface ToolContext {
  key: ApiKeyRecord;
  /** The key's connection's Zoho ports, counting the calls made (the audit's `zohoCalls`). */
  zoho: ZohoPorts;
  /** Live field metadata, cached per connection: what describe answers and what every write is guarded against. */
  metadata: FieldMetadataCache;
  /** This call's id (`call_...`), the job id the answer carries. */
  callId: string;
  clock: Clock;
  proposals: ProposalStore;
  calls: ToolCallLog;
  jobs: JobStore;
  config: ToolsConfig;
  /**
   * Carries out a write: guarded against live metadata and the key's allow-list, counted against the write
   * budget, `"trigger": []` on CRM, an audit note naming the key on CRM updates; or, for a proposals-only key,
   * stored as a proposal instead. Answers what happened.
   */
  write(write: ToolWrite, reason?: string): Promise<WriteOutcome>;
}

export type WriteOutcome =
  | {
      status: "written";
      recordId: string;
      fields?: string[];
      mapped?: { field: string; from: string; to: string }[];
    }
  | { status: "proposed"; proposalId: string };

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** snake_case, e.g. `crm_search`: the MCP tool name and the OpenAPI operationId. */
  name: string;
  /** A short human title (MCP `title`, OpenAPI `summary`). */
  title: string;
  /**
   * For a model: what it does, its limits, and what its error answers mean. At most 300 characters (GPT Actions'
   * limit on an operation's description).
   */
  description: string;
  scope: ToolScope;
  /** Whether it writes (counts against the write budget; becomes a proposal for a proposals-only key). */
  writes: boolean;
  input: I;
  output: O;
  run(ctx: ToolContext, input: z.output<I>): Promise<z.input<O>>;
}

/** The answer of one tool call, for MCP (a tool result) and REST (an HTTP answer) alike. */
export type ToolOutcome =
  | { ok: true; callId: string; output: unknown }
  | { ok: false; callId?: string; error: ToolErrorInfo };

export interface ToolErrorInfo {
  /** The HTTP status REST answers: the error's declared `httpStatus` (401, 403, 400, 404, 422, 429, 503, 500). */
  status: number;
  /** `unauthorized`, `forbidden`, `invalid_arguments`, `not_found`, `rejected`, `rate_limited`, `unavailable`, `internal_error`. */
  code: string;
  message: string;
  /** True only for a passing fault (429, 503): call again after `retryAfterSeconds`. */
  retryable: boolean;
  retryAfterSeconds?: number;
  /** Which arguments were wrong (paths, never values). */
  issues?: { path: string; message: string }[];
}
