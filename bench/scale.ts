/**
 * Scale: the worker drain (bench/drain.ts) at 1,000, 5,000 and 20,000 events with the same model delay (250 ms) and
 * the same bound for every N: 4 invocations x MODEL_CONCURRENCY 5 = 20 parallel model calls, so the largest run's
 * floor is 20,000 x 0.25 s / 20 = 250 s, and 4 x ZOHO_CONCURRENCY 2 = 8 Zoho calls at once stays within the sandbox's
 * limit of 10. Time and cost per event should stay flat as N grows (`growth` = per-event time at the largest N over
 * the smallest), and the process's memory bounded (`rss_mb_max`, sampled). Each N runs on a fresh local stack.
 *
 * `npm run bench -- scale --events 1000 --events 5000` (or `--events 1000,5000`) picks the sizes.
 */
import { infraCostPer1k, modelCostPer1k } from "./cost/cost.js";
import { drain } from "./drain.js";
import { drainFigures } from "./worker.js";

export const SCALE_DEFAULT_EVENTS = [1_000, 5_000, 20_000];
const INVOCATIONS = 4;
const MODEL_CONCURRENCY = 5;
const ZOHO_CONCURRENCY = 2;

/** The sizes `--events` names (repeated, or comma-separated), in increasing order; the defaults without it. */
export function eventsFromArgs(args: readonly string[]): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = arg.startsWith("--events=")
      ? arg.slice("--events=".length)
      : arg === "--events"
        ? args[++i]
        : undefined;
    if (value === undefined) continue;
    for (const part of value.split(",")) {
      const n = Number(part.trim().replaceAll("_", ""));
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`--events takes whole numbers above 0, not "${part}"`);
      sizes.push(n);
    }
  }
  return sizes.length ? [...new Set(sizes)].sort((a, b) => a - b) : SCALE_DEFAULT_EVENTS;
}

export async function run(args: readonly string[] = []): Promise<Record<string, unknown>> {
  const sizes = eventsFromArgs(args);
  const modelDelayMs = Number(process.env.BENCH_MODEL_DELAY_MS ?? 250);
  const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 100);
  const runs: Record<string, unknown>[] = [];
  for (const events of sizes) {
    const r = await drain({
      events,
      invocations: INVOCATIONS,
      modelConcurrency: MODEL_CONCURRENCY,
      zohoConcurrency: ZOHO_CONCURRENCY,
      modelDelayMs,
      batchSize,
      batchWindowMs: Number(process.env.BENCH_BATCH_WINDOW_MS ?? 1_000),
      onProgress: (done, total) => console.error(`scale: ${events} events: ${done}/${total} done`),
    });
    const infra = infraCostPer1k(r.meter, events);
    const model = modelCostPer1k(
      {
        prompt: r.model.prompt_tokens,
        completion: r.model.completion_tokens,
        cachedPrompt: r.model.cached_tokens ?? 0,
      },
      r.modelName,
      events,
    );
    const run = {
      events,
      seconds: +r.seconds.toFixed(2),
      floor_seconds: +r.floorSeconds.toFixed(2),
      ratio: +(r.seconds / r.floorSeconds).toFixed(3),
      ms_per_event: +((r.seconds * 1000) / events).toFixed(3),
      usd_per_1k: +(infra + model).toPrecision(4),
      infra_usd_per_1k_events: +infra.toPrecision(4),
      model_usd_per_1k_events: +model.toPrecision(4),
      rss_mb_max: r.rssMbMax,
      heap_mb_after_gc: r.heapMbAfterGc,
      worker_heap_mb: r.heapMbWithoutEmulatorData,
      batch_size: r.batchSize,
      zoho_429: r.zoho429,
      lost: r.lost,
      duplicates_written: r.duplicatesWritten,
      dead_lettered: r.deadLettered,
      zoho_calls_per_event: drainFigures(r).zoho_calls_per_event,
      dynamodb_requests_per_event: drainFigures(r).dynamodb_requests_per_event,
    };
    console.error(`scale: ${JSON.stringify(run)}`);
    runs.push(run);
  }
  const first = runs[0] as { events: number; seconds: number; usd_per_1k: number };
  const last = runs[runs.length - 1] as typeof first;
  return {
    runs,
    growth: +(last.seconds / last.events / (first.seconds / first.events)).toFixed(3),
    cost_growth: first.usd_per_1k ? +(last.usd_per_1k / first.usd_per_1k).toFixed(3) : null,
    rss_mb_max: Math.max(...runs.map((r) => r.rss_mb_max as number)),
    model_delay_ms: modelDelayMs,
    concurrency: INVOCATIONS * MODEL_CONCURRENCY,
    invocations: INVOCATIONS,
    model_concurrency: MODEL_CONCURRENCY,
    zoho_concurrency: ZOHO_CONCURRENCY,
    // What the local stack ran with (its settings may cap BENCH_BATCH_SIZE).
    batch_size: runs[0]?.batch_size ?? batchSize,
  };
}
