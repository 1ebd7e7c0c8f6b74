/**
 * The ingest function's logic behind its thin handler: convert, ingest, map errors. Never throws. The request's
 * correlation id (correlated.ts) goes into every work message it queues, so the worker's lines name it too, and into
 * the 202's body.
 */
import type { HttpResponse } from "../ingest/http.js";
import { type IngestDeps, makeIngest } from "../ingest/ingest.js";
import { type ApiGatewayV2Event, fromApiGatewayV2, toApiGatewayV2 } from "./api-gateway.js";
import { correlated } from "./correlated.js";
import { toHttpResponse } from "./http-error-mapping.js";

/** The `error` of a refusal's JSON body, or its status when the body has none. */
function rejectionReason(response: HttpResponse): string {
  try {
    const error = (JSON.parse(response.body) as { error?: unknown }).error;
    if (typeof error === "string" && /^[a-z_]{1,40}$/.test(error)) return error;
  } catch {
    // not JSON: fall through to the status
  }
  return `http_${response.statusCode}`;
}

export function makeIngestHandler(deps: IngestDeps) {
  const ingest = makeIngest(deps);
  return correlated(async (event: ApiGatewayV2Event, correlationId) => {
    try {
      return toApiGatewayV2(await ingest({ ...fromApiGatewayV2(event), correlationId }));
    } catch (error) {
      const response = toHttpResponse(error, deps.logger);
      // The answer's error name is the reason: a short fixed set (unauthorized, rate_limited, ...), fit for a dimension.
      deps.metrics?.count("WebhookRejected", 1, { reason: rejectionReason(response) });
      return toApiGatewayV2(response);
    }
  });
}
