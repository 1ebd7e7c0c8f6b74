/**
 * Token refresher Lambda: on its EventBridge schedule it refreshes every connection close to expiry; invoked
 * directly by a worker that saw INVALID_TOKEN, it refreshes one connection at most once. Reserved concurrency 1
 * makes refreshes across the whole fleet strictly one at a time.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import {
  getRefresherDeps,
  refresherLogger,
  refresherMetrics,
} from "../../shared/lambda/deps/refresher-deps.js";
import { makeTokenRefresher, type TokenRefresherDeps } from "../../shared/lambda/token-refresher.js";

/** For tests: the same handler over injected dependencies. */
export const buildHandler = (deps: TokenRefresherDeps) => makeTokenRefresher(deps);

export const handler = middy((event: unknown) => makeTokenRefresher(getRefresherDeps())(event))
  .use(injectLambdaContext(refresherLogger.powertools))
  .use(logMetrics(refresherMetrics));
