/**
 * Composition of the ingest function: one wiring (`createIngestDeps`) from its parsed environment and SDK clients,
 * used by AWS (`getIngestDeps`, clients from the environment) and by the local stack (emulator clients), so both run
 * the same code with only endpoints changed.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createDynamoDbClient } from "../../adapters/dynamodb/client.js";
import { DynamoRateCounter } from "../../adapters/dynamodb/rate-counter.js";
import { createPowertoolsMetrics, EmfMetrics } from "../../adapters/metrics/powertools-metrics.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { createSqsClient } from "../../adapters/sqs/sqs-client.js";
import { SqsQueue } from "../../adapters/sqs/sqs-queue.js";
import { type IngestEnv, IngestEnvSchema, ingestLimitsOf } from "../../config/ingest-env.js";
import { ConfigError } from "../../errors.js";
import type { IngestDeps } from "../../ingest/ingest.js";
import { parseWebhookSecrets, type WebhookSecrets } from "../../ingest/webhook-auth.js";
import { type AppLogger, createLogger } from "../../observability/logger.js";
import { registerSecret } from "../../observability/redact.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Metrics } from "../../ports/metrics.js";
import type { Queue } from "../../ports/queue.js";
import type { SecretStore } from "../../ports/secret-store.js";
import { USE_CASE_CATALOG } from "../../use-cases/catalog.js";
import { withBundledDefinitions } from "../../use-cases/defined/bundled.js";
import type { UseCaseDescriptor } from "../../use-cases/descriptor.js";

export const ingestLogger = createLogger("ingest");
/** The ingest's CloudWatch metrics (EMF, service "ingest"): WebhookAccepted and WebhookRejected. */
export const ingestMetrics = createPowertoolsMetrics("ingest");

/** Reads and parses the webhook secret through a TTL'd store, re-parsing only when its version changes. */
export function webhookSecretsLoader(store: SecretStore, name: string): () => Promise<WebhookSecrets> {
  let cached: { versionId: string; secrets: WebhookSecrets } | undefined;
  return async () => {
    const { value, versionId } = await store.get(name);
    if (cached?.versionId !== versionId) {
      const secrets = parseWebhookSecrets(value, name);
      for (const s of [
        secrets.token,
        secrets.previousToken ?? undefined,
        ...secrets.hmacKeys,
        ...secrets.notificationTokens,
      ])
        registerSecret(s);
      cached = { versionId, secrets };
    }
    return cached.secrets;
  };
}

/** The SDK clients the ingest talks to (AWS's, or the local emulators'). */
export interface IngestClients {
  sqs: SQSClient;
  secretsManager: SecretsManagerClient;
  /** Only for the shared rate counter (`INGEST_RATE_TABLE`). */
  dynamodb?: DynamoDBClient;
}

export interface IngestExtras {
  /** The use cases this deployment routes. @default USE_CASE_CATALOG and the definitions bundled at synth */
  catalog?: readonly UseCaseDescriptor[];
  clock?: Clock;
  logger?: AppLogger;
  /** Wraps the work queue (the local stack journals what it sends, so a restart loses nothing). */
  decorateQueue?: (queue: Queue) => Queue;
  /** Where the ingest counts accepted and refused webhooks. AWS: EMF (`ingestMetrics`); absent, nothing is counted. */
  metrics?: Metrics;
}

export function createIngestDeps(
  env: IngestEnv,
  clients: IngestClients,
  extras: IngestExtras = {},
): IngestDeps {
  if (env.INGEST_RATE_TABLE && !clients.dynamodb)
    throw new ConfigError("INGEST_RATE_TABLE is set but the ingest has no DynamoDB client");
  const queue = new SqsQueue(clients.sqs, env.WORK_QUEUE_URL);
  const store = new SecretsManagerStore({
    client: clients.secretsManager,
    ttlMs: env.WEBHOOK_SECRET_TTL_SECONDS * 1000,
  });
  return {
    queue: extras.decorateQueue ? extras.decorateQueue(queue) : queue,
    webhookSecrets: webhookSecretsLoader(store, env.WEBHOOK_SECRET_NAME),
    connections: env.ZOHO_CONNECTIONS,
    loopGuard: {
      crmIntegrationUsers: env.LOOP_GUARD_CRM_USERS,
      crmMediatorFields: env.LOOP_GUARD_CRM_FIELDS,
      deskIntegrationActors: env.LOOP_GUARD_DESK_ACTORS,
    },
    clock: extras.clock ?? systemClock,
    logger: extras.logger ?? ingestLogger,
    limits: ingestLimitsOf(env),
    ...(env.INGEST_RATE_TABLE && clients.dynamodb
      ? { sharedCounter: new DynamoRateCounter(clients.dynamodb, env.INGEST_RATE_TABLE) }
      : {}),
    // The catalog's routing reads `catalog` (see shared/use-cases/descriptor.ts); absent, the built-in use cases and
    // the definitions bundled at synth.
    catalog: extras.catalog ?? withBundledDefinitions(USE_CASE_CATALOG),
    ...(extras.metrics ? { metrics: extras.metrics } : {}),
  };
}

let deps: IngestDeps | undefined;

/** AWS composition, built once per container. */
export function getIngestDeps(): IngestDeps {
  if (deps) return deps;
  const env = IngestEnvSchema.parse(process.env);
  deps = createIngestDeps(
    env,
    {
      sqs: createSqsClient(),
      secretsManager: new SecretsManagerClient({}),
      ...(env.INGEST_RATE_TABLE ? { dynamodb: createDynamoDbClient() } : {}),
    },
    // Each count is a single-metric EMF line, written at once: no flush layer is needed.
    { metrics: new EmfMetrics(ingestMetrics) },
  );
  return deps;
}
