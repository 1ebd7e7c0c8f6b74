/**
 * The correlation layer of the HTTP functions (ingest, tools): each request gets its correlation id (the caller's
 * valid `X-Correlation-Id`, else API Gateway's request id, else a uuid), every log line written while it is handled
 * carries it as `correlation_id`, and every answer names it in its `X-Correlation-Id` header.
 */
import { CORRELATION_HEADER, correlationIdFor } from "../observability/correlation.js";
import { withLogKeys } from "../observability/log-context.js";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "./api-gateway.js";

/** The request's header, found whatever its case (API Gateway lower-cases them; a local caller may not). */
function headerOf(event: ApiGatewayV2Event, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function correlated<E extends ApiGatewayV2Event>(
  core: (event: E, correlationId: string) => Promise<ApiGatewayV2Result>,
): (event: E) => Promise<ApiGatewayV2Result> {
  return async (event) => {
    const correlationId = correlationIdFor(
      headerOf(event, CORRELATION_HEADER),
      event.requestContext.requestId,
    );
    const res = await withLogKeys({ correlation_id: correlationId }, () => core(event, correlationId));
    return { ...res, headers: { ...res.headers, [CORRELATION_HEADER]: correlationId } };
  };
}
