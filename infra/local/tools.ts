/**
 * The tool endpoint (MCP tools and GPT Actions) in the local stack, wired as in AWS: its settings through the tool
 * function's own parser, its dependencies through `createToolsDeps` on the emulators' clients, and the same
 * middy-wrapped handler `functions/tools/handler.ts` exports. Plus what only the local stack has: a demo API key,
 * created at start (and kept under the state directory, so it survives a restart), that `npm start` prints.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { buildHandler as buildToolsHandler } from "../../functions/tools/handler.js";
import { createPowertoolsMetrics } from "../../shared/adapters/metrics/powertools-metrics.js";
import type { RetryPolicy } from "../../shared/adapters/zoho/retry-policy.js";
import { type ToolsEnv, ToolsEnvSchema } from "../../shared/config/tools-env.js";
import { keyIdOf, keyMatches } from "../../shared/domain/api-key.js";
import { createToolsDeps, toolsLogger } from "../../shared/lambda/deps/tools-deps.js";
import type { ApiKeyStore } from "../../shared/ports/agent-store.js";
import type { Clock } from "../../shared/ports/clock.js";
import type { ToolDefinition } from "../../shared/tools/definition.js";
import { createApiKey } from "../../shared/use-cases/agent-keys.js";
import { LOCAL_REFRESHER_NAME, LOCAL_TABLES } from "./functions.js";
import { lambdaEnv } from "./settings.js";
import type { LocalZohoConnection } from "./zoho-connection.js";

/**
 * The local demo key: every tool of the catalog usable on the demo org (CRM reads, writes on Leads, Contacts and
 * Deals limited to the `AI_*` fields and Description, Desk reads, comments and drafts but never sending, pipeline
 * job status), with a budget and rate that a person trying things never hits.
 */
export const LOCAL_DEMO_KEY = {
  name: "local-demo",
  scopes:
    "crm.read,crm.write:Leads,crm.write:Contacts,crm.write:Deals,desk.read,desk.comment,desk.draft,jobs.read",
  allow: ["AI_*", "Description"],
  writeBudget: "200/day",
  rate: "120/min",
} as const;

/** What the local stack tells about its tool endpoint (`npm start` prints it; tests call it). */
export interface LocalTools {
  /** The MCP endpoint (Streamable HTTP, stateless): `<api>/v1/mcp`. */
  mcpUrl: string;
  /** The generated OpenAPI 3.1 document GPT Actions import: `<api>/v1/openapi.json`. */
  openapiUrl: string;
  /** The REST operations' base: `<api>/v1/tools` (`POST <restUrl>/<tool name>`). */
  restUrl: string;
  /** The demo key's plaintext (`zgm_...`): send it as `Authorization: Bearer <key>`. */
  demoKey: string;
  /** The agents' table in DynamoDB Local (the `keys` and `proposals` commands' `--table`). */
  table: string;
  /** DynamoDB Local's URL (the commands' `--dynamodb-endpoint`). */
  dynamodbUrl: string;
}

/** Loopback hosts, with and without the API's port: DNS-rebinding protection lets only these through. */
export function localAllowedHosts(port: number): string[] {
  const hosts = ["localhost", "127.0.0.1", "[::1]"];
  return [...hosts, ...hosts.map((h) => `${h}:${port}`)];
}

/**
 * The tool function's settings: the stack's defaults (loopback hosts only), then the environment's keys of the
 * tool schema (`TOOLS_ALLOWED_HOSTS`, `TOOLS_PUBLIC_URL` for a tunnel), then `over` (tests), then the wiring.
 */
export function localToolsEnv(
  settings: { env: Record<string, unknown>; over: Record<string, string> | undefined },
  wiring: { stage: string; apiPort: number; connectionSecretName: string },
): ToolsEnv {
  const version = settings.env.npm_package_version;
  return ToolsEnvSchema.parse(
    lambdaEnv(ToolsEnvSchema, settings.env, {
      defaults: {
        TOOLS_ALLOWED_HOSTS: localAllowedHosts(wiring.apiPort).join(","),
        ...(typeof version === "string" ? { SERVICE_VERSION: version } : {}),
      },
      over: settings.over,
      wiring: {
        STAGE: wiring.stage,
        TOOLS_TABLE: LOCAL_TABLES.agents,
        JOBS_TABLE: LOCAL_TABLES.jobs,
        ZOHO_CONNECTION_SECRETS: wiring.connectionSecretName,
        REFRESHER_FUNCTION_NAME: LOCAL_REFRESHER_NAME,
      },
    }),
  );
}

/**
 * The tool function's wrapped handler on the local clients, and its store of keys (for the demo key). Counts go to
 * the connection's in-memory metrics, like the worker's; Zoho retry waits follow the worker's test settings.
 */
export function localTools(
  env: ToolsEnv,
  clients: { dynamodb: DynamoDBClient; connection: LocalZohoConnection },
  extras: {
    tools?: readonly ToolDefinition[];
    sleep?: (ms: number) => Promise<void>;
    zohoRetry?: Partial<RetryPolicy>;
  },
): { handler: ReturnType<typeof buildToolsHandler>; keys: ApiKeyStore } {
  const { connection } = clients;
  const deps = createToolsDeps(
    env,
    { dynamodb: clients.dynamodb, secrets: connection.store, coordinator: connection.coordinator },
    {
      clock: connection.clock,
      logger: toolsLogger,
      metrics: connection.metrics,
      ...(extras.tools ? { tools: extras.tools } : {}),
      ...(extras.sleep ? { sleep: extras.sleep } : {}),
      ...(extras.zohoRetry ? { zohoRetry: extras.zohoRetry } : {}),
    },
  );
  const handler = buildToolsHandler(deps, {
    logger: toolsLogger,
    metrics: createPowertoolsMetrics("tools", { quiet: true }),
  });
  return { handler, keys: deps.keys };
}

/**
 * The demo key's plaintext. With a state directory, the key saved there (`demo-key`, mode 0600) is reused while
 * the table still holds it unrevoked; otherwise a new key is created (and saved). Only its hash is in the table,
 * like every key.
 */
export async function ensureDemoKey(
  keys: ApiKeyStore,
  options: { connection: string; clock: Clock; stateDir?: string },
): Promise<{ key: string; reused: boolean }> {
  const file = options.stateDir ? join(options.stateDir, "demo-key") : undefined;
  if (file && existsSync(file)) {
    const saved = readFileSync(file, "utf8").trim();
    const id = keyIdOf(saved);
    const record = id ? await keys.get(id) : null;
    if (record && !record.revokedAt && keyMatches(record, saved)) return { key: saved, reused: true };
  }
  const { key } = await createApiKey(
    keys,
    {
      name: LOCAL_DEMO_KEY.name,
      connection: options.connection,
      scopes: LOCAL_DEMO_KEY.scopes,
      allow: [...LOCAL_DEMO_KEY.allow],
      writeBudget: LOCAL_DEMO_KEY.writeBudget,
      rate: LOCAL_DEMO_KEY.rate,
    },
    options.clock,
  );
  if (file) {
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created; an older file keeps its mode otherwise.
    chmodSync(file, 0o600);
  }
  return { key, reused: false };
}
