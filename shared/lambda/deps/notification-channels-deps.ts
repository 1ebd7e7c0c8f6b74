/** Composition root of the notification-channels function in AWS: clients built once per container, lazily. */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { LambdaRefreshCoordinator } from "../../adapters/lambda/lambda-refresh-coordinator.js";
import { createPowertoolsMetrics, EmfMetrics } from "../../adapters/metrics/powertools-metrics.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { createZohoAdmin } from "../../adapters/zoho/ports.js";
import { TokenProvider } from "../../adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../adapters/zoho/zoho-http-client.js";
import {
  type NotificationChannelsEnv,
  NotificationChannelsEnvSchema,
} from "../../config/notification-channels-env.js";
import { connectionNameOfSecret } from "../../domain/zoho-connection.js";
import { ConfigError } from "../../errors.js";
import { type AppLogger, createLogger } from "../../observability/logger.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Metrics } from "../../ports/metrics.js";
import type { RefreshCoordinator } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";
import {
  type ManageNotificationChannelsDeps,
  makeManageNotificationChannels,
  type NotificationChannelsConfig,
} from "../../use-cases/manage-notification-channels.js";

export const channelsLogger = createLogger("notification-channels");
export const channelsMetrics = createPowertoolsMetrics("notification-channels");

/** The use case's configuration from its parsed environment (the local stack uses it too). */
export function channelsConfig(env: NotificationChannelsEnv): NotificationChannelsConfig {
  return {
    connections: env.ZOHO_CONNECTION_SECRETS.map(connectionNameOfSecret),
    webhookSecretName: env.WEBHOOK_SECRET_NAME,
    notifyUrl: env.NOTIFY_URL,
    events: env.NOTIFICATION_EVENTS,
    channelTtlMs: env.NOTIFICATION_CHANNEL_TTL_MINUTES * 60_000,
    renewMarginMs: env.NOTIFICATION_RENEW_MARGIN_MINUTES * 60_000,
    tokenPropagationMs: env.NOTIFICATION_TOKEN_PROPAGATION_SECONDS * 1000,
    channelSeed: env.NOTIFICATION_CHANNEL_SEED,
  };
}

/** The Zoho Notification API per connection (the admin port), over one secret store and refresh coordinator. */
export function zohoClientsFor(
  env: NotificationChannelsEnv,
  secrets: SecretStore,
  coordinator: RefreshCoordinator,
  clock: Clock = systemClock,
): ManageNotificationChannelsDeps["zohoFor"] {
  const bySecret = new Map(env.ZOHO_CONNECTION_SECRETS.map((s) => [connectionNameOfSecret(s), s]));
  const clients = new Map<string, ReturnType<typeof createZohoAdmin>>();
  return (connection) => {
    const secretName = bySecret.get(connection);
    if (!secretName) throw new ConfigError(`no Zoho connection "${connection}" in this deployment`);
    let client = clients.get(connection);
    if (!client) {
      client = createZohoAdmin(
        new ZohoHttpClient({
          tokens: new TokenProvider({ secretName, secrets, coordinator, clock }),
          timeoutMs: env.ZOHO_HTTP_TIMEOUT_MS,
        }),
      );
      clients.set(connection, client);
    }
    return client;
  };
}

export interface NotificationChannelsClients {
  /** Read fresh on every use: the run writes the webhook secret and must never act on a stale copy of it. */
  secrets: SecretStore;
  /** Where the Zoho tokens are read (may cache, like every token reader). @default secrets */
  tokenSecrets?: SecretStore;
  coordinator: RefreshCoordinator;
}

export interface NotificationChannelsExtras {
  /** Decides channel expiry. @default the system clock */
  clock?: Clock;
  /** Token lifetimes (the connection's clock, in the local stack). @default clock */
  tokenClock?: Clock;
  logger?: AppLogger;
  metrics?: Metrics;
}

/** The one wiring of the function: AWS and the local stack build its dependencies here, with their own clients. */
export function createNotificationChannelsDeps(
  env: NotificationChannelsEnv,
  clients: NotificationChannelsClients,
  extras: NotificationChannelsExtras = {},
): ManageNotificationChannelsDeps {
  const clock = extras.clock ?? systemClock;
  return {
    zohoFor: zohoClientsFor(
      env,
      clients.tokenSecrets ?? clients.secrets,
      clients.coordinator,
      extras.tokenClock ?? clock,
    ),
    secrets: clients.secrets,
    clock,
    logger: extras.logger ?? channelsLogger,
    metrics: extras.metrics ?? new EmfMetrics(channelsMetrics),
    config: channelsConfig(env),
  };
}

let run: (() => ReturnType<ReturnType<typeof makeManageNotificationChannels>>) | undefined;

export function getNotificationChannelsRun() {
  if (run) return run;
  const env = NotificationChannelsEnvSchema.parse(process.env);
  // Fresh reads: the run writes the webhook secret and must never act on a stale copy of it.
  const secrets = new SecretsManagerStore({ client: new SecretsManagerClient({}), ttlMs: 0 });
  run = makeManageNotificationChannels(
    createNotificationChannelsDeps(env, {
      secrets,
      coordinator: new LambdaRefreshCoordinator({
        client: new LambdaClient({}),
        functionName: env.REFRESHER_FUNCTION_NAME,
        secrets,
      }),
    }),
  );
  return run;
}
