/**
 * The tool endpoint's Lambda handler answers API Gateway v2 events (stage prefix stripped, base64 bodies decoded)
 * through the middy layers, as the ingest's does: the logger gets the Lambda context, metrics are flushed.
 */
import { describe, expect, it, vi } from "vitest";
import { buildHandler } from "../../../../functions/tools/handler.js";
import { createPowertoolsMetrics } from "../../../../shared/adapters/metrics/powertools-metrics.js";
import { standInContext } from "../../../../shared/lambda/layers.js";
import { createLogger } from "../../../../shared/observability/logger.js";
import { toolsTestbed } from "../../../fixtures/tools/deps.js";

const event = (method: string, rawPath: string, body?: string, headers: Record<string, string> = {}) => ({
  rawPath,
  headers: {
    host: "abc.execute-api.eu-west-1.amazonaws.com",
    "content-type": "application/json",
    ...headers,
  },
  ...(body === undefined ? {} : { body: Buffer.from(body).toString("base64"), isBase64Encoded: true }),
  requestContext: { http: { method }, stage: "prod" },
});

describe("tools handler", () => {
  it("answers a v2 event: the OpenAPI document, a REST call with a base64 body, 405 on GET /v1/mcp", async () => {
    const bed = toolsTestbed();
    const logger = createLogger("tools-handler");
    const addContext = vi.spyOn(logger.powertools, "addContext");
    const metrics = createPowertoolsMetrics("tools-handler", { quiet: true });
    const publish = vi.spyOn(metrics, "publishStoredMetrics");
    const handler = buildHandler(bed.deps, { logger, metrics });
    const context = standInContext("zoho-gpt-mediator-tools");

    const doc = await handler(event("GET", "/prod/v1/openapi.json"), context);
    expect(doc.statusCode).toBe(200);
    expect(JSON.parse(doc.body).servers).toEqual([
      { url: "https://abc.execute-api.eu-west-1.amazonaws.com" },
    ]);
    expect(addContext).toHaveBeenCalledWith(context);

    const auth = await bed.addKey("crm.read");
    const call = await handler(
      event("POST", "/prod/v1/tools/fixture_echo", '{"word":"hey"}', { authorization: auth }),
    );
    expect(call.statusCode).toBe(200);
    expect(JSON.parse(call.body)).toMatchObject({ echo: "HEY", times: 1 });

    const get = await handler(event("GET", "/prod/v1/mcp"));
    expect(get).toMatchObject({ statusCode: 405, headers: { allow: "POST" } });
    expect(publish).toHaveBeenCalledTimes(3);
  });

  it("answers each request's correlation id (a valid X-Correlation-Id, else the request id)", async () => {
    const bed = toolsTestbed();
    const logger = createLogger("tools-handler");
    const handler = buildHandler(bed.deps, { logger });

    const given = await handler(
      event("POST", "/prod/v1/tools/fixture_echo", "{}", { "X-Correlation-Id": "agent.7" }),
    );
    const refused = await handler({
      ...event("POST", "/prod/v1/tools/fixture_echo", "{}", { "x-correlation-id": "not\na token" }),
      requestContext: { http: { method: "POST" }, stage: "prod", requestId: "req-3" },
    });

    expect(given.headers["x-correlation-id"]).toBe("agent.7");
    expect(refused.headers["x-correlation-id"]).toBe("req-3");
  });
});
