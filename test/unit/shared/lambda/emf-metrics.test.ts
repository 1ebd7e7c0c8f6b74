/**
 * The counts behind the dashboard and the ingest alarms, with their dimensions: the ingest's accepted units per use
 * case and refusals per reason (the answer's error name), and the worker's Zoho client's calls, 429s and credits
 * per connection. (test/infra/alarms.test.ts checks the EMF lines these become against the alarms and dashboard.)
 */
import { describe, expect, it } from "vitest";
import { buildHandler } from "../../../../functions/ingest/handler.js";
import { connectionSecretName, serializeConnection } from "../../../../shared/domain/zoho-connection.js";
import { zohoPortsByConnection } from "../../../../shared/lambda/deps/zoho-ports-by-connection.js";
import { createLogger } from "../../../../shared/observability/logger.js";
import type { Metrics } from "../../../../shared/ports/metrics.js";
import type { SecretStore } from "../../../../shared/ports/secret-store.js";
import { delivery, leadMessage, PipelineHarness } from "../../../fakes/pipeline.js";
import { apiEvent, FakeQueue, SECRETS } from "../../../helpers/ingest.js";

/** Every count with its dimensions, in order. */
class RecordingMetrics implements Metrics {
  readonly counts: { name: string; value: number; dimensions: Record<string, string> }[] = [];
  count(name: string, value = 1, dimensions: Record<string, string> = {}): void {
    this.counts.push({ name, value, dimensions });
  }
}

describe("ingest metrics", () => {
  const setup = () => {
    const metrics = new RecordingMetrics();
    const queue = new FakeQueue();
    const handler = buildHandler({
      queue,
      webhookSecrets: async () => SECRETS,
      connections: ["default"],
      loopGuard: { crmIntegrationUsers: [], crmMediatorFields: [], deskIntegrationActors: [] },
      clock: { now: () => Date.now() },
      logger: createLogger("emf-test"),
      metrics,
    });
    return { metrics, queue, handler };
  };
  const lead = (id: string, token = SECRETS.token) =>
    apiEvent({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id }),
      headers: { "x-mediator-token": token },
    });

  it("counts WebhookAccepted once per queued unit, under its use case", async () => {
    const { metrics, handler } = setup();
    const desk = [
      { eventType: "Ticket_Add", orgId: "1", eventTime: "1", payload: { id: "7" } },
      { eventType: "Ticket_Add", orgId: "1", eventTime: "2", payload: { id: "8" } },
    ];

    expect((await handler(lead("5545974000001000045"))).statusCode).toBe(202);
    const res = await handler(
      apiEvent({
        path: "/v1/hooks/desk",
        body: JSON.stringify(desk),
        query: { token: SECRETS.token },
      }),
    );

    expect(res.statusCode).toBeLessThan(300);
    expect(metrics.counts).toEqual([
      { name: "WebhookAccepted", value: 1, dimensions: { useCase: "lead-enrichment" } },
      { name: "WebhookAccepted", value: 1, dimensions: { useCase: "ticket-triage" } },
      { name: "WebhookAccepted", value: 1, dimensions: { useCase: "ticket-triage" } },
    ]);
  });

  it("counts WebhookRejected under the answer's error name: unauthorized, not_found, unavailable", async () => {
    const { metrics, queue, handler } = setup();

    const wrong = await handler(lead("5545974000001000045", "x".repeat(28)));
    const missing = await handler(apiEvent({ path: "/v1/hooks/nowhere" }));
    queue.failNext = true;
    const down = await handler(lead("5545974000001000046"));

    expect([wrong.statusCode, missing.statusCode, down.statusCode]).toEqual([401, 404, 503]);
    expect(metrics.counts.map((c) => [c.name, c.dimensions])).toEqual([
      ["WebhookRejected", { reason: "unauthorized" }],
      ["WebhookRejected", { reason: "not_found" }],
      ["WebhookRejected", { reason: JSON.parse(down.body).error }],
    ]);
    expect(JSON.parse(down.body).error).toMatch(/^[a-z_]+$/);
  });
});

describe("the worker's Zoho client counts its calls, 429s and credits per connection", () => {
  it("counts every answer (retries too), each 429, and each credits reading", async () => {
    const secretName = connectionSecretName("test", "acme");
    const secret = serializeConnection({
      schemaVersion: 1,
      name: "acme",
      dc: "us",
      accountsServer: "https://accounts.zoho.com",
      apiDomain: "https://www.zohoapis.com",
      desk: null,
      clientId: "client",
      clientSecret: "client-secret-0123456789",
      refreshToken: "refresh-token-0123456789",
      scopes: [],
      accessToken: "access-token-0123456789",
      accessTokenExpiresAt: Date.now() + 3_600_000,
      status: "active",
      brokenReason: null,
      refreshLog: [],
      throttledUntil: null,
      updatedAt: new Date().toISOString(),
    });
    const secrets: SecretStore = {
      get: async () => ({ value: secret, versionId: "1" }),
      put: async () => ({ versionId: "2" }),
      upsert: async () => ({ versionId: "2", created: false }),
    };
    const statuses = [429, 200];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async () =>
      new Response(JSON.stringify({ data: [{ id: "1" }] }), {
        status: statuses.shift() ?? 200,
        headers: { "content-type": "application/json", "x-api-credits-remaining": "4200" },
      })) as typeof fetch;
    const metrics = new RecordingMetrics();
    try {
      const zohoFor = zohoPortsByConnection({
        secretNames: [secretName],
        secrets,
        coordinator: {
          refresh: async () => ({ outcome: "fresh", expiresAt: Date.now() + 3_600_000 }),
        } as never,
        clock: { now: () => Date.now() },
        maxConcurrent: 1,
        sleep: async () => undefined,
        metrics,
      });
      await zohoFor("acme").crm.getRecord("Leads", "1");
    } finally {
      globalThis.fetch = realFetch;
    }

    const acme = { connection: "acme" };
    expect(metrics.counts).toEqual([
      { name: "ZohoCalls", value: 1, dimensions: acme },
      { name: "ZohoThrottled", value: 1, dimensions: acme },
      { name: "ZohoCreditsRemaining", value: 4200, dimensions: acme },
      { name: "ZohoCalls", value: 1, dimensions: acme },
      { name: "ZohoCreditsRemaining", value: 4200, dimensions: acme },
    ]);
  });
});

describe("the worker's model metrics per use case", () => {
  it("counts each answer's tokens, its cost in millionths of a dollar and how long it took", async () => {
    const h = new PipelineHarness();
    h.config = { ...h.config, price: () => ({ prompt: 1_000_000, completion: 5_000_000 }) };
    // The model answers 250 ms after it is asked (the harness's clock, moved by the model).
    const ask = h.llm.ask.bind(h.llm);
    h.llm.ask = async (request) => {
      h.clock.advance(250);
      return ask(request);
    };
    const metrics = new RecordingMetrics();

    const [out] = await h.pipeline({ metrics })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "ack" });
    const model = metrics.counts.filter((c) => c.name.startsWith("Model"));
    const lead = { useCase: "lead-enrichment" };
    // FakeLlm's usage: 100 prompt and 20 completion tokens; 100 x 1 + 20 x 5 = 200 millionths.
    expect(model).toEqual([
      { name: "ModelLatencyMs", value: 250, dimensions: lead },
      { name: "ModelTokens", value: 120, dimensions: lead },
      { name: "ModelCostMicros", value: 200, dimensions: lead },
    ]);
  });
});
