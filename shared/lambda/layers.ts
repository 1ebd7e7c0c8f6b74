/**
 * The middy layers every function runs, in one place: the Powertools logger gets the Lambda context (request id,
 * cold start) and, where the function counts things, Powertools metrics are flushed after each invocation. AWS and
 * the local stack call the same wrapped handler; only the context differs (Lambda's own, or a stand-in).
 */
import { randomUUID } from "node:crypto";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { AppLogger } from "../observability/logger.js";

/** A function's layers: its logger, and the Powertools metrics to flush (absent: the function counts nothing). */
export interface LambdaLayers {
  logger: AppLogger;
  metrics?: PowertoolsMetrics;
}

/** A wrapped handler: Lambda passes its context; callers outside Lambda may leave it out. */
export type LambdaHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/**
 * A Lambda context for calls from outside Lambda (the local stack, tests, benchmarks): the layers read the function
 * name and request id from it, nothing else.
 */
export function standInContext(functionName: string): Context {
  const unsupported = () => {
    throw new Error("the callback API is not used: handlers return promises");
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => 60_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** `core` wrapped in the function's middy layers. */
export function withLayers<E, R>(
  functionName: string,
  core: (event: E) => Promise<R>,
  layers: LambdaLayers,
): LambdaHandler<E, R> {
  const base = middy<E, R>(core).use(injectLambdaContext(layers.logger.powertools));
  const wrapped = layers.metrics ? base.use(logMetrics(layers.metrics)) : base;
  return (event, context) => wrapped(event, context ?? standInContext(functionName)) as Promise<R>;
}

/**
 * The one AWS entry point of a function: builds its handler on the first invocation (the environment is parsed
 * then, not at import, so tests can import the module) and reuses it for the container's life.
 */
export function lazyHandler<E, R>(
  build: () => LambdaHandler<E, R>,
): (event: E, context: Context) => Promise<R> {
  let handler: LambdaHandler<E, R> | undefined;
  return (event, context) => {
    handler ??= build();
    return handler(event, context);
  };
}
