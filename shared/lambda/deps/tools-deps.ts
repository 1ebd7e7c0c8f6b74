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
import type { RetryPolicy } from "../../adapters/zoho/retry-policy.js";
import { type ToolsEnv, ToolsEnvSchema } from "../../config/tools-env.js";
import { type AppLogger, createLogger } from "../../observability/logger.js";
import { FieldMetadataCache } from "../../pipeline/field-metadata-cache.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { Metrics } from "../../ports/metrics.js";
import type { RefreshCoordinator } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";
import { TOOL_CATALOG } from "../../tools/catalog.js";
import type { ToolDefinition } from "../../tools/definition.js";
import type { ToolsHttpDeps } from "../../tools/http.js";
import { zohoPortsByConnection } from "./zoho-ports-by-connection.js";

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
    zohoFor: zohoPortsByConnection({
      secretNames: env.ZOHO_CONNECTION_SECRETS,
      secrets: clients.secrets,
      coordinator: clients.coordinator,
      clock,
      maxConcurrent: env.TOOLS_ZOHO_CONCURRENCY,
      timeoutMs: env.ZOHO_HTTP_TIMEOUT_MS,
      ...(extras.sleep ? { sleep: extras.sleep } : {}),
      // An agent waits on the answer: a Zoho 429 is answered at once as a retryable tool error (with retry-after)
      // instead of being retried here, so agents' bursts never become a storm of retries.
      retry: { rateLimitRetries: 0, ...extras.zohoRetry },
      logger: extras.logger ?? toolsLogger,
    }),
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
