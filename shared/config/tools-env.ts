/**
 * Environment of the tool endpoint (MCP and REST for agents): names, URLs and numbers only, never secrets. Parsed
 * once at cold start. The Zoho connections, the refresher and the credits floor read as the worker's do.
 */
import * as z from "zod";
import { commaList } from "./env-helpers.js";
import { DEFAULT_STAGE } from "./stage.js";
import { WorkerEnvSchema } from "./worker-env.js";

const worker = WorkerEnvSchema.shape;

export const ToolsEnvSchema = z.object({
  STAGE: z.string().min(1).default(DEFAULT_STAGE),
  /** The agents table: API keys, rate and budget counters, proposals, the tool-call log (`agentTableName(stage)`). */
  TOOLS_TABLE: z.string().min(1),
  /** The pipeline's jobs table, read by `mediator_job_status`. */
  JOBS_TABLE: z.string().min(1),
  /** Comma-separated connection secret names (`zoho-gpt-mediator/<stage>/zoho/<connection>`), as the worker. */
  ZOHO_CONNECTION_SECRETS: worker.ZOHO_CONNECTION_SECRETS,
  REFRESHER_FUNCTION_NAME: z.string().min(1),
  ZOHO_HTTP_TIMEOUT_MS: worker.ZOHO_HTTP_TIMEOUT_MS,
  /** Below this many Zoho API credits left, tools answer a retryable 429 instead of calling Zoho (as the worker). */
  CREDITS_LOW_WATER: worker.CREDITS_LOW_WATER,
  /** Largest page a search answers. */
  TOOLS_MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(200).default(50),
  /** Longest text (note, comment, draft) a tool accepts, in characters. */
  TOOLS_MAX_TEXT_LENGTH: z.coerce.number().int().min(100).max(100_000).default(10_000),
  /**
   * Hosts a request may name (Host, Origin), comma-separated, for DNS-rebinding protection; empty: no check (API
   * Gateway's own host names the request). The local stack sets the loopback names.
   */
  TOOLS_ALLOWED_HOSTS: commaList().transform((l) => (l.length > 0 ? l : undefined)),
  /** The public base URL the OpenAPI document names as its server (a custom domain); unset: the request's. */
  TOOLS_PUBLIC_URL: z.url().optional(),
  /** In-flight Zoho calls per connection from one container (the endpoint's own share of Zoho's concurrency). */
  TOOLS_ZOHO_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(3),
  /** From address of Desk replies; unset: the org's active reply address (department, default, first). */
  DESK_FROM_ADDRESS: worker.DESK_FROM_ADDRESS,
  SERVICE_VERSION: z.string().min(1).default("0.0.0"),
});
export type ToolsEnv = z.infer<typeof ToolsEnvSchema>;
