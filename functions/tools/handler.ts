/**
 * Tool endpoint Lambda behind API Gateway: MCP (`POST /v1/mcp`), the same tools as REST (`POST /v1/tools/<name>`)
 * and their OpenAPI document (`GET /v1/openapi.json`), for agents that must reach Zoho through the mediator. Every
 * outcome is an HTTP answer; bad input gets a 4xx, never a 500.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import {
  type ApiGatewayV2Event,
  type ApiGatewayV2Result,
  fromApiGatewayV2,
  toApiGatewayV2,
} from "../../shared/lambda/api-gateway.js";
import { correlated } from "../../shared/lambda/correlated.js";
import { getToolsDeps, toolsLogger, toolsMetrics } from "../../shared/lambda/deps/tools-deps.js";
import { type LambdaLayers, lazyHandler, withLayers } from "../../shared/lambda/layers.js";
import { handleToolsHttp, type ToolsHttpDeps } from "../../shared/tools/http.js";

/** The middy-wrapped handler over given dependencies: what AWS runs, and what the local stack and tests call. */
export const buildHandler = (
  deps: ToolsHttpDeps,
  layers: LambdaLayers = { logger: toolsLogger, metrics: toolsMetrics },
) =>
  withLayers<ApiGatewayV2Event, ApiGatewayV2Result>(
    "tools",
    // handleToolsHttp never throws: every failure is already an HTTP answer. Its lines carry the request's
    // correlation id.
    correlated(async (event) => toApiGatewayV2(await handleToolsHttp(deps, fromApiGatewayV2(event)))),
    layers,
  );

export const handler = lazyHandler<APIGatewayProxyEventV2, ApiGatewayV2Result>(() =>
  buildHandler(getToolsDeps()),
);
