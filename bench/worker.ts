/**
 * Worker throughput and cost: drains N lead events through the real worker (bench/drain.ts) at the bound the issue's
 * targets are set at, 10 parallel model calls (WORKER_CONCURRENCY 2 invocations x MODEL_CONCURRENCY 5) with a
 * 250 ms model, and prices what the meter counted (bench/cost/). Settings: BENCH_EVENTS (1,000),
 * BENCH_MODEL_DELAY_MS (250), BENCH_INVOCATIONS (2), BENCH_MODEL_CONCURRENCY (5), BENCH_ZOHO_CONCURRENCY (2),
 * BENCH_BATCH_SIZE (500: one batch per invocation, in waves), BENCH_BATCH_WINDOW_MS (3000: the batch fills while the 1,000 events are sent).
 */
import { infraCost, infraCostPer1k, modelCostPer1k } from "./cost/cost.js";
import { type DrainResult, drain } from "./drain.js";

const round = (n: number, digits = 3) => +n.toFixed(digits);
/** US dollars with enough digits to compare fractions of a cent. */
const usd = (n: number) => +n.toPrecision(4);

/** The figures every drain reports: per-event counts of each service, cost per 1,000 events, what was lost. */
export function drainFigures(r: DrainResult): Record<string, unknown> {
  const per = (n: number) => round(n / r.events);
  const sqsRequests = Object.values(r.meter.sqs).reduce((n, c) => n + c, 0);
  const lambdaInvocations = Object.values(r.meter.lambda).reduce((n, l) => n + l.invocations, 0);
  const workerMs = r.meter.lambda.worker?.ms ?? 0;
  const infra = infraCost(r.meter);
  return {
    zoho_calls_per_event: per(r.zohoRequests),
    dynamodb_requests_per_event: per(r.meter.dynamodb.requests),
    prompt_overhead_tokens: r.promptOverheadTokens,
    infra_usd_per_1k_events: usd(infraCostPer1k(r.meter, r.events)),
    model_usd_per_1k_events: usd(
      modelCostPer1k(
        {
          prompt: r.model.prompt_tokens,
          completion: r.model.completion_tokens,
          cachedPrompt: r.model.cached_tokens ?? 0,
        },
        r.modelName,
        r.events,
      ),
    ),
    batch_size: r.batchSize,
    cached_tokens_per_event: per(r.model.cached_tokens ?? 0),
    lambda_invocations_per_event: per(lambdaInvocations),
    lambda_worker_ms_per_event: round(workerMs / r.events, 2),
    sqs_requests_per_event: per(sqsRequests),
    dynamodb_read_units_per_event: per(r.meter.dynamodb.readUnits),
    dynamodb_write_units_per_event: per(r.meter.dynamodb.writeUnits),
    secrets_manager_calls_per_event: per(r.meter.secretsManager),
    api_requests_per_event: per(r.meter.apiRequests),
    infra_usd_by_service_per_1k: Object.fromEntries(
      Object.entries(infra)
        .filter(([k]) => k !== "total")
        .map(([k, v]) => [k, usd((v / r.events) * 1000)]),
    ),
    model: r.modelName,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000);
  const invocations = Number(process.env.BENCH_INVOCATIONS ?? 2);
  const modelConcurrency = Number(process.env.BENCH_MODEL_CONCURRENCY ?? 5);
  // The targets are at 250 ms, the harsher test (a real model answers in 0.5-3 s).
  const modelDelayMs = Number(process.env.BENCH_MODEL_DELAY_MS ?? 250);
  const r = await drain({
    events,
    invocations,
    modelConcurrency,
    zohoConcurrency: Number(process.env.BENCH_ZOHO_CONCURRENCY ?? 2),
    modelDelayMs,
    batchSize: Number(process.env.BENCH_BATCH_SIZE ?? 500),
    batchWindowMs: Number(process.env.BENCH_BATCH_WINDOW_MS ?? 3_000),
  });
  return {
    events,
    concurrency: r.parallelModelCalls,
    invocations,
    model_concurrency: modelConcurrency,
    model_delay_ms: modelDelayMs,
    seconds: round(r.seconds, 2),
    floor_seconds: round(r.floorSeconds, 2),
    ratio: round(r.seconds / r.floorSeconds),
    zoho_429: r.zoho429,
    prompt_tokens_per_event: Math.round(r.model.prompt_tokens / events),
    model_calls: r.model.requests,
    written: r.written,
    dead_lettered: r.deadLettered,
    duplicates_written: r.duplicatesWritten,
    lost: r.lost,
    ...drainFigures(r),
    rss_mb_max: r.rssMbMax,
    heap_mb_after_gc: r.heapMbAfterGc,
    worker_heap_mb: r.heapMbWithoutEmulatorData,
  };
}
