/**
 * Worker Lambda on the work queue: runs each unit of work through its use case (Zoho context, structured model
 * output, write guard, write-back) and answers with partial batch failures. Concurrency is bounded by the event
 * source's maximum concurrency.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { getWorkerHandler, workerLogger, workerMetrics } from "../../shared/lambda/deps/worker-deps.js";
import type { SqsEvent } from "../../shared/lambda/worker.js";

export const handler = middy((event: SqsEvent) => getWorkerHandler()(event))
  .use(injectLambdaContext(workerLogger.powertools))
  .use(logMetrics(workerMetrics));
