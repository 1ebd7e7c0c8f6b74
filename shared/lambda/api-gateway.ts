/** Converts API Gateway HTTP API (payload v2) events to and from the ingest's plain HTTP shapes. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { HttpRequest, HttpResponse } from "../ingest/http.js";

/**
 * What the ingest reads of an API Gateway HTTP API (payload 2.0) event: a part of `@types/aws-lambda`'s
 * `APIGatewayProxyEventV2`, so Lambda's event and the local router's fit it, and tests and benchmarks can pass only
 * what matters.
 */
export type ApiGatewayV2Event = Pick<APIGatewayProxyEventV2, "rawPath"> &
  Partial<
    Pick<
      APIGatewayProxyEventV2,
      "rawQueryString" | "headers" | "queryStringParameters" | "body" | "isBase64Encoded"
    >
  > & {
    requestContext: {
      http: Pick<APIGatewayProxyEventV2["requestContext"]["http"], "method"> &
        Partial<APIGatewayProxyEventV2["requestContext"]["http"]>;
    } & Partial<Omit<APIGatewayProxyEventV2["requestContext"], "http">>;
  };

/** The answer API Gateway turns into HTTP: always a status, headers and a body. */
export interface ApiGatewayV2Result extends APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
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

export const toApiGatewayV2 = (res: HttpResponse): ApiGatewayV2Result => ({
  statusCode: res.statusCode,
  headers: res.headers,
  body: res.body,
});
