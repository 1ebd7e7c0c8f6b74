/**
 * Alarms and the dashboard watch metrics the code really emits. CloudWatch matches a custom metric on its namespace,
 * name and exact dimension set, so an alarm on `{service}` never sees a count made with `{service, connection}`
 * (issue 13, defect 1: three refresher alarms that could never fire). Nothing here copies the emitting side's
 * constants: the real code paths run with each function's own Powertools metrics, their CloudWatch EMF lines are
 * captured from stdout and parsed, and every custom-namespace alarm and dashboard query must match one of them.
 *
 * Also: every alarm in the template notifies the alarm topic (in alarm and OK), is named with the stage's alarm
 * prefix and says what to do.
 */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildHandler } from "../../functions/ingest/handler.js";
import { StageSchema } from "../../infra/config/stages.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";
import { EmfMetrics, METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { stageResources } from "../../shared/config/resource-names.js";
import { connectionSecretName, serializeConnection } from "../../shared/domain/zoho-connection.js";
import { RefreshThrottledError, UpstreamUnavailableError } from "../../shared/errors.js";
import { ingestMetrics } from "../../shared/lambda/deps/ingest-deps.js";
import { channelsMetrics } from "../../shared/lambda/deps/notification-channels-deps.js";
import { refresherMetrics } from "../../shared/lambda/deps/refresher-deps.js";
import { toolsMetrics } from "../../shared/lambda/deps/tools-deps.js";
import { workerMetrics } from "../../shared/lambda/deps/worker-deps.js";
import { zohoPortsByConnection } from "../../shared/lambda/deps/zoho-ports-by-connection.js";
import { createLogger } from "../../shared/observability/logger.js";
import { MappingBinder } from "../../shared/pipeline/mapping-binder.js";
import { buildRegistry } from "../../shared/pipeline/registry.js";
import type { SecretStore } from "../../shared/ports/secret-store.js";
import { ZohoOAuthError } from "../../shared/ports/zoho-oauth.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import { makeManageNotificationChannels } from "../../shared/use-cases/manage-notification-channels.js";
import { makeRefreshConnection } from "../../shared/use-cases/refresh-connection.js";
import { delivery, LEAD_ANSWER, LEAD_ID, leadMessage, PipelineHarness } from "../fakes/pipeline.js";
import { apiEvent, FakeQueue, SECRETS } from "../helpers/ingest.js";
import { LEAD_ID as TOOLS_LEAD_ID, toolsWorld } from "../unit/tools/world.js";

const CONNECTIONS = ["acme", "beta"];
const stage = StageSchema.parse({
  name: "test",
  connections: CONNECTIONS,
  notifications: { events: ["Leads.edit"] },
});
const names = stageResources(stage.name);

type Resource = { Type: string; Properties: Record<string, unknown> };
/** A custom metric as CloudWatch identifies it. */
interface MetricId {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}
/** What one EMF line declares: per metric, its dimension sets (names) and the line's values for them. */
interface EmfMetric {
  namespace: string;
  name: string;
  dimensionSets: string[][];
  values: Record<string, unknown>;
}

function synth(): Template {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  return Template.fromStack(new MediatorStack(app, "Test", { stage, env: { region: "us-east-1" } }));
}

/** The EMF lines a block of code prints (Powertools writes them to stdout through its own Console). */
async function captureEmf(run: () => Promise<void>): Promise<EmfMetric[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.startsWith('{"_aws"')) {
      lines.push(...text.split("\n").filter((l) => l.trim()));
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap(parseEmf);
}

function parseEmf(line: string): EmfMetric[] {
  const doc = JSON.parse(line) as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  };
  return doc._aws.CloudWatchMetrics.flatMap((d) =>
    d.Metrics.map((m) => ({
      namespace: d.Namespace,
      name: m.Name,
      dimensionSets: d.Dimensions,
      values: doc,
    })),
  );
}

const sameKeys = (a: string[], b: string[]) => a.length === b.length && a.every((k) => b.includes(k));

/** Whether an EMF line published exactly this metric (namespace, name, dimension set and values). */
const publishes = (emitted: EmfMetric[], id: MetricId) =>
  emitted.some(
    (e) =>
      e.namespace === id.namespace &&
      e.name === id.name &&
      e.dimensionSets.some((set) => sameKeys(set, Object.keys(id.dimensions))) &&
      Object.entries(id.dimensions).every(([k, v]) => e.values[k] === v),
  );

/** The custom-namespace metrics an alarm watches: its own, or those of its math expression. */
function alarmMetrics(alarm: Resource): MetricId[] {
  const p = alarm.Properties as {
    Namespace?: string;
    MetricName?: string;
    Dimensions?: { Name: string; Value: unknown }[];
    Metrics?: {
      MetricStat?: {
        Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
      };
    }[];
  };
  const of = (namespace: string, name: string, dims: { Name: string; Value: unknown }[] = []) => ({
    namespace,
    name,
    dimensions: Object.fromEntries(dims.map((d) => [d.Name, d.Value as string])),
  });
  const all = p.Namespace && p.MetricName ? [of(p.Namespace, p.MetricName, p.Dimensions)] : [];
  for (const m of p.Metrics ?? [])
    if (m.MetricStat) {
      const { Namespace, MetricName, Dimensions } = m.MetricStat.Metric;
      all.push(of(Namespace, MetricName, Dimensions));
    }
  return all.filter((m) => m.namespace === METRICS_NAMESPACE);
}

// ---- the real code paths, each with its function's own Powertools metrics ----

function memorySecrets(initial: Record<string, string>): SecretStore {
  const values = new Map(Object.entries(initial));
  let version = 0;
  return {
    get: async (name) => ({ value: values.get(name) ?? "", versionId: String(version) }),
    put: async (name, value) => {
      values.set(name, value);
      version += 1;
      return { versionId: String(version) };
    },
    upsert: async (name, value) => {
      values.set(name, value);
      return { versionId: String(++version), created: false };
    },
  };
}

const connectionJson = (name: string, over: Record<string, unknown> = {}) =>
  serializeConnection({
    schemaVersion: 1,
    name,
    dc: "us",
    accountsServer: "https://accounts.zoho.com",
    apiDomain: "https://www.zohoapis.com",
    desk: null,
    clientId: "client",
    clientSecret: "client-secret-0123456789",
    refreshToken: "refresh-token-0123456789",
    scopes: [],
    accessToken: null,
    accessTokenExpiresAt: null,
    status: "active",
    brokenReason: null,
    refreshLog: [],
    throttledUntil: null,
    updatedAt: new Date(0).toISOString(),
    ...over,
  } as Parameters<typeof serializeConnection>[0]);

/** The token refresher: a refresh that works, one Zoho throttles, one that fails, one Zoho rejects (per connection). */
async function refresherPaths(): Promise<void> {
  const outcomes: (() =>
    | Promise<never>
    | Promise<{ accessToken: string; expiresInMs: number; apiDomain: string }>)[] = [
    async () => ({
      accessToken: "access-token-0123456789",
      expiresInMs: 3_600_000,
      apiDomain: "https://www.zohoapis.com",
    }),
    async () => {
      throw new RefreshThrottledError("too many requests");
    },
    async () => {
      throw new UpstreamUnavailableError("zoho-accounts", "accounts server down");
    },
    async () => {
      throw new ZohoOAuthError("invalid_code", "refresh token revoked");
    },
  ];
  for (const connection of CONNECTIONS)
    for (const outcome of outcomes) {
      const secretName = connectionSecretName(stage.name, connection);
      const refresh = makeRefreshConnection({
        secrets: memorySecrets({ [secretName]: connectionJson(connection) }),
        oauth: { refresh: outcome, exchangeCode: outcome } as never,
        clock: { now: () => Date.now() },
        metrics: new EmfMetrics(refresherMetrics),
        logger: createLogger("alarms-test"),
      });
      await refresh({ secretName }).catch(() => undefined);
    }
}

/** The worker's pipeline: a written lead, a duplicate, a retry, a deferral, a quarantine per use case, a stopped mapping. */
async function workerPaths(): Promise<void> {
  const metrics = new EmfMetrics(workerMetrics);
  const h = new PipelineHarness();
  const run = (...records: Parameters<PipelineHarness["run"]>) => h.pipeline({ metrics })(records);
  const written = leadMessage(LEAD_ID, "written");
  await run(delivery(written));
  await run(delivery(written)); // Duplicate
  h.llm.script.push({ error: new UpstreamUnavailableError("openai", "model down") });
  await run(delivery(leadMessage(LEAD_ID, "retried"))); // Retried
  h.llm.script.push({ value: { ...LEAD_ANSWER, icp_fit: "Excellent" } });
  await run(delivery(leadMessage(LEAD_ID, "quarantined"))); // Quarantined (write guard)
  await run(delivery("not a work message")); // Quarantined, use case unknown
  // Every use case's unit that keeps failing ends quarantined under its own name.
  for (const useCase of USE_CASE_CATALOG) {
    const failing = new PipelineHarness();
    failing.connections = new Set();
    await failing.pipeline({ metrics })([
      delivery(leadMessage(LEAD_ID, `q-${useCase.name}`, { useCase: useCase.name }), 5),
    ]);
  }
  h.config = { ...h.config, tokenBudgetPerDay: () => 0 };
  await run(delivery(leadMessage(LEAD_ID, "deferred"))); // Deferred
  // MappingIncomplete through the whole pipeline for the lead (its field missing); for every mapped use case, the
  // pipeline's own binder (buildRegistry + MappingBinder, as makePipeline wires them) over an org without its fields.
  const stopped = new PipelineHarness();
  stopped.crm.moduleFields.set(
    "Leads",
    (stopped.crm.moduleFields.get("Leads") ?? []).filter((f) => f.name !== "AI_ICP_Fit"),
  );
  await stopped.pipeline({ metrics })([delivery(leadMessage(LEAD_ID, "stopped"))]);
  const empty = new PipelineHarness();
  empty.crm.moduleFields.clear();
  empty.desk.moduleFields.clear();
  const binder = new MappingBinder({
    metadata: empty.metadata,
    logger: createLogger("alarms-test"),
    metrics,
    recheckMs: 1_000,
  });
  for (const useCase of buildRegistry(USE_CASE_CATALOG).values())
    if (useCase.mapping)
      await binder
        .bind(useCase, "default", {
          crm: empty.crm,
          desk: empty.desk,
          creator: empty.creator,
          books: empty.books,
        })
        .catch(() => undefined);
}

/** The worker's Zoho client: calls, a 429, and a credits reading, per connection. */
async function zohoClientPaths(): Promise<void> {
  const metrics = new EmfMetrics(workerMetrics);
  const secretNames = CONNECTIONS.map((c) => connectionSecretName(stage.name, c));
  const secrets = memorySecrets(
    Object.fromEntries(
      CONNECTIONS.map((c) => [
        connectionSecretName(stage.name, c),
        connectionJson(c, {
          accessToken: "access-token-0123456789",
          accessTokenExpiresAt: Date.now() + 3_600_000,
        }),
      ]),
    ),
  );
  let status = 200;
  vi.stubGlobal(
    "fetch",
    async () =>
      new Response(JSON.stringify({ data: [{ id: "1" }] }), {
        status,
        headers: { "content-type": "application/json", "x-api-credits-remaining": "4200" },
      }),
  );
  try {
    const zohoFor = zohoPortsByConnection({
      secretNames,
      secrets,
      coordinator: {
        refresh: async () => ({ outcome: "fresh", expiresAt: Date.now() + 3_600_000 }),
      } as never,
      clock: { now: () => Date.now() },
      maxConcurrent: 1,
      sleep: async () => undefined,
      retry: { rateLimitRetries: 0 },
      metrics,
    });
    for (const connection of CONNECTIONS) {
      status = 200;
      await zohoFor(connection)
        .crm.getRecord("Leads", "1")
        .catch(() => undefined);
      status = 429;
      await zohoFor(connection)
        .crm.getRecord("Leads", "1")
        .catch(() => undefined);
    }
  } finally {
    vi.unstubAllGlobals();
  }
}

/** The ingest: an accepted CRM webhook per use case it routes, and refusals (a wrong token, an unknown route). */
async function ingestPaths(): Promise<void> {
  const handler = buildHandler({
    queue: new FakeQueue(),
    webhookSecrets: async () => SECRETS,
    connections: ["default"],
    loopGuard: { crmIntegrationUsers: [], crmMediatorFields: [], deskIntegrationActors: [] },
    clock: { now: () => Date.now() },
    logger: createLogger("alarms-test"),
    metrics: new EmfMetrics(ingestMetrics),
  });
  const lead = { path: "/v1/hooks/crm/lead-enrichment", body: JSON.stringify({ id: "5545974000001000045" }) };
  await handler(apiEvent({ ...lead, headers: { "x-mediator-token": SECRETS.token } }));
  await handler(apiEvent({ ...lead, headers: { "x-mediator-token": "x".repeat(28) } }));
  await handler(apiEvent({ path: "/v1/hooks/nowhere" }));
}

/** The tool endpoint: an unknown key, a scope the key lacks, a write budget used up. */
async function toolsPaths(): Promise<void> {
  const w = toolsWorld();
  w.deps.metrics = new EmfMetrics(toolsMetrics);
  const update = { module: "Leads", id: TOOLS_LEAD_ID, fields: { AI_Rating: "cold" } };
  await w.call("mk_unknown_key", "crm_update", update);
  const readOnly = await w.addKey({ scopes: "crm.read", allow: [] });
  await w.call(readOnly.key, "crm_update", update);
  const once = await w.addKey({ budget: "1/day" });
  await w.call(once.key, "crm_update", update);
  await w.call(once.key, "crm_update", update);
}

/** The notification channels: a connection whose watch list cannot be read. */
async function channelPaths(): Promise<void> {
  const manage = makeManageNotificationChannels({
    zohoFor: () => ({
      listWatches: async () => {
        throw new UpstreamUnavailableError("zoho-crm", "down");
      },
      watch: async () => [],
    }),
    secrets: memorySecrets({}),
    clock: { now: () => Date.now() },
    logger: createLogger("alarms-test"),
    metrics: new EmfMetrics(channelsMetrics),
    sleep: async () => undefined,
    config: {
      connections: CONNECTIONS,
      webhookSecretName: "zoho-gpt-mediator/test/webhooks",
      notifyUrl: "https://api.example.com/v1/hooks/crm/notifications",
      events: ["Leads.edit"],
      channelTtlMs: 3_600_000,
      renewMarginMs: 600_000,
      tokenPropagationMs: 0,
      channelSeed: "test",
    },
  });
  await manage();
}

describe("alarms and dashboard watch what the code emits", () => {
  const template = synth();
  const alarms = Object.entries(template.findResources("AWS::CloudWatch::Alarm")) as [string, Resource][];
  let emitted: EmfMetric[] = [];

  beforeAll(async () => {
    emitted = await captureEmf(async () => {
      await refresherPaths();
      await workerPaths();
      await zohoClientPaths();
      await ingestPaths();
      await toolsPaths();
      await channelPaths();
    });
  });
  afterAll(() => vi.restoreAllMocks());

  it("captures EMF lines from the real code paths", () => {
    expect(emitted.length).toBeGreaterThan(20);
    expect(emitted.every((e) => e.namespace === METRICS_NAMESPACE)).toBe(true);
  });

  it("every custom-namespace alarm watches a metric an EMF line published (namespace, name, dimensions and values)", () => {
    const watched = alarms.flatMap(([id, a]) => alarmMetrics(a).map((m) => ({ id, ...m })));
    // Refresher (3 x 2 connections), mapping, quarantine per use case, ingest 401, tools, channels.
    expect(watched.length).toBeGreaterThan(15);
    const unmatched = watched.filter((m) => !publishes(emitted, m));
    expect(unmatched).toEqual([]);
  });

  it("would catch defect 1: the refresher alarms' old {service} dimensions match nothing emitted", () => {
    for (const name of ["ConnectionBroken", "RefreshFailed", "RefreshThrottled"]) {
      const old = { namespace: METRICS_NAMESPACE, name, dimensions: { service: "token-refresher" } };
      expect(publishes(emitted, old), name).toBe(false);
      for (const connection of CONNECTIONS)
        expect(publishes(emitted, { ...old, dimensions: { ...old.dimensions, connection } }), name).toBe(
          true,
        );
    }
  });

  it("alarms on what issue 13 lists", () => {
    const byMetric = (name: string) => alarms.filter(([, a]) => (a.Properties.MetricName ?? "") === name);
    for (const name of ["ConnectionBroken", "RefreshFailed", "RefreshThrottled"])
      expect(byMetric(name)).toHaveLength(CONNECTIONS.length);
    expect(byMetric("ApproximateNumberOfMessagesVisible")).toHaveLength(1); // dead letters
    expect(byMetric("ApproximateAgeOfOldestMessage")).toHaveLength(1);
    expect(byMetric("Quarantined")).toHaveLength(USE_CASE_CATALOG.length + 1);
    expect(byMetric("WebhookRejected")).toHaveLength(1);
    expect(byMetric("5xx")).toHaveLength(1);
    // Errors: refresher, worker, tools; throttles: worker, tools.
    expect(byMetric("Errors")).toHaveLength(3);
    expect(byMetric("Throttles")).toHaveLength(2);
  });

  it("every alarm notifies the topic in alarm and when OK, is named with the stage's prefix and says what to do", () => {
    const topics = Object.keys(
      template.findResources("AWS::SNS::Topic", { Properties: { TopicName: names.alarmTopic } }),
    );
    expect(topics).toHaveLength(1);
    const topic = { Ref: topics[0] };
    expect(alarms.length).toBeGreaterThan(20);
    const seen = new Set<string>();
    for (const [id, a] of alarms) {
      const p = a.Properties as {
        AlarmActions?: unknown[];
        OKActions?: unknown[];
        AlarmName?: string;
        AlarmDescription?: string;
      };
      expect(p.AlarmActions, id).toEqual([topic]);
      expect(p.OKActions, id).toEqual([topic]);
      expect(p.AlarmName, id).toMatch(new RegExp(`^${names.alarmPrefix}[A-Za-z0-9-]+$`));
      expect(p.AlarmName && p.AlarmName.length <= 255, id).toBe(true);
      expect(p.AlarmDescription?.length ?? 0, id).toBeGreaterThan(30);
      seen.add(p.AlarmName as string);
    }
    expect(seen.size).toBe(alarms.length);
  });

  it("every dashboard query of a custom metric matches an EMF line (namespace, name, dimension set, service)", () => {
    const dashboards = Object.values(template.findResources("AWS::CloudWatch::Dashboard")) as Resource[];
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe(names.dashboard);
    // The body is a Fn::Join of JSON text and tokens: its custom metrics are SEARCH expressions in plain text.
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody).replace(/\\+"/g, '"');
    const searches = [
      ...body.matchAll(/\{([A-Za-z]+),([A-Za-z,]+)\} MetricName="(\w+)" service="([\w-]+)"/g),
    ].map(([, namespace, dims, name, service]) => ({
      namespace: namespace as string,
      name: name as string,
      keys: (dims as string).split(","),
      service: service as string,
    }));
    // Every mention of the namespace is one of those searches (no custom metric hides elsewhere).
    expect(body.split(METRICS_NAMESPACE).length - 1).toBe(searches.length);
    const wanted = [
      "WebhookAccepted",
      "Written",
      "Quarantined",
      "Retried",
      "Deferred",
      "ModelTokens",
      "ModelCostMicros",
      "ModelLatencyMs",
      "ZohoCalls",
      "ZohoThrottled",
      "ZohoCreditsRemaining",
      "TokenRefreshed",
    ];
    expect(searches.map((s) => s.name)).toEqual(expect.arrayContaining(wanted));
    const unmatched = searches.filter(
      (s) =>
        !emitted.some(
          (e) =>
            e.namespace === s.namespace &&
            e.name === s.name &&
            e.values.service === s.service &&
            e.dimensionSets.some((set) => sameKeys(set, s.keys)),
        ),
    );
    expect(unmatched).toEqual([]);
  });
});
