/**
 * Worker throughput: drains N lead events through the real worker (local stack: SQS emulator, DynamoDB Local,
 * Zoho sandbox with its concurrency limit on, the model server answering after a fixed delay). The floor is
 * events x model delay / concurrency: the time the model alone needs at the event source's concurrency.
 */
import { randomUUID } from "node:crypto";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { FREE_PORTS, LocalEnvSchema, startLocalStack } from "../infra/local/stack.js";
import { SqsQueue } from "../shared/adapters/sqs/sqs-queue.js";
import { DEFAULT_CONNECTION } from "../shared/config/stage.js";
import type { WorkMessage } from "../shared/schemas/work-message.js";

export async function run(): Promise<Record<string, unknown>> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
  // 500 ms is the low end of a real model's latency (0.5-3 s); BENCH_MODEL_DELAY_MS=250 is the harsher test.
  const modelDelayMs = Number(process.env.BENCH_MODEL_DELAY_MS ?? 500);
  const stack = await startLocalStack(
    LocalEnvSchema.parse({ ...FREE_PORTS, WORKER_CONCURRENCY: String(concurrency) }),
    // Zoho's concurrency limit stays at its default (10 per client id); credits are plentiful for the run.
    {
      sandbox: { seed: true, creditsPerDay: 1_000_000 },
      worker: { RECORD_WRITE_CAP: "3", TOKEN_BUDGET_PER_DAY: "1000000000" },
    },
  );
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
    model.setDelay(modelDelayMs);
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
    const started = performance.now();
    for (let i = 0; i < messages.length; i += 10) await queue.send(messages.slice(i, i + 10));

    const idSet = new Set(ids);
    const written = () => {
      const counts = new Map<string, number>();
      for (const w of sandbox.inspect().writes as {
        module: string;
        operation: string;
        source: string;
        ids: string[];
      }[]) {
        if (w.source !== "api" || w.module !== "Leads" || w.operation !== "update") continue;
        for (const id of w.ids) if (idSet.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    let deadLettered = 0;
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const dlq = await stack.sqsClient.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.queues.deadLetterUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 3600,
        }),
      );
      deadLettered += dlq.Messages?.length ?? 0;
      if (written().size + deadLettered >= events || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const counts = written();
    const after = sandbox.inspect().counts as { requests: number; status_429: number };
    const floor = (events * modelDelayMs) / 1000 / concurrency;
    const stats = model.stats();
    return {
      events,
      concurrency,
      model_delay_ms: modelDelayMs,
      seconds: +seconds.toFixed(2),
      floor_seconds: +floor.toFixed(2),
      ratio: +(seconds / floor).toFixed(3),
      zoho_calls_per_event: +((after.requests - before.requests) / events).toFixed(3),
      zoho_429: after.status_429 - before.status_429,
      prompt_tokens_per_event: Math.round(stats.prompt_tokens / events),
      model_calls: stats.requests,
      written: counts.size,
      dead_lettered: deadLettered,
      duplicates_written: [...counts.values()].reduce((n, c) => n + (c - 1), 0),
      lost: events - counts.size - deadLettered,
    };
  } finally {
    await stack.stop();
  }
}
