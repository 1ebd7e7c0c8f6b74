/** The ingest function's logic behind its thin handler: convert, ingest, map errors. Never throws. */
import { type IngestDeps, makeIngest } from "../ingest/ingest.js";
import { type ApiGatewayV2Event, fromApiGatewayV2, toApiGatewayV2 } from "./api-gateway.js";
import { toHttpResponse } from "./http-error-mapping.js";

export function makeIngestHandler(deps: IngestDeps) {
  const ingest = makeIngest(deps);
  return async (event: ApiGatewayV2Event) => {
    try {
      return toApiGatewayV2(await ingest(fromApiGatewayV2(event)));
    } catch (error) {
      return toApiGatewayV2(toHttpResponse(error, deps.logger));
    }
  };
}
