/**
 * What the CLI commands share: the Secrets Manager client (a local emulator signs with dummy credentials), the
 * secret names of a stage, and a Zoho connection wired as the functions wire it (the stored token while it is valid,
 * the real refresh use case with its guard when it is not).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { InProcessRefreshCoordinator } from "../../shared/adapters/zoho/in-process-refresh-coordinator.js";
import { ZohoOAuthClient } from "../../shared/adapters/zoho/oauth-client.js";
import { TokenProvider } from "../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../shared/adapters/zoho/zoho-http-client.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import type { AppLogger } from "../../shared/observability/logger.js";
import { type Clock, systemClock } from "../../shared/ports/clock.js";
import type { MappingCheckFn } from "../../shared/use-cases/doctor/index.js";
import { makeRefreshConnection } from "../../shared/use-cases/refresh-connection.js";

/** What tests (and the integrator) may inject into the CLI. */
export interface CliDeps {
  /** The field-mapping check; defaults to infra/cli/mapping-check.ts. */
  checkMappings?: MappingCheckFn;
  /** Zoho calls (not the token endpoint). */
  fetch?: typeof fetch;
  clock?: Clock;
}

/** Flags every connection command takes, with their help lines. */
export const CONNECTION_OPTIONS = {
  connection: { type: "string" },
  stage: { type: "string" },
  "secret-name": { type: "string" },
  region: { type: "string" },
  "secrets-endpoint": { type: "string" },
} as const;

export interface ConnectionFlags {
  connection?: string | undefined;
  stage?: string | undefined;
  "secret-name"?: string | undefined;
  region?: string | undefined;
  "secrets-endpoint"?: string | undefined;
}

/** Secrets Manager for the CLI; against a local emulator without configured credentials, dummy ones (it does not check). */
export function secretsClient(flags: ConnectionFlags, env: NodeJS.ProcessEnv): SecretsManagerClient {
  const endpoint = flags["secrets-endpoint"];
  const hasCredentials = Boolean(
    env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  );
  return new SecretsManagerClient({
    region: flags.region ?? env.AWS_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && !hasCredentials
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  });
}

/** The flags a suggested command needs to reach the same stage and secrets (defaults left out). */
export function commandFlags(
  flags: ConnectionFlags,
  defaults: { stage: string; connection: string },
): string {
  return [
    flags.stage && flags.stage !== defaults.stage ? `--stage ${flags.stage}` : "",
    flags.connection && flags.connection !== defaults.connection ? `--connection ${flags.connection}` : "",
    flags["secret-name"] ? `--secret-name ${flags["secret-name"]}` : "",
    flags.region ? `--region ${flags.region}` : "",
    flags["secrets-endpoint"] ? `--secrets-endpoint ${flags["secrets-endpoint"]}` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** The CLI reports through its own output; the use cases' structured logs would only interleave with it. */
const silentLogger: AppLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  powertools: new Logger({ serviceName: "cli", logLevel: "SILENT" }),
};

/** A connection's store, refresh use case and Zoho client, as a function would have them. */
export function openConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  deps: CliDeps,
  defaults: { stage: string; connection: string },
) {
  const client = secretsClient(flags, env);
  const clock = deps.clock ?? systemClock;
  const store = new SecretsManagerStore({ client, clock });
  const stage = flags.stage ?? defaults.stage;
  const connection = flags.connection ?? defaults.connection;
  const secretName = flags["secret-name"] ?? connectionSecretName(stage, connection);
  const refresh = makeRefreshConnection({
    secrets: store,
    oauth: new ZohoOAuthClient(),
    clock,
    metrics: { count: () => {} },
    logger: silentLogger,
  });
  return {
    stage,
    connection,
    secretName,
    store,
    clock,
    refresh,
    /** A Zoho client on this connection (one token cache). */
    zoho: () =>
      new ZohoHttpClient({
        tokens: new TokenProvider({
          secretName,
          secrets: store,
          coordinator: new InProcessRefreshCoordinator(refresh),
          clock,
        }),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      }),
    close: () => client.destroy(),
  };
}
