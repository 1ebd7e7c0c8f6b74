/**
 * The ingest's routes, built once from the catalog of use cases through `hookRoutes` (the same list the CDK
 * endpoint routes), so a use case is served exactly where it is routed and a name outside the catalog is a 404.
 */
import { HOOKS_PREFIX, type HookRoute, hookRoutes } from "../../use-cases/derive.js";
import type { UseCaseDescriptor } from "../../use-cases/descriptor.js";
import { booksWebhookRoute } from "./books-webhook.js";
import { creatorWorkflowRoute } from "./creator-workflow.js";
import { crmNotificationRoute } from "./crm-notification.js";
import { crmWorkflowRoute } from "./crm-workflow.js";
import { deskRoute } from "./desk.js";
import { flowRoute } from "./flow.js";
import type { IngestRoute } from "./route-kit.js";

/** What each trigger's use cases declare, by the key the route looks them up with. */
function claims(catalog: readonly UseCaseDescriptor[], of: (d: UseCaseDescriptor) => readonly string[]) {
  const byKey = new Map<string, string>();
  for (const d of catalog) for (const key of of(d)) byKey.set(key, d.name);
  return byKey;
}

function routeFor(route: HookRoute, catalog: readonly UseCaseDescriptor[]): IngestRoute {
  // hookRoutes names, for a workflow or flow route, the one use case that declares that trigger.
  const triggers = catalog.find((d) => d.name === route.useCases[0])?.triggers;
  const useCase = route.useCases[0] ?? "";
  switch (route.source) {
    case "crm-workflow": {
      const trigger = triggers?.crmWorkflow;
      if (!trigger) throw new Error(`${useCase} has no CRM workflow trigger`);
      const units = crmWorkflowRoute(
        useCase,
        trigger.defaultModule,
        trigger.triggerFields,
        trigger.onlyModule ?? false,
      );
      return { ...shape(route, "crm", 202), units: (req, ctx) => units(req, ctx.loopGuard) };
    }
    case "crm-notification": {
      const units = crmNotificationRoute(claims(catalog, (d) => d.triggers.crmNotification?.modules ?? []));
      return {
        ...shape(route, "notifications", 200),
        units: (req, ctx) => units(req, ctx.parsedBody, ctx.loopGuard),
      };
    }
    case "desk-webhook": {
      const units = deskRoute(claims(catalog, (d) => d.triggers.deskWebhook?.events ?? []));
      // Desk counts only 200 OK as delivered.
      return { ...shape(route, "desk", 200), units: (req, ctx) => units(req, ctx.loopGuard) };
    }
    case "creator-workflow": {
      const trigger = triggers?.creatorWorkflow;
      if (!trigger) throw new Error(`${useCase} has no Creator workflow trigger`);
      const units = creatorWorkflowRoute(useCase, trigger.app, trigger.report);
      return { ...shape(route, "creator", 202), units: (req) => units(req) };
    }
    case "books-webhook": {
      const trigger = triggers?.booksWebhook;
      if (!trigger) throw new Error(`${useCase} has no Books webhook trigger`);
      const units = booksWebhookRoute(useCase, trigger.entity, trigger.writes);
      return { ...shape(route, "books", 202), units: (req) => units(req) };
    }
    case "flow": {
      const trigger = triggers?.flow;
      if (!trigger) throw new Error(`${useCase} has no flow trigger`);
      const units = flowRoute(useCase, trigger.schema, trigger.dedupBy);
      return { ...shape(route, "flow", 202), units: (req, ctx) => units(req, ctx.idempotencyKey) };
    }
  }
}

const shape = (route: HookRoute, label: IngestRoute["label"], status: IngestRoute["status"]) => ({
  source: route.source,
  label,
  methods: route.methods,
  status,
});

/** Routes by their path below `/v1/hooks/` (a Map: `constructor` or `__proto__` is simply not there). */
export function ingestRoutes(catalog: readonly UseCaseDescriptor[]): Map<string, IngestRoute> {
  return new Map(
    hookRoutes(catalog).map((r) => [r.path.slice(HOOKS_PREFIX.length + 1), routeFor(r, catalog)] as const),
  );
}
