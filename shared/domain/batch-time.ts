/**
 * How long a worker batch can take (issue 14): the worker's ask cutoff and the bound the deploy configuration and the
 * local stack check a batch against, as pure arithmetic in one place.
 */

/** Margin over the model calls of a batch: Zoho reads and writes, job-store calls, the cold start. */
export const BATCH_MARGIN_SECONDS = 30;

/**
 * When a batch stops starting model calls, in ms after it began: the function's timeout less one call, its repair
 * and {@link BATCH_MARGIN_SECONDS} for the writes, and never before half the timeout. A unit whose call would start
 * later goes back to the queue (see `cutoffLimit` in shared/pipeline/ask.ts).
 */
export function askCutoffMs(timeoutSeconds: number, modelTimeoutMs: number): number {
  const timeoutMs = timeoutSeconds * 1000;
  return Math.max(timeoutMs / 2, timeoutMs - 2 * modelTimeoutMs - BATCH_MARGIN_SECONDS * 1000);
}

/** The two ways a batch's length is bounded, in whole seconds, and which one holds. */
export interface BatchTime {
  seconds: number;
  /** `calls`: every model call of a full batch at the model timeout; `cutoff`: the ask cutoff ends it sooner. */
  by: "calls" | "cutoff";
  /** The arithmetic, in the operator's terms. */
  formula: string;
}

/**
 * The longest a batch can take: its model calls run `modelConcurrency` at once, each may be followed by its one
 * repair, each up to the model timeout, plus the margin; or, with the function's timeout known, no longer than the
 * ask cutoff allows: no call starts after the cutoff, so the batch ends within the cutoff, one call, its repair and
 * the margin, whatever its size.
 */
export function batchTime(s: {
  batchSize: number;
  modelConcurrency: number;
  modelTimeoutSeconds: number;
  timeoutSeconds?: number;
}): BatchTime {
  const rounds = Math.ceil(s.batchSize / s.modelConcurrency);
  const calls = rounds * 2 * s.modelTimeoutSeconds + BATCH_MARGIN_SECONDS;
  const byCalls: BatchTime = {
    seconds: calls,
    by: "calls",
    formula: `ceil(${s.batchSize} / ${s.modelConcurrency}) x 2 x ${s.modelTimeoutSeconds} s + ${BATCH_MARGIN_SECONDS} s = ${calls} s`,
  };
  if (s.timeoutSeconds === undefined) return byCalls;
  const cutoff = Math.ceil(askCutoffMs(s.timeoutSeconds, s.modelTimeoutSeconds * 1000) / 1000);
  const byCutoff = cutoff + 2 * s.modelTimeoutSeconds + BATCH_MARGIN_SECONDS;
  if (byCutoff >= calls) return byCalls;
  return {
    seconds: byCutoff,
    by: "cutoff",
    formula: `the ask cutoff at ${cutoff} s + 2 x ${s.modelTimeoutSeconds} s + ${BATCH_MARGIN_SECONDS} s = ${byCutoff} s`,
  };
}

/**
 * The shortest function timeout a batch fits in: every call of a full batch at the model timeout, or, shorter for a
 * large batch, a timeout whose ask cutoff leaves room for one call, its repair and the margin (4 calls' timeouts and
 * twice the margin: the cutoff is then at half the timeout).
 */
export function minTimeoutSeconds(s: {
  batchSize: number;
  modelConcurrency: number;
  modelTimeoutSeconds: number;
}) {
  const { batchSize, modelConcurrency, modelTimeoutSeconds } = s;
  const calls = batchTime({ batchSize, modelConcurrency, modelTimeoutSeconds }).seconds;
  return Math.min(calls, 4 * modelTimeoutSeconds + 2 * BATCH_MARGIN_SECONDS);
}
