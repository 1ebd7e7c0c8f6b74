/**
 * Composition of the worker: the same wiring in AWS (getWorkerDeps, from the environment) and in the local stack
 * (createWorkerDeps with emulator clients), so both run the same code with only endpoints changed.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createDynamoDbClient } from "../../adapters/dynamodb/client.js";
import { DynamoJobStore } from "../../adapters/dynamodb/job-store.js";
import { DynamoLedger } from "../../adapters/dynamodb/ledger.js";
import { LambdaRefreshCoordinator } from "../../adapters/lambda/lambda-refresh-coordinator.js";
import { createPowertoolsMetrics, EmfMetrics } from "../../adapters/metrics/powertools-metrics.js";
import { OpenAiLlm } from "../../adapters/openai/openai-llm.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { createSqsClient } from "../../adapters/sqs/sqs-client.js";
import { WorkQueueControl } from "../../adapters/sqs/work-queue-control.js";
import type { RetryPolicy } from "../../adapters/zoho/retry-policy.js";
import { fieldMapOf, tokenBudget, type WorkerEnv, WorkerEnvSchema } from "../../config/worker-env.js";
import { askCutoffMs } from "../../domain/batch-time.js";
import { priceOf } from "../../domain/model-prices.js";
import { ConfigError } from "../../errors.js";
import { type AppLogger, createLogger } from "../../observability/logger.js";
import { registerSecret } from "../../observability/redact.js";
import { FieldMetadataCache } from "../../pipeline/field-metadata-cache.js";
import { makePipeline } from "../../pipeline/index.js";
import type { ProgressEvent } from "../../pipeline/progress.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Llm } from "../../ports/llm.js";
import type { Metrics } from "../../ports/metrics.js";
import type { RefreshCoordinator } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";
import type { ZohoPorts } from "../../ports/zoho.js";
import { USE_CASE_CATALOG } from "../../use-cases/catalog.js";
import { withBundledDefinitions } from "../../use-cases/defined/bundled.js";
import type { UseCaseDescriptor } from "../../use-cases/descriptor.js";
import { makeSqsBatchHandler, type SqsBatchHandler } from "../sqs-batch.js";
import { zohoPortsByConnection } from "./zoho-ports-by-connection.js";

export const workerLogger = createLogger("worker");
export const workerMetrics = createPowertoolsMetrics("worker");

export interface WorkerClients {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  secrets: SecretStore;
  coordinator: RefreshCoordinator;
  llm: Llm;
}

export interface WorkerExtras {
  clock?: Clock;
  logger?: AppLogger;
  metrics?: Metrics;
  progress?: (event: ProgressEvent) => void;
  /**
   * In-flight Zoho calls per connection from this container, a backstop under the pipeline's per-invocation
   * ZOHO_CONCURRENCY (the local stack shares one container among its invocations). @default 5
   */
  zohoConcurrency?: number;
  /** Sleep between Zoho retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /** Zoho client retry policy over the defaults (tests shorten the waits). */
  zohoRetry?: Partial<RetryPolicy>;
  /** The use cases this deployment runs. @default USE_CASE_CATALOG and the definitions bundled at synth */
  catalog?: readonly UseCaseDescriptor[];
  /**
   * The deployment's raw settings, for a use case's field map variable the worker's schema does not name (a use
   * case added to the catalog). @default {}
   */
  settings?: Readonly<Record<string, string | undefined>>;
}

export function createWorkerDeps(
  env: WorkerEnv,
  clients: WorkerClients,
  extras: WorkerExtras = {},
): { handle: SqsBatchHandler; zohoFor: (connection: string) => ZohoPorts } {
  const clock = extras.clock ?? systemClock;
  const logger = extras.logger ?? workerLogger;
  const metrics = extras.metrics ?? new EmfMetrics(workerMetrics);
  const zohoFor = zohoPortsByConnection({
    secretNames: env.ZOHO_CONNECTION_SECRETS,
    secrets: clients.secrets,
    coordinator: clients.coordinator,
    clock,
    maxConcurrent: extras.zohoConcurrency ?? 5,
    timeoutMs: env.ZOHO_HTTP_TIMEOUT_MS,
    logger,
    ...(extras.sleep ? { sleep: extras.sleep } : {}),
    ...(extras.zohoRetry ? { retry: extras.zohoRetry } : {}),
    metrics,
  });
  const budget = tokenBudget(env.TOKEN_BUDGET_PER_DAY);
  const pipeline = makePipeline({
    catalog: extras.catalog ?? withBundledDefinitions(USE_CASE_CATALOG),
    fieldMapOf: (descriptor) => fieldMapOf(env, descriptor, extras.settings),
    ...(extras.settings ? { settings: extras.settings } : {}),
    llm: clients.llm,
    jobs: new DynamoJobStore(clients.dynamodb, env.JOBS_TABLE, clock),
    ledger: new DynamoLedger(clients.dynamodb, env.LEDGER_TABLE, {
      retentionDays: env.LEDGER_RETENTION_DAYS,
    }),
    metadata: new FieldMetadataCache(clock),
    zohoFor,
    clock,
    logger,
    metrics,
    ...(extras.progress ? { progress: extras.progress } : {}),
    config: {
      modelFor: (useCase) => env.MODEL_OVERRIDES[useCase] ?? env.MODEL,
      maxReceiveCount: env.MAX_RECEIVE_COUNT,
      maxDeferrals: env.MAX_DEFERRALS,
      recordWriteCap: env.RECORD_WRITE_CAP,
      tokenBudgetPerDay: budget,
      creditsLowWater: env.CREDITS_LOW_WATER,
      audit: { mode: env.AUDIT_MODE, field: env.AUDIT_FIELD },
      quarantineNote: env.QUARANTINE_NOTE,
      sendReplies: { enabled: env.DESK_SEND_REPLIES, fromAddress: env.DESK_FROM_ADDRESS ?? null },
      price: (model) => priceOf(model, env.MODEL_PRICES),
      // Longer than a batch can take: the stack sets it to the function timeout + 60 s, within the queue's visibility.
      leaseMs: env.LEASE_SECONDS * 1000,
      // The function's timeout is the lease less 60 s (the stack sets both): no model call starts after it less a
      // call and its repair and 30 s for the writes, and never before half of it.
      askCutoffMs: askCutoffMs(env.LEASE_SECONDS - 60, env.MODEL_TIMEOUT_MS),
      retryBaseMs: env.RETRY_BASE_MS,
      modelConcurrency: env.MODEL_CONCURRENCY,
      ...(env.WAVE_SIZE ? { waveSize: env.WAVE_SIZE } : {}),
      triggerFieldsMaxAgeSeconds: env.TRIGGER_FIELDS_MAX_AGE_SECONDS,
      zohoConcurrency: env.ZOHO_CONCURRENCY,
      waitRecheckMs: env.WAIT_RECHECK_SECONDS * 1000,
    },
  });
  const control = new WorkQueueControl(clients.sqs, env.WORK_QUEUE_URL, env.DEAD_LETTER_QUEUE_URL);
  return { handle: makeSqsBatchHandler({ pipeline, control, logger, clock }), zohoFor };
}

let handle: SqsBatchHandler | undefined;

/** AWS composition, built once per container. The model's API key comes from Secrets Manager on first use. */
export function getWorkerHandler(): SqsBatchHandler {
  if (handle) return handle;
  const env = WorkerEnvSchema.parse(process.env);
  const secrets = new SecretsManagerStore({ client: new SecretsManagerClient({}) });
  let llm: Promise<Llm> | undefined;
  const lazyLlm: Llm = {
    ask: async (request) => {
      llm ??= (async () => {
        let apiKey = "none";
        if (env.OPENAI_SECRET_NAME) {
          const parsed = JSON.parse((await secrets.get(env.OPENAI_SECRET_NAME)).value) as { apiKey?: string };
          if (!parsed.apiKey) throw new ConfigError(`secret "${env.OPENAI_SECRET_NAME}" has no apiKey`);
          apiKey = parsed.apiKey;
          registerSecret(apiKey);
        }
        return new OpenAiLlm({
          apiKey,
          ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
          timeoutMs: env.MODEL_TIMEOUT_MS,
        });
      })();
      return (await llm).ask(request);
    },
  };
  handle = createWorkerDeps(
    env,
    {
      sqs: createSqsClient(),
      dynamodb: createDynamoDbClient(),
      secrets,
      coordinator: new LambdaRefreshCoordinator({
        client: new LambdaClient({}),
        functionName: env.REFRESHER_FUNCTION_NAME,
        secrets,
      }),
      llm: lazyLlm,
    },
    { settings: process.env },
  ).handle;
  return handle;
}
