/** Converts API Gateway HTTP API (payload v2) events to and from the ingest's plain HTTP shapes. */
import type { HttpRequest, HttpResponse } from "../ingest/http.js";

export interface ApiGatewayV2Event {
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: {
    http: { method: string; path?: string; sourceIp?: string; userAgent?: string; protocol?: string };
    stage?: string;
    requestId?: string;
    timeEpoch?: number;
  };
}

export function fromApiGatewayV2(event: ApiGatewayV2Event): HttpRequest {
  const stage = event.requestContext.stage;
  const path =
    stage && stage !== "$default" && event.rawPath.startsWith(`/${stage}/`)
      ? event.rawPath.slice(stage.length + 1)
      : event.rawPath;
  // Caller-chosen names go through a Map and become own properties (a header or parameter named `__proto__`
  // never touches a prototype); lookups are by fixed names only.
  const headers = Object.fromEntries(
    new Map(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  ) as Record<string, string | undefined>;
  const body =
    event.body === undefined
      ? ""
      : event.isBase64Encoded
        ? Buffer.from(event.body, "base64").toString("utf8")
        : event.body;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path,
    headers,
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {})),
    body,
  };
}

export const toApiGatewayV2 = (res: HttpResponse) => ({
  statusCode: res.statusCode,
  headers: res.headers,
  body: res.body,
});
