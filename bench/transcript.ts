/**
 * A 60-minute call end to end: the committed fixture (about 10,000 words, two speakers) is posted to the local
 * ingest's call-transcript route for a seeded deal, and the bench waits until the worker has written the call's
 * note. The worker splits it on speaker turns, maps the chunks in parallel (at most MODEL_CONCURRENCY at once)
 * and reduces once; the model server answers every call after a fixed delay. The floor is that delay times the
 * sequential model rounds: ceil(chunks / model concurrency) map rounds, then the reduce.
 */
import { readFileSync } from "node:fs";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { FREE_PORTS, LocalEnvSchema, startLocalStack } from "../infra/local/stack.js";
import { DEFAULT_TRANSCRIPT_SETTINGS } from "../shared/use-cases/call-transcript/settings.js";
import { loadTokenizer, splitTranscript } from "../shared/use-cases/call-transcript/split.js";
import { FIXTURE } from "../test/fixtures/transcripts/generate.js";

export async function run(): Promise<Record<string, unknown>> {
  // 500 ms is the low end of a real model's latency (as in the worker bench); a map call of 2,000 tokens is
  // slower in reality, so the figure to read is the ratio to the floor.
  const modelDelayMs = Number(process.env.BENCH_MODEL_DELAY_MS ?? 500);
  const modelConcurrency = Number(process.env.BENCH_MODEL_CONCURRENCY ?? 4);
  const transcript = readFileSync(FIXTURE, "utf8");
  const stack = await startLocalStack(LocalEnvSchema.parse({ ...FREE_PORTS, WORKER_CONCURRENCY: "2" }), {
    sandbox: { seed: true, creditsPerDay: 1_000_000 },
    worker: { MODEL_CONCURRENCY: String(modelConcurrency), TOKEN_BUDGET_PER_DAY: "1000000000" },
  });
  try {
    const sandbox = stack.sandbox as NonNullable<typeof stack.sandbox>;
    const model = stack.model as NonNullable<typeof stack.model>;
    const api = stack.api as NonNullable<typeof stack.api>;
    const dealId = [...sandbox.state.crm.table("Deals").keys()][0] as string;
    model.reset();
    model.setDelay(modelDelayMs);

    const started = performance.now();
    const res = await fetch(`${api.url}/v1/hooks/flow/call-transcript`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-mediator-token": stack.webhookToken },
      body: JSON.stringify({ module: "Deals", recordId: dealId, callId: "bench-60min", transcript }),
    });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);

    const noted = () =>
      [...sandbox.state.crm.table("Notes").values()].some(
        (n) => (n.Parent_Id as { id?: string } | undefined)?.id === dealId,
      );
    let deadLettered = 0;
    const deadline = Date.now() + 10 * 60_000;
    while (!noted() && deadLettered === 0) {
      if (Date.now() > deadline) throw new Error("no note within 10 minutes");
      const dlq = await stack.sqsClient.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queues.deadLetterUrl, WaitTimeSeconds: 0 }),
      );
      deadLettered += dlq.Messages?.length ?? 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const stats = model.stats();
    await loadTokenizer();
    const chunks = splitTranscript(transcript, DEFAULT_TRANSCRIPT_SETTINGS.chunkTokens).length;
    const rounds = chunks > 1 ? Math.ceil(chunks / modelConcurrency) + 1 : 1;
    const floor = (rounds * modelDelayMs) / 1000;
    return {
      words: transcript.split(/\s+/).filter((w) => w.length > 0).length,
      chunks,
      model_calls: stats.requests,
      prompt_tokens: stats.prompt_tokens,
      completion_tokens: stats.completion_tokens,
      seconds: +seconds.toFixed(2),
      floor_seconds: +floor.toFixed(2),
      ratio: +(seconds / floor).toFixed(3),
      model_delay_ms: modelDelayMs,
      model_concurrency: modelConcurrency,
      sequential_rounds: rounds,
      written: noted(),
      dead_lettered: deadLettered,
    };
  } finally {
    await stack.stop();
  }
}
