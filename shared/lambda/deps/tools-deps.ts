/**
 * Composition of the tool endpoint (MCP and REST for agents): one wiring (`createToolsDeps`) from its parsed
 * environment and SDK clients, used by AWS (`getToolsDeps`, clients from the environment) and by the local stack
 * (emulator clients), so both run the same code with only endpoints changed. The Zoho clients are built per
 * connection as the worker builds them (the same token provider and refresh coordination), with the endpoint's own,
 * smaller concurrency.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createDynamoAgentStore } from "../../adapters/dynamodb/agent-store.js";
import { createDynamoDbClient } from "../../adapters/dynamodb/client.js";
import { DynamoJobStore } from "../../adapters/dynamodb/job-store.js";
import { LambdaRefreshCoordinator } from "../../adapters/lambda/lambda-refresh-coordinator.js";
import { createPowertoolsMetrics, EmfMetrics } from "../../adapters/metrics/powertools-metrics.js";
import { SecretsManagerStore } from "../../adapters/secrets/secrets-manager-store.js";
import { createZohoPorts } from "../../adapters/zoho/ports.js";
import type { RetryPolicy } from "../../adapters/zoho/retry-policy.js";
import { TokenProvider } from "../../adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../adapters/zoho/zoho-http-client.js";
import { type ToolsEnv, ToolsEnvSchema } from "../../config/tools-env.js";
import { ConfigError } from "../../errors.js";
import { type AppLogger, createLogger } from "../../observability/logger.js";
import { FieldMetadataCache } from "../../pipeline/field-metadata-cache.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Metrics } from "../../ports/metrics.js";
import type { RefreshCoordinator } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";
import type { ZohoPorts } from "../../ports/zoho.js";
import { TOOL_CATALOG } from "../../tools/catalog.js";
import type { ToolDefinition } from "../../tools/definition.js";
import type { ToolsHttpDeps } from "../../tools/http.js";

export const toolsLogger = createLogger("tools");
export const toolsMetrics = createPowertoolsMetrics("tools");

/** The SDK clients the endpoint talks to (AWS's, or the local emulators'). */
export interface ToolsClients {
  dynamodb: DynamoDBClient;
  secrets: SecretStore;
  coordinator: RefreshCoordinator;
}

export interface ToolsExtras {
  clock?: Clock;
  logger?: AppLogger;
  metrics?: Metrics;
  /** The tools served. @default TOOL_CATALOG (the conformance script adds its fixture tools). */
  tools?: readonly ToolDefinition[];
  /** Zoho client retry policy over the defaults (tests shorten the waits). */
  zohoRetry?: Partial<RetryPolicy>;
  /** Sleep between Zoho retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

export function createToolsDeps(
  env: ToolsEnv,
  clients: ToolsClients,
  extras: ToolsExtras = {},
): ToolsHttpDeps {
  const clock = extras.clock ?? systemClock;
  const agents = createDynamoAgentStore(clients.dynamodb, env.TOOLS_TABLE);
  return {
    tools: extras.tools ?? TOOL_CATALOG,
    ...agents,
    jobs: new DynamoJobStore(clients.dynamodb, env.JOBS_TABLE, clock),
    zohoFor: zohoPortsFor(env, clients, clock, extras),
    metadata: new FieldMetadataCache(clock),
    clock,
    logger: extras.logger ?? toolsLogger,
    metrics: extras.metrics ?? new EmfMetrics(toolsMetrics),
    config: {
      maxPageSize: env.TOOLS_MAX_PAGE_SIZE,
      creditsLowWater: env.CREDITS_LOW_WATER,
      maxTextLength: env.TOOLS_MAX_TEXT_LENGTH,
    },
    ...(env.TOOLS_ALLOWED_HOSTS ? { allowedHosts: env.TOOLS_ALLOWED_HOSTS } : {}),
    ...(env.TOOLS_PUBLIC_URL ? { publicUrl: env.TOOLS_PUBLIC_URL } : {}),
    version: env.SERVICE_VERSION,
    deskFromAddress: env.DESK_FROM_ADDRESS,
  };
}

/** One Zoho client per connection and container, built on first use (as the worker's). */
function zohoPortsFor(
  env: ToolsEnv,
  clients: ToolsClients,
  clock: Clock,
  extras: ToolsExtras,
): (connection: string) => ZohoPorts {
  // Connection name is the last segment of its secret name (see connectionSecretName).
  const secretByConnection = new Map(
    env.ZOHO_CONNECTION_SECRETS.map((s) => [s.split("/").pop() as string, s]),
  );
  const ports = new Map<string, ZohoPorts>();
  return (connection) => {
    const cached = ports.get(connection);
    if (cached) return cached;
    const secretName = secretByConnection.get(connection);
    if (!secretName) throw new ConfigError(`no Zoho connection "${connection}" in this deployment`);
    const tokens = new TokenProvider({
      secretName,
      secrets: clients.secrets,
      coordinator: clients.coordinator,
      clock,
    });
    const client = createZohoPorts(
      new ZohoHttpClient({
        tokens,
        maxConcurrent: env.TOOLS_ZOHO_CONCURRENCY,
        ...(extras.sleep ? { sleep: extras.sleep } : {}),
        ...(extras.zohoRetry ? { retry: extras.zohoRetry } : {}),
      }),
    );
    ports.set(connection, client);
    return client;
  };
}

let deps: ToolsHttpDeps | undefined;

/** AWS composition, built once per container. */
export function getToolsDeps(): ToolsHttpDeps {
  if (deps) return deps;
  const env = ToolsEnvSchema.parse(process.env);
  const secrets = new SecretsManagerStore({ client: new SecretsManagerClient({}) });
  deps = createToolsDeps(env, {
    dynamodb: createDynamoDbClient(),
    secrets,
    coordinator: new LambdaRefreshCoordinator({
      client: new LambdaClient({}),
      functionName: env.REFRESHER_FUNCTION_NAME,
      secrets,
    }),
  });
  return deps;
}
