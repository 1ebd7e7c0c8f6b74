/**
 * The four functions of the deployed stack, wired locally exactly as in AWS: each Lambda's settings through its own
 * parser (see settings.ts), its dependencies through its own `create*Deps` (emulator clients instead of AWS's), and
 * the same middy-wrapped handler its `functions/<fn>/handler.ts` exports. Only the clients and the Powertools metrics
 * differ (local counts go to the connection's in-memory metrics, so the flush layer is kept quiet).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { buildHandler as buildIngestHandler } from "../../functions/ingest/handler.js";
import { buildHandler as buildChannelsHandler } from "../../functions/notification-channels/handler.js";
import { buildHandler as buildRefresherHandler } from "../../functions/token-refresher/handler.js";
import { buildHandler as buildWorkerHandler } from "../../functions/worker/handler.js";
import { createPowertoolsMetrics } from "../../shared/adapters/metrics/powertools-metrics.js";
import { OpenAiLlm } from "../../shared/adapters/openai/openai-llm.js";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { type IngestEnv, IngestEnvSchema } from "../../shared/config/ingest-env.js";
import {
  type NotificationChannelsEnv,
  NotificationChannelsEnvSchema,
} from "../../shared/config/notification-channels-env.js";
import { type RefresherEnv, RefresherEnvSchema } from "../../shared/config/refresher-env.js";
import { stageResources } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { type WorkerEnv, WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { createIngestDeps, ingestLogger } from "../../shared/lambda/deps/ingest-deps.js";
import {
  channelsLogger,
  createNotificationChannelsDeps,
} from "../../shared/lambda/deps/notification-channels-deps.js";
import { createRefresherDeps, refresherLogger } from "../../shared/lambda/deps/refresher-deps.js";
import { createWorkerDeps, type WorkerExtras, workerLogger } from "../../shared/lambda/deps/worker-deps.js";
import type { Clock } from "../../shared/ports/clock.js";
import type { Queue } from "../../shared/ports/queue.js";
import type { RefreshOutcome } from "../../shared/ports/refresh-coordinator.js";
import { mediatorWrittenCrmFields } from "../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import type { RefreshRequest } from "../../shared/use-cases/refresh-connection.js";
import { lambdaEnv } from "./settings.js";
import type { LocalZohoConnection } from "./zoho-connection.js";

/** Where the local stack reads settings from: its environment, and the layers tests put over it. */
interface Settings {
  env: Record<string, unknown>;
  over: Record<string, string> | undefined;
}

/** The function name the local stack's coordinator and channels name for the refresher (never invoked by name). */
export const LOCAL_REFRESHER_NAME = "local-refresher";

/**
 * The local tables: the worker's job store and ledger (CDK names them in AWS), and the agents' table under the name
 * the deployed stage's has, so `keys` and `proposals` with `--dynamodb-endpoint` find it without `--table`.
 */
export const LOCAL_TABLES = {
  jobs: stageResources(DEFAULT_STAGE).jobsTable,
  ledger: stageResources(DEFAULT_STAGE).ledgerTable,
  agents: stageResources(DEFAULT_STAGE).agentsTable,
} as const;

const quietMetrics = (name: string) => createPowertoolsMetrics(name, { quiet: true });

/** The ingest behind the local API router. The webhook secret is cached 5 s here (60 s deployed). */
export function localIngest(
  settings: Settings,
  wiring: {
    sqs: SQSClient;
    connection: LocalZohoConnection;
    workQueueUrl: string;
    webhookSecretName: string;
    connectionName: string;
  },
  extras: { useCases: readonly UseCaseDescriptor[]; decorateQueue?: (queue: Queue) => Queue },
): { env: IngestEnv; handler: ReturnType<typeof buildIngestHandler> } {
  const env = IngestEnvSchema.parse(
    lambdaEnv(IngestEnvSchema, settings.env, {
      defaults: {
        LOOP_GUARD_CRM_FIELDS: mediatorWrittenCrmFields(extras.useCases).join(","),
        WEBHOOK_SECRET_TTL_SECONDS: "5",
      },
      over: settings.over,
      wiring: {
        WORK_QUEUE_URL: wiring.workQueueUrl,
        WEBHOOK_SECRET_NAME: wiring.webhookSecretName,
        ZOHO_CONNECTIONS: wiring.connectionName,
      },
    }),
  );
  // One process: the in-container buckets are the whole limit (no shared DynamoDB counter is needed locally).
  const deps = createIngestDeps(
    { ...env, INGEST_RATE_TABLE: undefined },
    { sqs: wiring.sqs, secretsManager: wiring.connection.sm },
    {
      catalog: extras.useCases,
      logger: ingestLogger,
      // WebhookAccepted / WebhookRejected go to the connection's in-memory metrics, as the other functions' counts do.
      metrics: wiring.connection.metrics,
      ...(extras.decorateQueue ? { decorateQueue: extras.decorateQueue } : {}),
    },
  );
  return { env, handler: buildIngestHandler(deps, { logger: ingestLogger }) };
}

/** The worker's settings (its queue, tables and connection are the stack's). */
export function localWorkerEnv(
  settings: Settings & { defaults: Record<string, string> },
  wiring: { workQueueUrl: string; deadLetterQueueUrl: string; connectionSecretName: string },
): WorkerEnv {
  return WorkerEnvSchema.parse(
    lambdaEnv(WorkerEnvSchema, settings.env, {
      defaults: settings.defaults,
      over: settings.over,
      wiring: {
        WORK_QUEUE_URL: wiring.workQueueUrl,
        DEAD_LETTER_QUEUE_URL: wiring.deadLetterQueueUrl,
        JOBS_TABLE: LOCAL_TABLES.jobs,
        LEDGER_TABLE: LOCAL_TABLES.ledger,
        ZOHO_CONNECTION_SECRETS: wiring.connectionSecretName,
        REFRESHER_FUNCTION_NAME: LOCAL_REFRESHER_NAME,
      },
    }),
  );
}

/** The worker's wrapped handler, which the poller calls with each batch as Lambda's event source would. */
export function localWorker(
  env: WorkerEnv,
  clients: {
    sqs: SQSClient;
    dynamodb: DynamoDBClient;
    connection: LocalZohoConnection;
    modelBaseUrl: string;
    apiKey: string;
  },
  extras: WorkerExtras & { useCases: readonly UseCaseDescriptor[] },
): ReturnType<typeof buildWorkerHandler> {
  const { useCases, ...workerExtras } = extras;
  // The pipeline's registry is built from `catalog` (CONTRACTS.md: `createWorkerDeps(env, clients, { catalog })`).
  const withCatalog: WorkerExtras & { catalog: readonly UseCaseDescriptor[] } = {
    ...workerExtras,
    catalog: useCases,
  };
  // The model key comes from OPENAI_API_KEY here (OPENAI_SECRET_NAME names the deployed secret).
  const llm = new OpenAiLlm({
    apiKey: clients.apiKey,
    baseURL: env.OPENAI_BASE_URL ?? clients.modelBaseUrl,
    timeoutMs: env.MODEL_TIMEOUT_MS,
  });
  const { handle } = createWorkerDeps(
    env,
    {
      sqs: clients.sqs,
      dynamodb: clients.dynamodb,
      secrets: clients.connection.store,
      coordinator: clients.connection.coordinator,
      llm,
    },
    withCatalog,
  );
  return buildWorkerHandler(handle, { logger: workerLogger, metrics: quietMetrics("worker") });
}

/** The token refresher's settings and wrapped handler (the stack runs its scheduled event on a timer). */
export function localRefresher(
  settings: Settings,
  wiring: { connectionSecretName: string },
): {
  env: RefresherEnv;
  build: (connection: LocalZohoConnection) => ReturnType<typeof buildRefresherHandler>;
} {
  const env = RefresherEnvSchema.parse(
    lambdaEnv(RefresherEnvSchema, settings.env, {
      over: settings.over,
      wiring: { ZOHO_CONNECTION_SECRETS: wiring.connectionSecretName },
    }),
  );
  return {
    env,
    build: (connection) =>
      buildRefresherHandler(
        createRefresherDeps(
          env,
          { secretsManager: connection.sm },
          { clock: connection.clock, metrics: connection.metrics, logger: refresherLogger },
        ),
        { logger: refresherLogger, metrics: quietMetrics("token-refresher") },
      ),
  };
}

/**
 * A refresh request as the deployed coordinator sends it (`LambdaRefreshCoordinator`'s payload), run by the
 * refresher's wrapped handler: what the local coordinator calls instead of the use case.
 */
export const invokeRefresher =
  (handler: () => ReturnType<typeof buildRefresherHandler>) =>
  async (request: RefreshRequest): Promise<RefreshOutcome> => {
    const out = await handler()({
      action: "refresh",
      secretName: request.secretName,
      staleToken: request.staleToken ?? null,
    });
    if ("results" in out) throw new Error("the refresher answered a refresh request as a scheduled run");
    return out;
  };

/** The notification-channel manager's settings and wrapped handler. */
export function localChannels(
  settings: Settings,
  wiring: {
    connection: LocalZohoConnection;
    webhookSecretName: string;
    notifyUrl: string;
    /** The wait for the ingest's cache of the webhook secret, as the CDK construct derives it. */
    tokenPropagationSeconds: number;
  },
  clock: Clock,
): { env: NotificationChannelsEnv; handler: ReturnType<typeof buildChannelsHandler> } {
  const { connection } = wiring;
  const env = NotificationChannelsEnvSchema.parse(
    lambdaEnv(NotificationChannelsEnvSchema, settings.env, {
      defaults: { NOTIFICATION_TOKEN_PROPAGATION_SECONDS: String(wiring.tokenPropagationSeconds) },
      over: settings.over,
      wiring: {
        ZOHO_CONNECTION_SECRETS: connection.secretName,
        REFRESHER_FUNCTION_NAME: LOCAL_REFRESHER_NAME,
        WEBHOOK_SECRET_NAME: wiring.webhookSecretName,
        NOTIFY_URL: wiring.notifyUrl,
      },
    }),
  );
  const handler = buildChannelsHandler(
    createNotificationChannelsDeps(
      env,
      {
        secrets: new SecretsManagerStore({ client: connection.sm, ttlMs: 0 }),
        tokenSecrets: new SecretsManagerStore({ client: connection.sm, clock: connection.clock }),
        coordinator: connection.coordinator,
      },
      // Token lifetimes follow the connection's clock; only channel expiry decisions follow `clock`.
      { clock, tokenClock: connection.clock, logger: channelsLogger, metrics: connection.metrics },
    ),
    { logger: channelsLogger, metrics: quietMetrics("notification-channels") },
  );
  return { env, handler };
}
