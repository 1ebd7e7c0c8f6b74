/**
 * Token refresher Lambda: on its EventBridge schedule it refreshes every connection close to expiry; invoked
 * directly by a worker that saw INVALID_TOKEN, it refreshes one connection at most once. Reserved concurrency 1
 * makes refreshes across the whole fleet strictly one at a time.
 */
import {
  getRefresherDeps,
  refresherLogger,
  refresherMetrics,
} from "../../shared/lambda/deps/refresher-deps.js";
import { type LambdaLayers, lazyHandler, withLayers } from "../../shared/lambda/layers.js";
import { makeTokenRefresher, type TokenRefresherDeps } from "../../shared/lambda/token-refresher.js";

/** The middy-wrapped handler over given dependencies: what AWS runs, and what the local stack and tests call. */
export const buildHandler = (
  deps: TokenRefresherDeps,
  layers: LambdaLayers = { logger: refresherLogger, metrics: refresherMetrics },
) => withLayers("token-refresher", makeTokenRefresher(deps), layers);

export const handler = lazyHandler(() => buildHandler(getRefresherDeps()));
