/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): turns HTTP requests on loopback into the
 * events the real handlers receive in AWS, and their results back into HTTP answers. Nothing Docker-free emulates
 * API Gateway for a CDK app, so this is deliberately small: prefix routing, v2 event shape, 10 MB body limit.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { BodyTooLargeError, listen, type RunningServer, readBody, sendJson } from "./http.js";

export interface LocalRoute {
  /** Path prefix, e.g. `/v1/hooks/`. */
  prefix: string;
  handler: (
    event: APIGatewayProxyEventV2,
  ) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;
}

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** API Gateway's request time format: `12/Mar/2020:19:03:58 +0000`. */
const apiGatewayTime = (d: Date) => {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
};

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://localhost");
  // Caller-chosen names (`__proto__`, `constructor`) go through a Map: own properties only, never the prototype.
  const headerMap = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headerMap.set(k.toLowerCase(), Array.isArray(v) ? v.join(",") : v);
  const queryMap = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    const seen = queryMap.get(k);
    queryMap.set(k, seen === undefined ? v : `${seen},${v}`);
  }
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const query: Record<string, string> = Object.fromEntries(queryMap);
  const text = body.toString("utf8");
  // API Gateway base64-encodes bodies that are not valid UTF-8 text.
  const binary = !Buffer.from(text, "utf8").equals(body);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(body.length
      ? { body: binary ? body.toString("base64") : text, isBase64Encoded: binary }
      : { isBase64Encoded: false }),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: url.host,
      domainPrefix: "local",
      routeKey: "$default",
      time: apiGatewayTime(new Date()),
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      stage: "$default",
      requestId: randomUUID(),
      timeEpoch: Date.now(),
    },
  };
}

export async function startLocalApi(routes: LocalRoute[], port = 0): Promise<RunningServer> {
  return listen(async (req, res) => {
    let body: Buffer;
    try {
      body = await readBody(req, API_GATEWAY_MAX_BODY);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, { message: "Request Entity Too Large" });
      throw error;
    }
    const event = toEvent(req, body);
    const route = routes.find((r) => event.rawPath.startsWith(r.prefix));
    if (!route) return sendJson(res, 404, { message: "Not Found" });
    try {
      const out = await route.handler(event);
      res.writeHead(out.statusCode, out.headers ?? {});
      res.end(out.body ?? "");
    } catch {
      // What API Gateway answers when the function itself fails.
      sendJson(res, 500, { message: "Internal Server Error" });
    }
  }, port);
}
