/**
 * The worker drain both the worker and the scale benchmarks run: N lead events through the real worker on the local
 * stack (SQS emulator, DynamoDB Local, the Zoho sandbox with its concurrency limit on, the model server answering
 * after a fixed delay), from the first message sent until every event is written back or dead-lettered. The floor is
 * events x model delay / parallel model calls (invocations x MODEL_CONCURRENCY): the time the model alone needs.
 * The stack's meter counts what AWS would bill for the drain; the bench's own reads of the dead-letter queue go to
 * the emulator directly, unmetered.
 */
import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { encode } from "gpt-tokenizer";
import type { MeterSnapshot } from "../infra/local/meter.js";
import type { ModelStats } from "../infra/local/model-server/server.js";
import { FREE_PORTS, type LocalEnv, LocalEnvSchema, startLocalStack } from "../infra/local/stack.js";
import { SqsQueue } from "../shared/adapters/sqs/sqs-queue.js";
import { DEFAULT_CONNECTION } from "../shared/config/stage.js";
import type { WorkMessage } from "../shared/schemas/work-message.js";

export interface DrainOptions {
  events: number;
  /** Worker invocations at once (the event source's maximum concurrency; locally WORKER_CONCURRENCY). */
  invocations: number;
  /** Model calls at once per invocation (MODEL_CONCURRENCY). */
  modelConcurrency: number;
  /** Zoho calls at once per invocation (ZOHO_CONCURRENCY). */
  zohoConcurrency: number;
  modelDelayMs: number;
  /** Messages per invocation (WORKER_BATCH_SIZE) and the batching window (WORKER_BATCH_WINDOW_MS). */
  batchSize: number;
  batchWindowMs: number;
  /** Called as the drain goes (a progress line for long runs). */
  onProgress?: (done: number, events: number) => void;
}

export interface DrainResult {
  events: number;
  /** The batch size the local stack ran with (its settings may cap what was asked). */
  batchSize: number;
  seconds: number;
  floorSeconds: number;
  parallelModelCalls: number;
  zohoRequests: number;
  zoho429: number;
  model: ModelStats & { cached_tokens?: number; prefix_tokens_max?: number };
  /** The largest system prompt + schema of any request: the model server's figure, else measured here. */
  promptOverheadTokens: number;
  meter: MeterSnapshot;
  written: number;
  deadLettered: number;
  duplicatesWritten: number;
  lost: number;
  /** The largest resident set size of this process sampled during the drain (the emulators run in it too). */
  rssMbMax: number;
  /**
   * The heap after a full GC at the end of the drain, and again once the sandbox's CRM records (the org's N leads
   * and N notes) are dropped: the rest is the worker's and the emulators' bounded state (their logs are capped), which
   * must not grow with the number of events.
   */
  heapMbAfterGc: number;
  heapMbWithoutEmulatorData: number;
  /** The model the worker was configured with (its price is the model cost's). */
  modelName: string;
}

/** The local settings for a drain; a batch size above what this stack's settings allow falls back to their maximum. */
function localEnv(options: DrainOptions): { env: LocalEnv; note?: string } {
  const wanted = {
    ...FREE_PORTS,
    WORKER_CONCURRENCY: String(options.invocations),
    WORKER_BATCH_SIZE: String(options.batchSize),
    WORKER_BATCH_WINDOW_MS: String(options.batchWindowMs),
  };
  const parsed = LocalEnvSchema.safeParse(wanted);
  if (parsed.success) return { env: parsed.data };
  const env = LocalEnvSchema.parse({ ...wanted, WORKER_BATCH_SIZE: undefined });
  return {
    env,
    note: `WORKER_BATCH_SIZE ${options.batchSize} is not a valid local setting here (${parsed.error.issues[0]?.message}); ran at ${env.WORKER_BATCH_SIZE}`,
  };
}

/** The system prompt's tokens of the requests the model server kept (the schema is not kept: a lower bound). */
const systemTokensMax = (received: { messages: { role: string; content: string }[] }[]) =>
  received.reduce(
    (max, r) =>
      Math.max(
        max,
        r.messages.filter((m) => m.role === "system").reduce((n, m) => n + encode(m.content).length, 0),
      ),
    0,
  );

export async function drain(options: DrainOptions): Promise<DrainResult & { note?: string }> {
  return drainOnStack(options);
}

/** The heap in MB after a full collection (`--expose-gc` set at run time, as the bench needs no flag). */
function heapMbAfterGc(): number {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  return Math.round(process.memoryUsage().heapUsed / (1024 * 1024));
}

async function drainOnStack(options: DrainOptions): Promise<DrainResult & { note?: string }> {
  const { events, modelDelayMs } = options;
  const { env, note } = localEnv(options);
  if (note) console.error(`drain: ${note}`);
  const stack = await startLocalStack(env, {
    // Zoho's concurrency limit stays at its default (10 per client id); credits are plentiful for the run.
    sandbox: { seed: true, creditsPerDay: 10_000_000 },
    worker: {
      RECORD_WRITE_CAP: "3",
      TOKEN_BUDGET_PER_DAY: "1000000000",
      MODEL_CONCURRENCY: String(options.modelConcurrency),
      ZOHO_CONCURRENCY: String(options.zohoConcurrency),
    },
  });
  let rssMax = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 250);
  try {
    const sandbox = stack.sandbox as NonNullable<typeof stack.sandbox>;
    const model = stack.model as NonNullable<typeof stack.model>;
    // N leads to enrich, created as a person would (no workflow webhooks: the bench feeds the queue itself).
    const admin = sandbox.state.crm.users[0]?.id as string;
    const ids: string[] = [];
    for (let i = 0; i < events; i += 100) {
      const batch = Array.from({ length: Math.min(100, events - i) }, (_, k) => ({
        Last_Name: `Bench${i + k}`,
        Company: `Company ${i + k}`,
        Email: `bench${i + k}@example.com`,
        Description:
          "Asked for a quote for 40 seats and a demo next week; evaluating two vendors before the budget review.",
      }));
      const res = sandbox.state.crm.write("Leads", "insert", { data: batch, trigger: [] }, admin, "ui");
      ids.push(...(res.body as { data: { details: { id: string } }[] }).data.map((d) => d.details.id));
    }
    model.reset();
    model.setDelay(modelDelayMs);
    const before = sandbox.inspect().counts as { requests: number; status_429: number };
    const queue = new SqsQueue(stack.sqsClient, stack.queues.workUrl);
    const now = new Date().toISOString();
    const messages: WorkMessage[] = ids.map((id) => ({
      v: 1,
      jobId: randomUUID(),
      useCase: "lead-enrichment",
      connection: DEFAULT_CONNECTION,
      source: "crm-workflow",
      dedupKey: `crm:Leads:${id}:bench`,
      receivedAt: now,
      subject: { service: "crm", module: "Leads", id },
      input: { module: "Leads", id },
    }));
    // Everything from here is the drain's: the sends stand for the ingest's, one request per 10 events.
    stack.meter.reset();
    const started = performance.now();
    for (let i = 0; i < messages.length; i += 10) await queue.send(messages.slice(i, i + 10));

    const idSet = new Set(ids);
    const written = () => leadUpdatesOf(sandbox, idSet);
    let deadLettered = 0;
    let lastReport = 0;
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      deadLettered = stack.deadLetters().length;
      const done = written().size + deadLettered;
      if (options.onProgress && Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        options.onProgress(done, events);
      }
      if (done >= events || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    // The last batches' invocations are still acknowledging their messages: their time counts once they end.
    const settleBy = Date.now() + 60_000;
    while (stack.meter.inFlight() > 0 && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 20));
    const meter = stack.meter.snapshot();
    const counts = written();
    const after = sandbox.inspect().counts as { requests: number; status_429: number };
    const parallelModelCalls = options.invocations * options.modelConcurrency;
    const stats = model.stats() as DrainResult["model"];
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    const heapAfterGc = heapMbAfterGc();
    // The sandbox's CRM records (the N leads and their N audit notes) are the org's data, not the worker's.
    for (const table of sandbox.state.crm.records.values()) table.clear();
    const heapWithoutRecords = heapMbAfterGc();
    return {
      events,
      batchSize: env.WORKER_BATCH_SIZE,
      seconds,
      floorSeconds: (events * modelDelayMs) / 1000 / parallelModelCalls,
      parallelModelCalls,
      zohoRequests: after.requests - before.requests,
      zoho429: after.status_429 - before.status_429,
      model: stats,
      promptOverheadTokens: stats.prefix_tokens_max ?? systemTokensMax(model.received()),
      meter,
      written: counts.size,
      deadLettered,
      duplicatesWritten: [...counts.values()].reduce((n, c) => n + (c - 1), 0),
      lost: events - counts.size - deadLettered,
      rssMbMax: Math.round(rssMax / (1024 * 1024)),
      heapMbAfterGc: heapAfterGc,
      heapMbWithoutEmulatorData: heapWithoutRecords,
      modelName: stack.config.worker?.MODEL ?? env.MODEL,
      ...(note ? { note } : {}),
    };
  } finally {
    clearInterval(sampler);
    await stack.stop();
  }
}

/** How many times the API updated each of `ids` (the sandbox's write log): written once, or more (duplicates). */
export function leadUpdatesOf(
  sandbox: { inspect(): Record<string, unknown> },
  ids: ReadonlySet<string>,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of sandbox.inspect().writes as {
    module: string;
    operation: string;
    source: string;
    ids: string[];
  }[]) {
    if (w.source !== "api" || w.module !== "Leads" || w.operation !== "update") continue;
    for (const id of w.ids) if (ids.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
