/**
 * Each function's `buildHandler(deps)` is the middy-wrapped handler its Lambda runs: the logger layer receives the
 * Lambda context (a stand-in when a caller outside Lambda gives none) and the metrics layer flushes after each
 * invocation. The local stack calls these same handlers.
 */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildHandler as buildIngestHandler } from "../../../functions/ingest/handler.js";
import { buildHandler as buildRefresherHandler } from "../../../functions/token-refresher/handler.js";
import { createPowertoolsMetrics } from "../../../shared/adapters/metrics/powertools-metrics.js";
import { standInContext } from "../../../shared/lambda/layers.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { FakeQueue, SECRETS } from "../../helpers/ingest.js";

afterEach(() => vi.restoreAllMocks());

const ingestDeps = () => ({
  queue: new FakeQueue(),
  webhookSecrets: async () => SECRETS,
  connections: ["default"],
  loopGuard: { crmIntegrationUsers: [], crmMediatorFields: [], deskIntegrationActors: [] },
  clock: { now: () => Date.now() },
  logger: createLogger("ingest-test"),
});

describe("functions' wrapped handlers", () => {
  it("the ingest hands Lambda's context to its logger and answers as before", async () => {
    const logger = createLogger("ingest-layers");
    const addContext = vi.spyOn(logger.powertools, "addContext");
    const handler = buildIngestHandler(ingestDeps(), { logger });
    const context = standInContext("zoho-gpt-mediator-ingest");

    const res = await handler(
      { rawPath: "/v1/hooks/nowhere", requestContext: { http: { method: "POST" } } },
      context,
    );

    expect(res.statusCode).toBe(404);
    expect(addContext).toHaveBeenCalledWith(context);
  });

  it("a caller without a context (tests, benchmarks) gets a stand-in one named after the function", async () => {
    const logger = createLogger("ingest-layers");
    const addContext = vi.spyOn(logger.powertools, "addContext");

    await buildIngestHandler(ingestDeps(), { logger })({
      rawPath: "/v1/health-nope",
      requestContext: { http: { method: "GET" } },
    });

    const given = addContext.mock.calls[0]?.[0] as Context;
    expect(given.functionName).toBe("ingest");
    expect(given.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the token refresher flushes its metrics after each invocation, also when the event is refused", async () => {
    const metrics = createPowertoolsMetrics("refresher-layers", { quiet: true });
    const publish = vi.spyOn(metrics, "publishStoredMetrics");
    const refresh = vi.fn(async () => ({ outcome: "refreshed" as const, expiresAt: 1 }));
    const handler = buildRefresherHandler(
      {
        refresh,
        secretNames: ["zoho-gpt-mediator/dev/zoho/default"],
        refreshAheadMs: 60_000,
        metrics: { count: () => {} },
        logger: createLogger("refresher-layers"),
      },
      { logger: createLogger("refresher-layers"), metrics },
    );

    const ok = await handler({
      action: "refresh",
      secretName: "zoho-gpt-mediator/dev/zoho/default",
      staleToken: null,
    });
    const refused = await handler({ action: "nonsense" }).catch((error: Error) => error);

    expect(ok).toEqual({ outcome: "refreshed", expiresAt: 1 });
    expect(refused).toBeInstanceOf(Error);
    expect(publish).toHaveBeenCalledTimes(2);
  });
});
