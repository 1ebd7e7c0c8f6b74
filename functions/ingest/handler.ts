/**
 * Ingest Lambda behind API Gateway: authenticates a Zoho trigger, validates it, enqueues one message per unit of
 * work and answers in milliseconds. It never calls Zoho or the model. Every outcome is an HTTP answer; bad input
 * gets a 4xx, never a 500.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { IngestDeps } from "../../shared/ingest/ingest.js";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "../../shared/lambda/api-gateway.js";
import { getIngestDeps, ingestLogger } from "../../shared/lambda/deps/ingest-deps.js";
import { makeIngestHandler } from "../../shared/lambda/ingest.js";
import { type LambdaLayers, lazyHandler, withLayers } from "../../shared/lambda/layers.js";

/** The middy-wrapped handler over given dependencies: what AWS runs, and what the local stack and tests call. */
export const buildHandler = (deps: IngestDeps, layers: LambdaLayers = { logger: ingestLogger }) =>
  withLayers<ApiGatewayV2Event, ApiGatewayV2Result>("ingest", makeIngestHandler(deps), layers);

export const handler = lazyHandler<APIGatewayProxyEventV2, ApiGatewayV2Result>(() =>
  buildHandler(getIngestDeps()),
);
