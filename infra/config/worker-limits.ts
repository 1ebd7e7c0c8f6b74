/**
 * The bounds a worker's event source settings must respect, as pure arithmetic: the stage schema (stages.ts) refuses
 * a deploy configuration that breaks one, with one line each, and the local stack checks its own batch against the
 * local queue's visibility timeout with the same formula.
 */

import { batchTime, minTimeoutSeconds } from "../../shared/domain/batch-time.js";

export { BATCH_MARGIN_SECONDS } from "../../shared/domain/batch-time.js";
/** Lambda's longest function timeout. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** Zoho concurrency kept for the tool endpoint and the token refresher, which share the org's limit with the worker. */
export const ZOHO_CONCURRENCY_RESERVE = 2;
/**
 * Above this many records Lambda requires a batching window of at least 1 s (AWS Lambda developer guide, "Lambda
 * parameters for Amazon SQS event source mappings": MaximumBatchingWindowInSeconds).
 */
export const MAX_BATCH_WITHOUT_WINDOW = 10;

/** What decides how long a batch can take and how many calls it makes at once. */
export interface WorkerBatchSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  modelConcurrency: number;
  zohoConcurrency: number;
  timeoutSeconds: number;
  modelTimeoutSeconds: number;
  zohoConcurrencyLimit: number;
}

/** One line per broken bound, in the operator's terms (config keys under `worker`); empty when all hold. */
export function workerBatchProblems(s: WorkerBatchSettings): string[] {
  const problems: string[] = [];
  if (s.batchSize > MAX_BATCH_WITHOUT_WINDOW && s.batchingWindowSeconds < 1)
    problems.push(
      `worker.batchSize ${s.batchSize} needs worker.batchingWindowSeconds of at least 1 (Lambda takes more than ${MAX_BATCH_WITHOUT_WINDOW} SQS records only with a batching window)`,
    );
  // A batch fits its timeout when every call at the model timeout does, or when the ask cutoff ends it in time.
  const need = minTimeoutSeconds(s);
  const { formula } = batchTime(s);
  if (s.timeoutSeconds < need && need > MAX_FUNCTION_TIMEOUT_SECONDS)
    problems.push(
      `a full batch can take ${formula}, more than Lambda's ${MAX_FUNCTION_TIMEOUT_SECONDS} s: lower worker.batchSize or worker.modelTimeoutSeconds (or raise worker.modelConcurrency)`,
    );
  else if (s.timeoutSeconds < need)
    problems.push(
      `worker.timeoutSeconds ${s.timeoutSeconds} is shorter than a full batch can take (${formula}): raise it to at least ${need} or lower worker.batchSize`,
    );
  const zohoCalls = s.maxConcurrency * s.zohoConcurrency;
  const zohoBound = s.zohoConcurrencyLimit - ZOHO_CONCURRENCY_RESERVE;
  if (zohoCalls > zohoBound)
    problems.push(
      `worker.maxConcurrency x worker.zohoConcurrency = ${s.maxConcurrency} x ${s.zohoConcurrency} = ${zohoCalls} Zoho calls at once, over worker.zohoConcurrencyLimit ${s.zohoConcurrencyLimit} - ${ZOHO_CONCURRENCY_RESERVE} (kept for the tool endpoint and the token refresher) = ${zohoBound}: lower one of them`,
    );
  return problems;
}
