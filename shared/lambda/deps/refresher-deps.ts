/**
 * Composition root of the token refresher in AWS: SDK clients and adapters built once per container, lazily.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createPowertoolsMetrics, EmfMetrics } from "../../adapters/metrics/powertools-metrics.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { ZohoOAuthClient } from "../../adapters/zoho/oauth-client.js";
import { RefresherEnvSchema } from "../../config/refresher-env.js";
import { createLogger } from "../../observability/logger.js";
import { systemClock } from "../../ports/clock.js";
import { makeRefreshConnection } from "../../use-cases/refresh-connection.js";
import type { TokenRefresherDeps } from "../token-refresher.js";

export const refresherLogger = createLogger("token-refresher");
export const refresherMetrics = createPowertoolsMetrics("token-refresher");

let deps: TokenRefresherDeps | undefined;

export function getRefresherDeps(): TokenRefresherDeps {
  if (deps) return deps;
  const env = RefresherEnvSchema.parse(process.env);
  const metrics = new EmfMetrics(refresherMetrics);
  // The refresher reads the secret fresh before every refresh; the cache only serves repeated reads in one run.
  const secrets = new SecretsManagerStore({ client: new SecretsManagerClient({}), ttlMs: 0 });
  deps = {
    refresh: makeRefreshConnection({
      secrets,
      oauth: new ZohoOAuthClient({ timeoutMs: env.ZOHO_HTTP_TIMEOUT_MS }),
      clock: systemClock,
      metrics,
      logger: refresherLogger,
      guard: { maxRefreshes: env.REFRESH_GUARD_MAX },
    }),
    secretNames: env.ZOHO_CONNECTION_SECRETS,
    refreshAheadMs: env.REFRESH_AHEAD_SECONDS * 1000,
    metrics,
    logger: refresherLogger,
  };
  return deps;
}
