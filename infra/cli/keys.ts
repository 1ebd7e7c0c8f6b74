/**
 * `npx zoho-gpt-mediator keys create|list|revoke`: agents' API keys in the stage's agents table (see
 * shared/use-cases/agent-keys.ts). The key string is printed once, on its own line `key: zgm_...`, and stored
 * nowhere: only its hash is. `--json` prints one JSON document (scripts and the e2e tests parse it).
 */
import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoAgentStore } from "../../shared/adapters/dynamodb/agent-store.js";
import { createDynamoDbClient } from "../../shared/adapters/dynamodb/client.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { type ApiKeyView, agentTableName, formatScopes } from "../../shared/domain/api-key.js";
import { isAppError } from "../../shared/errors.js";
import { redactString } from "../../shared/observability/redact.js";
import { systemClock } from "../../shared/ports/clock.js";
import {
  createApiKey,
  DEFAULT_RATE,
  DEFAULT_WRITE_BUDGET,
  listApiKeys,
  revokeApiKey,
} from "../../shared/use-cases/agent-keys.js";
import type { CliDeps } from "./connection.js";

/** The usage of keys and proposals (main.ts prints it with the rest). */
export const KEYS_USAGE = `keys: agents' API keys for the MCP tools and GPT Actions (shown once, stored hashed, one connection each).
  keys create --name N --scopes S [--allow P,...] [--write-budget 200/day] [--rate 60/min] [--proposals-only]
              [--connection default] [--json]
    --scopes S             comma-separated: crm.read (every module) | crm.read:<Module> | crm.write:<Module>
                           (implies reading it) | desk.read | desk.comment | desk.draft | desk.send (implies draft)
                           | jobs.read (pipeline job status)
    --allow P,...          fields a crm.write module may update: api names or prefixes ending in * (AI_*),
                           <Module>.<pattern> for one module only; every crm.write module needs one
    --write-budget N/day   writes per UTC day, proposals included (default ${DEFAULT_WRITE_BUDGET})
    --rate N/min           tool calls per minute (default ${DEFAULT_RATE})
    --proposals-only       every write becomes a proposal a person approves
  keys list [--json]
  keys revoke <id>         the key answers 401 from then on
  keys calls <id> [--limit N] [--json]
                           the key's audited tool calls, newest first (default 50): tool, outcome, Zoho calls,
                           writes, the proposal made; arguments only as a digest
Every keys and proposals command takes:
  --stage NAME             stage (default: ${DEFAULT_STAGE})
  --region REGION          AWS region (default: AWS_REGION or us-east-1)
  --table NAME             agents table (default: zoho-gpt-mediator-<stage>-agents)
  --dynamodb-endpoint URL  DynamoDB endpoint (npm start's DynamoDB Local)`;

/**
 * The flags every keys and proposals command takes (CONTRACTS-12 §3 "common"): a script may pass the same set to
 * each; the Secrets Manager endpoint and the refresher are used by `proposals approve` only.
 */
export const AGENT_TABLE_OPTIONS = {
  stage: { type: "string" },
  region: { type: "string" },
  table: { type: "string" },
  "dynamodb-endpoint": { type: "string" },
  "secrets-endpoint": { type: "string" },
  "refresher-function": { type: "string" },
} as const;

export interface AgentTableFlags {
  stage?: string | undefined;
  region?: string | undefined;
  table?: string | undefined;
  "dynamodb-endpoint"?: string | undefined;
}

/** The agents table of the flags' stage, on a DynamoDB client (a local endpoint signs with dummy credentials). */
export function openAgentTable(flags: AgentTableFlags, env: NodeJS.ProcessEnv) {
  const endpoint = flags["dynamodb-endpoint"];
  const stage = flags.stage ?? DEFAULT_STAGE;
  const table = flags.table ?? agentTableName(stage);
  const client: DynamoDBClient = createDynamoDbClient({
    region: flags.region ?? env.AWS_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    // The local emulator does not check signatures; without configured credentials, sign with dummy ones.
    ...(endpoint && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  });
  return {
    stage,
    table,
    client,
    store: createDynamoAgentStore(client, table),
    close: () => client.destroy(),
  };
}

/**
 * Runs a command on the agent table and closes it after; a failure prints `<command> failed: <reason>` (no
 * secrets: the taxonomy's messages, redacted) and exits 1.
 */
export async function withAgentTable(
  flags: AgentTableFlags,
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  command: string,
  run: (table: ReturnType<typeof openAgentTable>) => Promise<number>,
): Promise<number> {
  const table = openAgentTable(flags, env);
  try {
    return await run(table);
  } catch (error) {
    out(`${command} failed: ${failure(error)}`);
    return 1;
  } finally {
    table.close();
  }
}

/** Characters a terminal would act on (controls, bidi overrides) in text an agent or a record supplied. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on one terminal line, cut at `max` characters. */
export const printable = (text: string, max = 120): string => {
  const clean = text.replace(UNPRINTABLE, " ");
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
};

/** A failure in a line: the taxonomy's messages name fields and codes; anything else is redacted. */
export const failure = (error: unknown): string =>
  redactString(isAppError(error) ? error.message : `unexpected error: ${(error as Error).message}`);

const allowOf = (k: ApiKeyView) =>
  k.scopes.crmWrite.map((w) => `${w.module}: ${w.fields.join(", ")}`).join("; ") || "-";

function describeKey(k: ApiKeyView): string[] {
  return [
    `scopes: ${formatScopes(k.scopes)}`,
    `allow: ${allowOf(k)}`,
    `write budget: ${k.writeBudgetPerDay}/day, rate: ${k.ratePerMinute}/min, proposals only: ${k.proposalsOnly ? "yes" : "no"}`,
  ];
}

async function create(
  rest: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      ...AGENT_TABLE_OPTIONS,
      name: { type: "string" },
      scopes: { type: "string" },
      allow: { type: "string", multiple: true },
      "write-budget": { type: "string" },
      rate: { type: "string" },
      "proposals-only": { type: "boolean" },
      connection: { type: "string" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  const missing = [!values.name && "--name", !values.scopes && "--scopes"].filter(Boolean);
  if (missing.length) {
    out(`keys create: missing ${missing.join(", ")}\n\n${KEYS_USAGE}`);
    return 2;
  }
  return withAgentTable(values, env, out, "keys create", async (table) => {
    const { key, record } = await createApiKey(
      table.store.keys,
      {
        name: values.name as string,
        connection: values.connection ?? "default",
        scopes: values.scopes as string,
        allow: values.allow ?? [],
        ...(values["write-budget"] ? { writeBudget: values["write-budget"] } : {}),
        ...(values.rate ? { rate: values.rate } : {}),
        proposalsOnly: values["proposals-only"] ?? false,
      },
      deps.clock ?? systemClock,
    );
    if (values.json) {
      out(JSON.stringify({ key, ...record, table: table.table }, null, 2));
      return 0;
    }
    out(`created API key ${record.name} (id ${record.id}) on connection ${record.connection}`);
    out(`key: ${key}`);
    out("This key is shown once and is not stored (only its hash is): put it in the agent's settings now.");
    for (const line of describeKey(record)) out(line);
    return 0;
  });
}

async function list(rest: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: { ...AGENT_TABLE_OPTIONS, json: { type: "boolean" } },
    strict: true,
  });
  return withAgentTable(values, env, out, "keys list", async (table) => {
    const keys = await listApiKeys(table.store.keys);
    if (values.json) {
      out(JSON.stringify(keys, null, 2));
      return 0;
    }
    if (keys.length === 0) out(`no API keys in ${table.table}`);
    for (const k of keys) {
      out(
        `${k.id}  ${k.name}  connection ${k.connection}  ${k.revokedAt ? `REVOKED ${k.revokedAt}` : "active"}  created ${k.createdAt}`,
      );
      for (const line of describeKey(k)) out(`    ${line}`);
    }
    return 0;
  });
}

async function revoke(
  rest: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    options: AGENT_TABLE_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [id, ...extra] = positionals;
  if (!id || extra.length) {
    out(`keys revoke: give one key id\n\n${KEYS_USAGE}`);
    return 2;
  }
  return withAgentTable(values, env, out, "keys revoke", async (table) => {
    if (await revokeApiKey(table.store.keys, id, deps.clock ?? systemClock)) {
      out(`revoked ${printable(id, 20)}: it answers 401 from now on`);
      return 0;
    }
    out(`keys revoke: no active key ${printable(id, 20)} (unknown, or already revoked: see keys list)`);
    return 1;
  });
}

async function calls(rest: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    options: { ...AGENT_TABLE_OPTIONS, limit: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  const [id, ...extra] = positionals;
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!id || extra.length || !(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) {
    out(`keys calls: give one key id, and --limit from 1 to 1000\n\n${KEYS_USAGE}`);
    return 2;
  }
  return withAgentTable(values, env, out, "keys calls", async (table) => {
    const list = await table.store.calls.listByKey(id, limit);
    if (values.json) {
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) out(`no tool calls of key ${printable(id, 20)} in ${table.table}`);
    for (const c of list)
      out(
        `${c.at}  ${c.id}  ${c.tool}  ${c.outcome}${c.code ? ` ${c.code}` : ""}  zoho calls ${c.zohoCalls}, writes ${c.writes}, ${Math.round(c.durationMs)} ms${c.proposalId ? `, proposal ${c.proposalId}` : ""}${c.message ? `: ${printable(c.message, 200)}` : ""}`,
      );
    return 0;
  });
}

/** `keys <create|list|revoke|calls>`; 2 on a usage error. */
export async function keysCommand(
  rest: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
): Promise<number> {
  const [sub, ...args] = rest;
  if (sub === "create") return create(args, env, out, deps);
  if (sub === "list") return list(args, env, out);
  if (sub === "revoke") return revoke(args, env, out, deps);
  if (sub === "calls") return calls(args, env, out);
  out(KEYS_USAGE);
  return 2;
}
