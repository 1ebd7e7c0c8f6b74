/**
 * The local API's routes, as API Gateway routes them when deployed: the webhooks to the ingest's wrapped handler,
 * the tool routes (MCP, REST, openapi.json) to the tool function's, `GET /v1/health` to the health function,
 * everything else API Gateway's 404; plus local-only views: the dead letters, and the status page (`/_status`).
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { handler as healthHandler } from "../../functions/health/handler.js";
import type { ApiGatewayV2Result } from "../../shared/lambda/api-gateway.js";
import { isToolRoute } from "../config/tool-routes.js";
import type { DeadLetter } from "./queues.js";
import type { LocalRoute } from "./router.js";
import { type StatusSources, statusRoute } from "./status/api.js";

const notFound = {
  statusCode: 404,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: "Not Found" }),
};

export function localRoutes(parts: {
  ingest: (event: APIGatewayProxyEventV2) => Promise<ApiGatewayV2Result>;
  /** The tool function's handler, once it is built (it needs DynamoDB); until then and without it, 404. */
  tools?: () => ((event: APIGatewayProxyEventV2) => Promise<ApiGatewayV2Result>) | undefined;
  deadLetters: () => DeadLetter[];
  /** One line per received request (npm start prints it). */
  say: (line: string) => void;
  /** What the status page reads; absent, `/_status` is a 404. */
  status?: StatusSources;
}): LocalRoute[] {
  const tools = async (event: APIGatewayProxyEventV2) => {
    const handler = parts.tools?.();
    const { method } = event.requestContext.http;
    if (!handler || !isToolRoute(method, event.rawPath)) return notFound;
    const res = await handler(event);
    // Method, path and status only: never the key or the arguments.
    parts.say(`agent     ${method} ${event.rawPath} -> ${res.statusCode}`);
    return res;
  };
  return [
    // The tool endpoint's routes, as the ToolsEndpoint construct adds them to API Gateway.
    { prefix: "/v1/mcp", handler: tools },
    { prefix: "/v1/tools/", handler: tools },
    { prefix: "/v1/openapi.json", handler: tools },
    {
      prefix: "/v1/hooks/",
      handler: async (event) => {
        const res = await parts.ingest(event);
        const answer =
          res.statusCode < 300 && res.headers["content-type"] === "application/json"
            ? (JSON.parse(res.body) as { accepted?: number; jobIds?: string[] })
            : undefined;
        const accepted = answer?.accepted;
        parts.status?.feed.received(event.rawPath, res.statusCode, answer?.jobIds ?? []);
        parts.say(
          `received  ${event.requestContext.http.method} ${event.rawPath} -> ${res.statusCode}${accepted !== undefined ? `, queued ${accepted}` : ""}`,
        );
        return res;
      },
    },
    {
      // As deployed: GET /v1/health is the health function; other methods are API Gateway's 404.
      prefix: "/v1/health",
      handler: async (event) =>
        event.rawPath === "/v1/health" && event.requestContext.http.method === "GET"
          ? healthHandler()
          : notFound,
    },
    ...(parts.status ? [{ prefix: "/_status", handler: statusRoute(parts.status) }] : []),
    {
      // Local only: the dead letters with their reasons, without consuming them.
      prefix: "/_local/",
      handler: async (event) => {
        if (event.rawPath !== "/_local/dead-letters" || event.requestContext.http.method !== "GET")
          return notFound;
        const deadLetters = parts.deadLetters();
        return {
          statusCode: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ count: deadLetters.length, deadLetters }),
        };
      },
    },
  ];
}
