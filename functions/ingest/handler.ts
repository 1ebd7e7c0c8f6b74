/**
 * Ingest Lambda behind API Gateway: authenticates a Zoho trigger, validates it, enqueues one message per unit of
 * work and answers in milliseconds. It never calls Zoho or the model. Every outcome is an HTTP answer; bad input
 * gets a 4xx, never a 500.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { IngestDeps } from "../../shared/ingest/ingest.js";
import type { ApiGatewayV2Event } from "../../shared/lambda/api-gateway.js";
import { getIngestDeps, ingestLogger } from "../../shared/lambda/deps/ingest-deps.js";
import { makeIngestHandler } from "../../shared/lambda/ingest.js";

/** For tests and the local stack: the same handler over injected dependencies. */
export const buildHandler = (deps: IngestDeps) => makeIngestHandler(deps);

let handle: ReturnType<typeof makeIngestHandler> | undefined;
export const handler = middy((event: ApiGatewayV2Event) => {
  handle ??= makeIngestHandler(getIngestDeps());
  return handle(event);
}).use(injectLambdaContext(ingestLogger.powertools));
