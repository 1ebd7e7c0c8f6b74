/**
 * The catalog is the one list: the ingest serves exactly its routes, the CDK template routes exactly the same ones,
 * and the registry, the alarms, the loop guard and the work message agree with it. Checked for the release's catalog
 * and for a different list (a throwaway use case alone), so nothing is hard-coded to today's five.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { StageSchema } from "../../../infra/config/stages.js";
import { MediatorStack } from "../../../infra/stacks/mediator-stack.js";
import { buildRegistry } from "../../../shared/pipeline/registry.js";
import { WorkMessageSchema } from "../../../shared/schemas/work-message.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import {
  checkCatalog,
  hookRoutes,
  mappedUseCases,
  mediatorWrittenCrmFields,
} from "../../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../../shared/use-cases/descriptor.js";
import { echoNote } from "../../fixtures/use-cases/echo-note/index.js";
import { ingestHarness, SECRETS } from "../../helpers/ingest.js";

const TOKEN = { "x-mediator-token": SECRETS.token };
const LEAD = "5545974000001000044";
const CATALOGS: [string, readonly UseCaseDescriptor[]][] = [
  ["the release's catalog", USE_CASE_CATALOG],
  ["a throwaway use case alone", [echoNote]],
  ["the catalog plus a throwaway use case", [...USE_CASE_CATALOG, echoNote]],
];

/** A flow body the use case's schema accepts, where the repository has one (else only the route is checked). */
function flowSample(name: string): string | undefined {
  const file = join(import.meta.dirname, "..", "..", "fixtures", "zoho", `flow-${name}.json`);
  if (existsSync(file)) return readFileSync(file, "utf8");
  if (name === "lead-enrichment" || name === "echo-note")
    return JSON.stringify({ module: "Leads", id: LEAD });
  return undefined;
}

/** The hook route keys of a synthesised stack (`POST /v1/hooks/...`), sorted. */
function templateRoutes(template: Template): string[] {
  return Object.values(template.findResources("AWS::ApiGatewayV2::Route"))
    .map((r) => r.Properties?.RouteKey as string)
    .filter((key) => key.includes(" /v1/hooks/"))
    .sort();
}

const synth = (useCases: readonly UseCaseDescriptor[]) =>
  Template.fromStack(
    new MediatorStack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Agreement", {
      stage: StageSchema.parse({ name: "test" }),
      useCases,
      env: { region: "us-east-1" },
    }),
  );

describe.each(CATALOGS)("with %s", (_label, catalog) => {
  const routes = hookRoutes(catalog);
  const routeKeys = routes.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort();

  it("the ingest accepts each use case on each of its routes, as that use case", async () => {
    const { call, queue } = ingestHarness({ catalog });
    for (const d of catalog) {
      const t = d.triggers;
      if (t.crmWorkflow) {
        const res = await call({
          path: `/v1/hooks/crm/${d.name}`,
          body: JSON.stringify({ id: LEAD }),
          headers: TOKEN,
        });
        expect(res.statusCode, d.name).toBe(202);
        expect(queue.sent.at(-1)).toMatchObject({
          useCase: d.name,
          source: "crm-workflow",
          subject: { module: t.crmWorkflow.defaultModule },
        });
      }
      for (const module of t.crmNotification?.modules ?? []) {
        const body = { module, ids: [LEAD], operation: "update", channel_id: "1", server_time: 1 };
        const res = await call({
          path: "/v1/hooks/crm/notifications",
          body: JSON.stringify({ ...body, token: SECRETS.notificationTokens[0] }),
        });
        expect(res.json, `${d.name} ${module}`).toMatchObject({ accepted: 1 });
        expect(queue.sent.at(-1)).toMatchObject({ useCase: d.name, source: "crm-notification" });
      }
      for (const eventType of t.deskWebhook?.events ?? []) {
        const events = [{ eventType, orgId: "1", eventTime: "1", payload: { id: "7", ticketId: "7" } }];
        const res = await call({
          path: "/v1/hooks/desk",
          body: JSON.stringify(events),
          query: { token: SECRETS.token },
        });
        expect(res.json, `${d.name} ${eventType}`).toMatchObject({ accepted: 1 });
        expect(queue.sent.at(-1)).toMatchObject({ useCase: d.name, source: "desk-webhook" });
      }
      if (t.flow) {
        // The route exists whatever the body: an empty object is the schema's 422, never a 404.
        const empty = await call({ path: `/v1/hooks/flow/${d.name}`, body: "{}", headers: TOKEN });
        expect(empty.statusCode, d.name).not.toBe(404);
        const sample = flowSample(d.name);
        if (sample !== undefined) {
          const res = await call({ path: `/v1/hooks/flow/${d.name}`, body: sample, headers: TOKEN });
          expect(res.statusCode, d.name).toBe(202);
          expect(queue.sent.at(-1)).toMatchObject({ useCase: d.name, source: "flow" });
        }
      }
    }
    // Everything enqueued is a valid work message naming a use case of this catalog.
    for (const m of queue.sent) {
      expect(WorkMessageSchema.safeParse(m).success).toBe(true);
      expect(catalog.map((d) => d.name)).toContain(m.useCase);
    }
  });

  it("the ingest answers 404 for every route the catalog does not declare, and ignores unclaimed events", async () => {
    const { call, queue } = ingestHarness({ catalog });
    const names = [...USE_CASE_CATALOG, echoNote].map((d) => d.name);
    for (const name of [...names, "no-such-use-case"]) {
      for (const source of ["crm", "flow"] as const) {
        const path = `/v1/hooks/${source}/${name}`;
        if (routes.some((r) => r.path === path)) continue;
        const res = await call({ path, body: JSON.stringify({ module: "Leads", id: LEAD }), headers: TOKEN });
        expect(res.statusCode, path).toBe(404);
      }
    }
    const notification = JSON.stringify({
      module: "Unwatched_Module",
      ids: [LEAD, "2"],
      operation: "update",
      channel_id: "1",
      token: SECRETS.notificationTokens[0],
    });
    const desk = JSON.stringify([
      { eventType: "Contact_Add", orgId: "1", eventTime: "1", payload: { id: "7" } },
    ]);
    const n = await call({ path: "/v1/hooks/crm/notifications", body: notification });
    const d = await call({ path: "/v1/hooks/desk", body: desk, query: { token: SECRETS.token } });
    const dGet = await call({ method: "GET", path: "/v1/hooks/desk", query: { token: SECRETS.token } });

    if (routes.some((r) => r.source === "crm-notification"))
      // Issue 13: the body names the correlation id too.
      expect(n.json).toEqual({
        accepted: 0,
        ignored: 2,
        jobIds: [],
        correlationId: n.headers["x-correlation-id"],
      });
    else expect(n.statusCode).toBe(404);
    if (routes.some((r) => r.source === "desk-webhook")) {
      // Issue 13: the body names the correlation id too.
      expect(d.json).toEqual({
        accepted: 0,
        ignored: 1,
        jobIds: [],
        correlationId: d.headers["x-correlation-id"],
      });
      expect(dGet.statusCode).toBe(200);
    } else expect([d.statusCode, dGet.statusCode]).toEqual([404, 404]);
    expect(queue.sent).toHaveLength(0);
  });

  it("the CDK template routes exactly the catalog's routes, alarms on each mapped use case and guards its fields", () => {
    const template = synth(catalog);

    expect(templateRoutes(template)).toEqual(routeKeys);
    const alarmed = Object.values(template.findResources("AWS::CloudWatch::Alarm"))
      .filter((a) => a.Properties?.MetricName === "MappingIncomplete")
      .map(
        (a) =>
          ((a.Properties?.Dimensions ?? []) as { Name: string; Value: string }[]).find(
            (x) => x.Name === "useCase",
          )?.Value,
      )
      .sort();
    // Only a use case with a required target can stop, so only those have an alarm (issue 13: no alarm that cannot fire).
    const stoppable = Object.values(mappedUseCases(catalog)).filter((u) =>
      u.mapping.targets.some((t) => t.required),
    );
    expect(alarmed).toEqual(stoppable.map((u) => u.name).sort());
    const ingest = Object.values(template.findResources("AWS::Lambda::Function")).find(
      (f) =>
        f.Properties?.Environment?.Variables?.WEBHOOK_SECRET_NAME !== undefined &&
        f.Properties?.Environment?.Variables?.LOOP_GUARD_CRM_FIELDS !== undefined,
    );
    expect(ingest?.Properties?.Environment?.Variables?.LOOP_GUARD_CRM_FIELDS).toBe(
      mediatorWrittenCrmFields(catalog).join(","),
    );
  }, 60_000);

  it("the registry side agrees: each name is a valid work-message use case, each work builds under its own name", () => {
    for (const d of catalog) {
      const message = {
        v: 1,
        jobId: "00000000-0000-8000-8000-000000000000",
        useCase: d.name,
        connection: "default",
        source: "flow",
        dedupKey: "k",
        receivedAt: "2026-11-30T00:00:00.000Z",
        subject: null,
        input: {},
      };
      expect(WorkMessageSchema.safeParse(message).success, d.name).toBe(true);
      if (d.work) expect(d.work({ fieldMap: {} }).promptVersion.startsWith(`${d.name}/`), d.name).toBe(true);
      if (d.mapping) expect(Object.keys(mappedUseCases(catalog))).toContain(d.name);
    }
    // The pipeline's registry holds exactly the catalog, each with its work and mapping when it declares them.
    const registry = buildRegistry(catalog);
    expect([...registry.keys()]).toEqual(catalog.map((d) => d.name));
    for (const d of catalog) {
      expect(Boolean(registry.get(d.name)?.work), d.name).toBe(Boolean(d.work));
      expect(
        registry.get(d.name)?.mapping?.targets.map((t) => t.field),
        d.name,
      ).toEqual(d.mapping?.targets.map((t) => t.field));
    }
  });
});

describe("checkCatalog", () => {
  const flowOnly = (name: string): UseCaseDescriptor => ({
    name,
    title: name,
    service: "crm",
    triggers: { flow: { schema: echoNote.triggers.flow?.schema as never } },
  });

  it("accepts the release's catalog and refuses one the routes could not serve unambiguously", () => {
    expect(() => checkCatalog(USE_CASE_CATALOG)).not.toThrow();
    expect(() => checkCatalog([flowOnly("a"), flowOnly("a")])).toThrow(/"a" is listed twice/);
    expect(() => checkCatalog([flowOnly("Echo_Note")])).toThrow(/not kebab-case/);
    expect(() =>
      checkCatalog([{ ...flowOnly("notifications"), triggers: { crmWorkflow: { defaultModule: "Leads" } } }]),
    ).toThrow(/callback route/);
    expect(() =>
      checkCatalog([
        { ...flowOnly("a"), triggers: { crmNotification: { modules: ["Leads"] } } },
        { ...flowOnly("b"), triggers: { crmNotification: { modules: ["Leads"] } } },
      ]),
    ).toThrow(/module "Leads" is claimed by a and b/);
    expect(() =>
      checkCatalog([
        { ...flowOnly("a"), triggers: { deskWebhook: { events: ["Ticket_Add"] } } },
        { ...flowOnly("b"), triggers: { deskWebhook: { events: ["Ticket_Add"] } } },
      ]),
    ).toThrow(/Desk event "Ticket_Add" is claimed by a and b/);
  });

  it("is what the ingest and the CDK stack run at start: a bad catalog fails before any request or deploy", () => {
    const bad = [flowOnly("a"), flowOnly("a")];

    expect(() => ingestHarness({ catalog: bad })).toThrow(/listed twice/);
    expect(() => synth(bad)).toThrow(/listed twice/);
  }, 60_000);

  it("refuses to synthesise notification channels when no use case takes their callbacks", () => {
    const stage = StageSchema.parse({ name: "test", notifications: { events: ["Leads.edit"] } });
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });

    expect(() => new MediatorStack(app, "NoWatcher", { stage, useCases: [echoNote] })).toThrow(
      /no deployed use case takes CRM Notification API callbacks/,
    );
    expect(
      () => new MediatorStack(app, "Watcher", { stage, useCases: USE_CASE_CATALOG }).notifications,
    ).not.toThrow();
  }, 60_000);
});
