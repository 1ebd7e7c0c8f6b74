/** What the rest of the system derives from the catalog of use cases. */
import { type UseCaseMapping, withFieldMap } from "../domain/output-targets.js";
import { ConfigError } from "../errors.js";
import type { UseCaseDescriptor } from "./descriptor.js";

/** The audit field the mediator writes in `AUDIT_MODE=field` (default name). */
export const DEFAULT_AUDIT_FIELD = "AI_Audit";

/**
 * CRM fields the mediator writes with the default field maps: a Notification API update touching only these is the
 * mediator's own write, which the ingest loop guard drops. That includes fill-if-empty fields (Industry, City, ...)
 * it may write alongside the AI fields: a person's edit of only those then triggers no enrichment, the lesser cost
 * next to the mediator's own write re-enriching the lead up to its daily cap. `LOOP_GUARD_CRM_FIELDS` overrides the
 * list where a field map or `AUDIT_FIELD` move the fields.
 */
export function mediatorWrittenCrmFields(catalog: readonly UseCaseDescriptor[]): string[] {
  const fields = new Set<string>();
  for (const d of catalog) {
    if (d.mapping?.service !== "crm") continue;
    for (const t of d.mapping.targets) fields.add(t.field);
    for (const f of d.alsoWrites ?? []) fields.add(f);
  }
  if (fields.size > 0) fields.add(DEFAULT_AUDIT_FIELD);
  return [...fields];
}

/**
 * Each use case with a mapping, the deployment's field map applied (`fieldMapOf` reads the use case's
 * `fieldMapSetting`, e.g. LEAD_FIELD_MAP): what the pipeline binds, `doctor` checks and the alarms name.
 */
export function mappedUseCases(
  catalog: readonly UseCaseDescriptor[],
  fieldMapOf: (setting: string) => Record<string, string> = () => ({}),
): Record<string, { name: string; mapping: UseCaseMapping }> {
  const out: Record<string, { name: string; mapping: UseCaseMapping }> = {};
  for (const d of catalog)
    if (d.mapping)
      out[d.name] = {
        name: d.name,
        mapping: withFieldMap(
          d.mapping,
          d.mapping.fieldMapSetting ? fieldMapOf(d.mapping.fieldMapSetting) : {},
        ),
      };
  return out;
}

/** Where trigger routes live: every route below is `/v1/hooks/...`. */
export const HOOKS_PREFIX = "/v1/hooks";

/** A trigger route and the use cases it feeds: what the ingest serves and the CDK endpoint routes, one list. */
export interface HookRoute {
  /** The full path, e.g. `/v1/hooks/crm/lead-enrichment`. */
  path: string;
  methods: readonly ("GET" | "POST")[];
  /** The kind of sender, as the work message's `source` names it. */
  source:
    | "crm-workflow"
    | "crm-notification"
    | "desk-webhook"
    | "flow"
    | "creator-workflow"
    | "books-webhook";
  /** The use cases whose units the route makes. */
  useCases: readonly string[];
}

const USE_CASE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
/** The CRM route segment the Notification API callbacks use: no workflow use case may take it. */
const NOTIFICATIONS_SEGMENT = "notifications";

/**
 * Refuses a catalog the routes could not serve unambiguously: a name that is not kebab-case or is taken twice, a
 * CRM workflow use case named like the notifications route, a CRM module or Desk event claimed by two use cases (a
 * callback would not know whose unit it is). Thrown at cold start and at `cdk synth`, never per request.
 */
export function checkCatalog(catalog: readonly UseCaseDescriptor[]): void {
  const problems: string[] = [];
  const names = new Set<string>();
  const modules = new Map<string, string>();
  const events = new Map<string, string>();
  const claim = (claims: Map<string, string>, key: string, name: string, what: string) => {
    const other = claims.get(key);
    if (other !== undefined && other !== name)
      problems.push(`${what} "${key}" is claimed by ${other} and ${name}`);
    claims.set(key, name);
  };
  for (const d of catalog) {
    if (!USE_CASE_NAME.test(d.name)) problems.push(`use case name "${d.name}" is not kebab-case`);
    if (names.has(d.name)) problems.push(`use case "${d.name}" is listed twice`);
    names.add(d.name);
    if (d.triggers.crmWorkflow && d.name === NOTIFICATIONS_SEGMENT)
      problems.push(
        `a CRM workflow use case cannot be named "${NOTIFICATIONS_SEGMENT}" (the callback route)`,
      );
    for (const m of d.triggers.crmNotification?.modules ?? [])
      claim(modules, m, d.name, "CRM notification module");
    for (const e of d.triggers.deskWebhook?.events ?? []) claim(events, e, d.name, "Desk event");
  }
  if (problems.length > 0) throw new ConfigError(`invalid use-case catalog: ${problems.join("; ")}`);
}

/**
 * The trigger routes of a catalog: `POST /v1/hooks/crm/<name>` per CRM workflow use case, `POST
 * /v1/hooks/crm/notifications` when any takes Notification API callbacks, `GET`+`POST /v1/hooks/desk` when any takes
 * Desk events, `POST /v1/hooks/creator/<name>` and `POST /v1/hooks/books/<name>` per Creator and Books use case,
 * `POST /v1/hooks/flow/<name>` per flow use case. Checks the catalog first.
 */
export function hookRoutes(catalog: readonly UseCaseDescriptor[]): HookRoute[] {
  checkCatalog(catalog);
  const having = (trigger: keyof UseCaseDescriptor["triggers"]) =>
    catalog.filter((d) => d.triggers[trigger] !== undefined).map((d) => d.name);
  const routes: HookRoute[] = having("crmWorkflow").map((name) => ({
    path: `${HOOKS_PREFIX}/crm/${name}`,
    methods: ["POST"],
    source: "crm-workflow",
    useCases: [name],
  }));
  const notified = having("crmNotification");
  if (notified.length > 0)
    routes.push({
      path: `${HOOKS_PREFIX}/crm/${NOTIFICATIONS_SEGMENT}`,
      methods: ["POST"],
      source: "crm-notification",
      useCases: notified,
    });
  const desk = having("deskWebhook");
  if (desk.length > 0)
    routes.push({
      path: `${HOOKS_PREFIX}/desk`,
      methods: ["GET", "POST"],
      source: "desk-webhook",
      useCases: desk,
    });
  for (const name of having("creatorWorkflow"))
    routes.push({
      path: `${HOOKS_PREFIX}/creator/${name}`,
      methods: ["POST"],
      source: "creator-workflow",
      useCases: [name],
    });
  for (const name of having("booksWebhook"))
    routes.push({
      path: `${HOOKS_PREFIX}/books/${name}`,
      methods: ["POST"],
      source: "books-webhook",
      useCases: [name],
    });
  for (const name of having("flow"))
    routes.push({
      path: `${HOOKS_PREFIX}/flow/${name}`,
      methods: ["POST"],
      source: "flow",
      useCases: [name],
    });
  return routes;
}
