/**
 * What the pipeline is built from: its settings, its ports, and the use cases it runs. Every port is an interface;
 * the composition root (`shared/lambda/deps/worker-deps.ts`) or a test passes the implementations.
 */
import type { AppLogger } from "../observability/logger.js";
import type { Clock } from "../ports/clock.js";
import type { JobStore } from "../ports/job-store.js";
import type { Ledger } from "../ports/ledger.js";
import type { Llm } from "../ports/llm.js";
import type { Metrics } from "../ports/metrics.js";
import type { ZohoPortsFor } from "../ports/zoho.js";
import type { UseCaseDescriptor } from "../use-cases/descriptor.js";
import type { FieldMetadataCache } from "./field-metadata-cache.js";
import type { ProgressEvent } from "./progress.js";

export interface PipelineConfig {
  modelFor(useCase: string): string;
  /** Receives after which a failing unit goes to the dead-letter queue with its reason. */
  maxReceiveCount: number;
  /** Deferrals after which a waiting unit goes to the dead-letter queue. */
  maxDeferrals: number;
  /** AI writes per record per day: the circuit breaker against loops. */
  recordWriteCap: number;
  /** Tokens per use case per UTC day; when spent, work waits. */
  tokenBudgetPerDay(useCase: string): number;
  /** Below this many Zoho credits left, work waits. */
  creditsLowWater: number;
  /** Audit trail of an AI write: a note on the record, or a text field written with the update. */
  audit: { mode: "note" | "field"; field: string };
  /** Put a note (CRM) or private comment (Desk) on the record when a write is quarantined. */
  quarantineNote: boolean;
  /** Send the suggested Desk reply instead of saving a draft (off by default: an agent reviews drafts). */
  sendReplies: { enabled: boolean; fromAddress: string | null };
  /** Micro-dollars per million tokens (cached prompt tokens at `cachedPrompt` where known), for the cost record. */
  price(model: string): { prompt: number; completion: number; cachedPrompt?: number | undefined };
  /** How long a claim lasts: longer than one batch can take. */
  leaseMs: number;
  /** First retry delay; doubles with each receive, capped at 15 minutes. */
  retryBaseMs: number;
  /**
   * Model calls at once per invocation, across all units of the batch and their map calls (`MODEL_CONCURRENCY`):
   * invocations x this is the global bound. @default 5 (DEFAULT_MODEL_CONCURRENCY)
   */
  modelConcurrency?: number;
  /** A trigger's own fields stand in for a record read while its message is younger than this. @default 60 */
  triggerFieldsMaxAgeSeconds?: number;
  /**
   * Zoho calls at once per invocation (`ZOHO_CONCURRENCY`): invocations x this stays within the org's Zoho
   * concurrency limit. @default 2 (DEFAULT_ZOHO_CONCURRENCY)
   */
  zohoConcurrency?: number;
  /**
   * Units per wave: a batch runs in waves side by side, each with one request per stage, so one wave's writes
   * overlap the next waves' model calls. @default max(25, 5 x modelConcurrency) (defaultWaveSize)
   */
  waveSize?: number;
  /**
   * A batch starts no model call later than this after it began (its function's timeout less the time the last
   * calls and the writes may take): the units still waiting for one are deferred, re-sent to the queue, and the
   * batch ends in time with its other units written. @default none (no cutoff)
   */
  askCutoffMs?: number;
  /** Re-check interval of work waiting on a repair (broken connection, missing required field). @default 20_000 */
  waitRecheckMs?: number;
}

export interface PipelineDeps {
  /** The use cases this deployment runs. @default USE_CASE_CATALOG */
  catalog?: readonly UseCaseDescriptor[];
  /** Each use case's field map (target key -> field api name), from its `mapping.fieldMapSetting` variable. */
  fieldMapOf?: (useCase: UseCaseDescriptor) => Record<string, string>;
  /** The deployment's settings, from which use cases parse their own (UseCaseSettings.raw). @default {} */
  settings?: Readonly<Record<string, string | undefined>>;
  llm: Llm;
  jobs: JobStore;
  ledger: Ledger;
  metadata: FieldMetadataCache;
  zohoFor: ZohoPortsFor;
  clock: Clock;
  logger: AppLogger;
  metrics: Metrics;
  config: PipelineConfig;
  /** Called as each unit moves (the local stack prints a line per event). */
  progress?: (event: ProgressEvent) => void;
}
