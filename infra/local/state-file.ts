/**
 * The running local stack's addresses, written by `npm start` to `<state dir>/stack.json` (LOCAL_STATE_DIR, default
 * `.local`) and removed when it stops, so every CLI command finds the local stack without flags
 * (infra/cli/target.ts). Addresses and names only: never a token, key or secret.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as z from "zod";
import { stageResources } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import type { LocalStack } from "./stack.js";

export const LOCAL_STATE_FILE = "stack.json";

export const LocalStackStateSchema = z.strictObject({
  version: z.literal(1),
  /** The `npm start` process; a file whose process is gone is stale and ignored. */
  pid: z.number().int().positive(),
  startedAt: z.string(),
  /** The stage whose resource names the local stack uses (shared/config/resource-names.ts). */
  stage: z.string().default(DEFAULT_STAGE),
  region: z.string(),
  urls: z.strictObject({
    /** The mediator's API (webhooks, health, tools, `/_status`). */
    api: z.string(),
    sqs: z.string(),
    secretsManager: z.string(),
    dynamodb: z.string().optional(),
    sandbox: z.string().optional(),
    model: z.string().optional(),
    status: z.string().optional(),
    mcp: z.string().optional(),
  }),
  queues: z.strictObject({ work: z.string(), deadLetter: z.string() }),
  tables: z.strictObject({ jobs: z.string(), ledger: z.string(), agents: z.string() }),
  hooks: z.strictObject({ crm: z.string(), desk: z.string(), flow: z.string() }),
});
export type LocalStackState = z.infer<typeof LocalStackStateSchema>;

/** The state directory `npm start` uses: LOCAL_STATE_DIR, else `.local` in the working directory. */
export const localStateDir = (env: NodeJS.ProcessEnv): string => resolve(env.LOCAL_STATE_DIR || ".local");

export function writeLocalState(dir: string, state: LocalStackState): string {
  const file = join(dir, LOCAL_STATE_FILE);
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export function removeLocalState(dir: string): void {
  rmSync(join(dir, LOCAL_STATE_FILE), { force: true });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The running local stack's state, or undefined when there is none (no file, unreadable, or its process gone). */
export function readLocalState(env: NodeJS.ProcessEnv): LocalStackState | undefined {
  const file = join(localStateDir(env), LOCAL_STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const state = LocalStackStateSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    return alive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The state of a running local stack (`npm start` writes it; tests write it for the CLI they run). */
export function localStackState(stack: LocalStack, pid: number = process.pid): LocalStackState {
  if (!stack.api) throw new Error("the local stack has no API server");
  const names = stageResources(DEFAULT_STAGE);
  return {
    version: 1,
    pid,
    startedAt: new Date().toISOString(),
    stage: DEFAULT_STAGE,
    region: stack.env.AWS_REGION,
    urls: {
      api: stack.api.url,
      sqs: stack.sqs.url,
      secretsManager: stack.secrets.url,
      ...(stack.dynamodb ? { dynamodb: stack.dynamodb.url } : {}),
      ...(stack.sandbox ? { sandbox: stack.sandbox.url } : {}),
      ...(stack.model ? { model: `${stack.model.url}/v1` } : {}),
      ...(stack.tools ? { mcp: stack.tools.mcpUrl } : {}),
    },
    queues: { work: stack.queues.workUrl, deadLetter: stack.queues.deadLetterUrl },
    tables: { jobs: names.jobsTable, ledger: names.ledgerTable, agents: names.agentsTable },
    // The Desk webhook URL carries the token in its query (Desk cannot send a header): keep it out of the file.
    hooks: { ...stack.hooks, desk: stack.hooks.desk.replace(/\?.*$/, "") },
  };
}
