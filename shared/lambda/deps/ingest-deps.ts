/** Composition root of the ingest function in AWS: clients and adapters built once per container, lazily. */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createDynamoDbClient } from "../../adapters/dynamodb/client.js";
import { DynamoRateCounter } from "../../adapters/dynamodb/rate-counter.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { createSqsClient } from "../../adapters/sqs/sqs-client.js";
import { SqsQueue } from "../../adapters/sqs/sqs-queue.js";
import { IngestEnvSchema, ingestLimitsOf } from "../../config/ingest-env.js";
import type { IngestDeps } from "../../ingest/ingest.js";
import { parseWebhookSecrets, type WebhookSecrets } from "../../ingest/webhook-auth.js";
import { createLogger } from "../../observability/logger.js";
import { registerSecret } from "../../observability/redact.js";
import { systemClock } from "../../ports/clock.js";
import type { SecretStore } from "../../ports/secret-store.js";

export const ingestLogger = createLogger("ingest");

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

let deps: IngestDeps | undefined;

export function getIngestDeps(): IngestDeps {
  if (deps) return deps;
  const env = IngestEnvSchema.parse(process.env);
  const store = new SecretsManagerStore({
    client: new SecretsManagerClient({}),
    ttlMs: env.WEBHOOK_SECRET_TTL_SECONDS * 1000,
  });
  deps = {
    queue: new SqsQueue(createSqsClient(), env.WORK_QUEUE_URL),
    webhookSecrets: webhookSecretsLoader(store, env.WEBHOOK_SECRET_NAME),
    connections: env.ZOHO_CONNECTIONS,
    loopGuard: {
      crmIntegrationUsers: env.LOOP_GUARD_CRM_USERS,
      crmMediatorFields: env.LOOP_GUARD_CRM_FIELDS,
      deskIntegrationActors: env.LOOP_GUARD_DESK_ACTORS,
    },
    clock: systemClock,
    logger: ingestLogger,
    limits: ingestLimitsOf(env),
    ...(env.INGEST_RATE_TABLE
      ? { sharedCounter: new DynamoRateCounter(createDynamoDbClient(), env.INGEST_RATE_TABLE) }
      : {}),
  };
  return deps;
}
