/**
 * Worker Lambda on the work queue: runs each unit of work through the pipeline (Zoho context, structured model
 * output, write guard, write-back) and answers with partial batch failures. A batch's units run side by side;
 * model and Zoho calls are bounded per invocation (MODEL_CONCURRENCY, ZOHO_CONCURRENCY) times the event source's
 * maximum concurrency.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { getWorkerHandler, workerLogger, workerMetrics } from "../../shared/lambda/deps/worker-deps.js";
import { type LambdaLayers, lazyHandler, withLayers } from "../../shared/lambda/layers.js";

/**
 * The middy-wrapped handler over the pipeline's SQS batch handler (`createWorkerDeps(...).handle`): what AWS runs,
 * and what the local stack's poller calls with each batch.
 */
export const buildHandler = (
  handle: (event: SQSEvent) => Promise<SQSBatchResponse>,
  layers: LambdaLayers = { logger: workerLogger, metrics: workerMetrics },
) => withLayers("worker", handle, layers);

export const handler = lazyHandler(() => buildHandler(getWorkerHandler()));
