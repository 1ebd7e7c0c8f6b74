/**
 * Composition of the token refresher: one wiring (`createRefresherDeps`) from its parsed environment and SDK client,
 * used by AWS (`getRefresherDeps`) and by the local stack (the Secrets Manager emulator), so both run the same code.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createPowertoolsMetrics, EmfMetrics } from "../../adapters/metrics/powertools-metrics.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { ZohoOAuthClient } from "../../adapters/zoho/oauth-client.js";
import { type RefresherEnv, RefresherEnvSchema } from "../../config/refresher-env.js";
import { type AppLogger, createLogger } from "../../observability/logger.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Metrics } from "../../ports/metrics.js";
import { makeRefreshConnection } from "../../use-cases/refresh-connection.js";
import type { TokenRefresherDeps } from "../token-refresher.js";

export const refresherLogger = createLogger("token-refresher");
export const refresherMetrics = createPowertoolsMetrics("token-refresher");

/** The SDK clients the refresher talks to (AWS's, or the local emulator's). */
export interface RefresherClients {
  secretsManager: SecretsManagerClient;
}

export interface RefresherExtras {
  clock?: Clock;
  metrics?: Metrics;
  logger?: AppLogger;
}

export function createRefresherDeps(
  env: RefresherEnv,
  clients: RefresherClients,
  extras: RefresherExtras = {},
): TokenRefresherDeps {
  const clock = extras.clock ?? systemClock;
  const logger = extras.logger ?? refresherLogger;
  const metrics = extras.metrics ?? new EmfMetrics(refresherMetrics);
  // The refresher reads the secret fresh before every refresh; the cache only serves repeated reads in one run.
  const secrets = new SecretsManagerStore({ client: clients.secretsManager, ttlMs: 0, clock });
  return {
    refresh: makeRefreshConnection({
      secrets,
      oauth: new ZohoOAuthClient({ timeoutMs: env.ZOHO_HTTP_TIMEOUT_MS }),
      clock,
      metrics,
      logger,
      guard: { maxRefreshes: env.REFRESH_GUARD_MAX },
    }),
    secretNames: env.ZOHO_CONNECTION_SECRETS,
    refreshAheadMs: env.REFRESH_AHEAD_SECONDS * 1000,
    metrics,
    logger,
  };
}

let deps: TokenRefresherDeps | undefined;

/** AWS composition, built once per container. */
export function getRefresherDeps(): TokenRefresherDeps {
  deps ??= createRefresherDeps(RefresherEnvSchema.parse(process.env), {
    secretsManager: new SecretsManagerClient({}),
  });
  return deps;
}
