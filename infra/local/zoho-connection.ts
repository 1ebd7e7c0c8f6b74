/**
 * A Zoho connection wired as the deployed stack wires it, for the local stack, tests and benchmarks: the
 * connection secret in the Secrets Manager emulator (set up by the real `auth` use case), the refresh use case
 * behind a coordinator with the refresher Lambda's one-at-a-time semantics, and per-"container" token providers
 * and HTTP clients (each its own memory cache, like separate Lambda containers).
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { InProcessRefreshCoordinator } from "../../shared/adapters/zoho/in-process-refresh-coordinator.js";
import { ZohoOAuthClient } from "../../shared/adapters/zoho/oauth-client.js";
import { ZohoTokenCheckHttp } from "../../shared/adapters/zoho/token-check.js";
import { TokenProvider } from "../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient, type ZohoHttpClientOptions } from "../../shared/adapters/zoho/zoho-http-client.js";
import type { ZohoDc } from "../../shared/domain/zoho-dc.js";
import { createLogger } from "../../shared/observability/logger.js";
import { type Clock, systemClock } from "../../shared/ports/clock.js";
import type { Metrics } from "../../shared/ports/metrics.js";
import type { RefreshOutcome } from "../../shared/ports/refresh-coordinator.js";
import { type ConnectZohoInput, makeConnectZoho } from "../../shared/use-cases/connect-zoho.js";
import {
  makeRefreshConnection,
  type RefreshGuard,
  type RefreshRequest,
} from "../../shared/use-cases/refresh-connection.js";
import type { ZohoSandbox } from "./zoho-sandbox/server.js";

/** Metric counts kept in memory (the local stack prints them; tests assert them). */
export class MemoryMetrics implements Metrics {
  readonly counts = new Map<string, number>();
  count(name: string, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}

export interface LocalZohoConnectionOptions {
  /** The sandbox whose demo client `connect()` uses by default; absent when a real Zoho org is configured. */
  sandbox?: ZohoSandbox;
  secretsEndpoint: string;
  secretName: string;
  clock?: Clock;
  metrics?: Metrics;
  guard?: Partial<RefreshGuard>;
  region?: string;
  /** Zoho Accounts call timeout (the refresher's ZOHO_HTTP_TIMEOUT_MS). @default 10_000 */
  oauthTimeoutMs?: number;
  /**
   * What the coordinator runs for each request, one at a time: the local stack passes the refresher Lambda's wrapped
   * handler (as the deployed coordinator invokes that Lambda). @default the refresh use case in this process
   */
  refreshVia?: (request: RefreshRequest) => Promise<RefreshOutcome>;
}

export function createLocalZohoConnection(options: LocalZohoConnectionOptions) {
  const { sandbox, secretName } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? new MemoryMetrics();
  const sm = new SecretsManagerClient({
    endpoint: options.secretsEndpoint,
    region: options.region ?? "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const store = new SecretsManagerStore({ client: sm, clock });
  const oauth = new ZohoOAuthClient(
    options.oauthTimeoutMs !== undefined ? { timeoutMs: options.oauthTimeoutMs } : {},
  );
  const logger = createLogger("zoho-connection");
  const refresh = makeRefreshConnection({
    secrets: store,
    oauth,
    clock,
    metrics,
    logger,
    ...(options.guard ? { guard: options.guard } : {}),
  });
  const coordinator = new InProcessRefreshCoordinator(options.refreshVia ?? refresh);
  const connectZoho = makeConnectZoho({ oauth, secrets: store, clock, tokenCheck: new ZohoTokenCheckHttp() });

  return {
    sm,
    store,
    oauth,
    metrics,
    clock,
    secretName,
    refresh,
    coordinator,
    /** Runs the real `auth` use case for the sandbox's demo client (overridable). */
    connect: (over: Partial<ConnectZohoInput> = {}) => {
      const defaults: Partial<ConnectZohoInput> = sandbox
        ? (() => {
            const demo = sandbox.demo();
            return {
              clientId: demo.clientId,
              clientSecret: demo.clientSecret,
              code: sandbox.grantCode(),
              dc: demo.dc as ZohoDc,
              accountsServer: demo.accountsUrl,
              deskBase: demo.deskUrl,
              deskOrgId: demo.orgId,
            };
          })()
        : {};
      return connectZoho({ connection: "default", secretName, ...defaults, ...over } as ConnectZohoInput);
    },
    /** A fresh "Lambda container": its own token cache and HTTP client. */
    container: (opts: Partial<Omit<ZohoHttpClientOptions, "tokens">> = {}) => {
      const tokens = new TokenProvider({
        secretName,
        secrets: new SecretsManagerStore({ client: sm, clock }),
        coordinator,
        clock,
      });
      return { tokens, zoho: new ZohoHttpClient({ tokens, ...opts }) };
    },
    /** Zoho token-endpoint calls the sandbox has seen. */
    tokenCalls: () =>
      ((sandbox?.inspect().requests ?? []) as { path: string }[]).filter((r) =>
        r.path.endsWith("/oauth/v2/token"),
      ).length,
    close: () => sm.destroy(),
  };
}
export type LocalZohoConnection = ReturnType<typeof createLocalZohoConnection>;
