/**
 * The ingest function's logic behind its thin handler: convert, ingest, map errors. Never throws. The request's
 * correlation id (correlated.ts) goes into every work message it queues, so the worker's lines name it too, and into
 * the 202's body.
 */
import { type IngestDeps, makeIngest } from "../ingest/ingest.js";
import { type ApiGatewayV2Event, fromApiGatewayV2, toApiGatewayV2 } from "./api-gateway.js";
import { correlated } from "./correlated.js";
import { toHttpResponse } from "./http-error-mapping.js";

export function makeIngestHandler(deps: IngestDeps) {
  const ingest = makeIngest(deps);
  return correlated(async (event: ApiGatewayV2Event, correlationId) => {
    try {
      return toApiGatewayV2(await ingest({ ...fromApiGatewayV2(event), correlationId }));
    } catch (error) {
      return toApiGatewayV2(toHttpResponse(error, deps.logger));
    }
  });
}
