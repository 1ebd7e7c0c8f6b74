/**
 * One Zoho client per connection and container, built on first use: the deployed connections' secrets, a token
 * provider that refreshes only through the coordinator, and the function's own concurrency cap and retry policy.
 * The worker and the tool endpoint compose theirs with it.
 */

import { createZohoPorts } from "../../adapters/zoho/ports.js";
import type { RetryPolicy } from "../../adapters/zoho/retry-policy.js";
import { TokenProvider } from "../../adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../adapters/zoho/zoho-http-client.js";
import { ConfigError } from "../../errors.js";
import { loggedFetch } from "../../observability/logged-fetch.js";
import type { AppLogger } from "../../observability/logger.js";
import type { Clock } from "../../ports/clock.js";
import type { Metrics } from "../../ports/metrics.js";
import type { RefreshCoordinator } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";
import type { ZohoPorts, ZohoPortsFor } from "../../ports/zoho.js";

export interface ZohoPortsOptions {
  /** The deployed connections' secret names (ZOHO_CONNECTION_SECRETS); a connection is its name's last segment. */
  secretNames: readonly string[];
  secrets: SecretStore;
  coordinator: RefreshCoordinator;
  clock: Clock;
  /** In-flight Zoho calls per connection from this container. */
  maxConcurrent: number;
  /** Timeout of each Zoho call (ZOHO_HTTP_TIMEOUT_MS). @default the client's (10 s) */
  timeoutMs?: number;
  /** Sleep between Zoho retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** Counts ZohoCalls, ZohoThrottled (429s) and ZohoCreditsRemaining per connection. @default none */
  metrics?: Metrics;
  /** Logs every Zoho call (one line each, in the caller's log scope). @default no call lines */
  logger?: AppLogger;
}

export function zohoPortsByConnection(options: ZohoPortsOptions): ZohoPortsFor {
  // Connection name is the last segment of its secret name (see connectionSecretName).
  const secretByConnection = new Map(options.secretNames.map((s) => [s.split("/").pop() as string, s]));
  const ports = new Map<string, ZohoPorts>();
  return (connection) => {
    const cached = ports.get(connection);
    if (cached) return cached;
    const secretName = secretByConnection.get(connection);
    if (!secretName) throw new ConfigError(`no Zoho connection "${connection}" in this deployment`);
    const tokens = new TokenProvider({
      secretName,
      secrets: options.secrets,
      coordinator: options.coordinator,
      clock: options.clock,
    });
    const client = createZohoPorts(
      new ZohoHttpClient({
        tokens,
        maxConcurrent: options.maxConcurrent,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.logger ? { fetch: loggedFetch(options.logger, "zoho") } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.metrics ? zohoCallMetrics(options.metrics, connection) : {}),
      }),
    );
    ports.set(connection, client);
    return client;
  };
}

/** The client's hooks that count its answers for one connection (the dashboard's Zoho calls, 429s and credits). */
function zohoCallMetrics(metrics: Metrics, connection: string) {
  return {
    onResponse: (status: number) => {
      metrics.count("ZohoCalls", 1, { connection });
      if (status === 429) metrics.count("ZohoThrottled", 1, { connection });
    },
    // A reading, not a count: the dashboard shows its Minimum per period.
    onCredits: (remaining: number) => metrics.count("ZohoCreditsRemaining", remaining, { connection }),
  };
}
