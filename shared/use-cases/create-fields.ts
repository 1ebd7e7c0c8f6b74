/**
 * Creates the custom fields a use case's mapping lacks (the `fields create` command), with Zoho CRM's Create Custom
 * Field API: `POST /crm/v8/settings/fields?module=<module>`, body `{"fields": [{field_label, data_type, length?,
 * pick_list_values?}]}`, scope ZohoCRM.settings.fields.CREATE (or fields.ALL / settings.ALL).
 *
 * Zoho answers per field (crm-oas v8 fields.json): 201 `{"fields": [{"code": "SUCCESS", "details": {"id"}}]}`, or
 * 400 with `{"fields": [{"code": "LIMIT_EXCEEDED", "details": {"limit"}} | INVALID_DATA | MANDATORY_NOT_FOUND ...]}`;
 * a label already in use answers DUPLICATE_DATA. Custom fields per module are capped by the org's edition, so one
 * request per field: a field over the cap fails alone and the output says which. Desk has no such API: its fields
 * are made in Desk's setup, so this use case only plans them.
 */
import type { CustomFieldSpec, MappingCheck, TargetCheck } from "../domain/field-mapping.js";
import { isAppError, UpstreamScopeError } from "../errors.js";
import type { CustomFieldResult, NewCustomField, ZohoAdmin } from "../ports/zoho-admin.js";

export type FieldCreateOutcome =
  /** Zoho made the field. */
  | "created"
  /** A field with this label exists already (DUPLICATE_DATA): nothing to do, doctor shows whether it fits. */
  | "exists"
  /** The module's custom field limit is reached (LIMIT_EXCEEDED). */
  | "limit"
  /** The token lacks ZohoCRM.settings.fields.CREATE. */
  | "scope"
  /** Any other refusal (INVALID_DATA, a length over the type's maximum, ...). */
  | "rejected"
  /** `--dry-run`: nothing was sent. */
  | "planned";

export interface FieldCreateResult {
  spec: CustomFieldSpec;
  outcome: FieldCreateOutcome;
  /** The new field's id, when created. */
  id?: string;
  /** Zoho's code, when refused. */
  code?: string;
  /** For people: what happened, and the fix when it failed. */
  message: string;
}

/** What `fields create <use-case>` will do, from the mapping check. */
export interface FieldPlan {
  useCase: string;
  /** Missing CRM targets with a create spec: the fields to make. */
  create: CustomFieldSpec[];
  /** Missing Desk targets: made by hand in Desk's setup. */
  desk: { module: string; target: TargetCheck }[];
  /** Targets creating cannot fix (wrong type, read-only, or missing without a spec). */
  manual: { module: string; target: TargetCheck }[];
}

/** Picks the use case's checks and sorts their problem targets into what can be created and what cannot. */
export function planFields(checks: MappingCheck[], useCase: string): FieldPlan {
  const plan: FieldPlan = { useCase, create: [], desk: [], manual: [] };
  for (const check of checks.filter((c) => c.useCase === useCase))
    for (const target of check.targets) {
      if (target.status === "ok") continue;
      if (target.status === "missing" && check.service === "desk")
        plan.desk.push({ module: check.module, target });
      else if (target.status === "missing" && target.create && check.service === "crm")
        plan.create.push(target.create);
      else plan.manual.push({ module: check.module, target });
    }
  return plan;
}

/** The port's view of one spec. */
export function newCustomField(spec: CustomFieldSpec): NewCustomField {
  return {
    label: spec.label,
    dataType: spec.dataType,
    ...(spec.length !== undefined ? { length: spec.length } : {}),
    ...(spec.picklistValues ? { picklistValues: spec.picklistValues } : {}),
  };
}

/** Steps to make a Desk field by hand (Desk's API has no field creation the product can rely on). */
export function deskFieldSteps(module: string, target: TargetCheck): string {
  return (
    target.fix ??
    `Zoho Desk: Setup > Customization > Layouts and Fields > ${module[0]?.toUpperCase()}${module.slice(1)} > (the layout) > add a ${target.expected} field named so its API name is ${target.field}`
  );
}

export interface CreateFieldsDeps {
  admin: Pick<ZohoAdmin, "createCustomField" | "describeCustomField">;
}

export function makeCreateFields(deps: CreateFieldsDeps) {
  return async function createFields(
    specs: CustomFieldSpec[],
    options: { dryRun?: boolean } = {},
  ): Promise<FieldCreateResult[]> {
    const results: FieldCreateResult[] = [];
    let scopeRefused = false;
    for (const spec of specs) {
      const field = newCustomField(spec);
      if (options.dryRun) {
        results.push({
          spec,
          outcome: "planned",
          message: `would ${deps.admin.describeCustomField(spec.module, field)}`,
        });
        continue;
      }
      if (scopeRefused) {
        results.push(scopeResult(spec));
        continue;
      }
      try {
        results.push(resultOf(spec, await deps.admin.createCustomField(spec.module, field)));
      } catch (error) {
        if (error instanceof UpstreamScopeError) {
          scopeRefused = true;
          results.push(scopeResult(spec));
          continue;
        }
        // Zoho could not be reached: stop rather than guess which fields exist; re-running is safe (DUPLICATE_DATA).
        results.push({
          spec,
          outcome: "rejected",
          message: `${spec.module}.${spec.apiName}: ${isAppError(error) ? error.message : "unexpected error"}`,
        });
        for (const rest of specs.slice(specs.indexOf(spec) + 1))
          results.push({
            spec: rest,
            outcome: "rejected",
            message: `${rest.module}.${rest.apiName}: not sent`,
          });
        break;
      }
    }
    return results;
  };
}

function scopeResult(spec: CustomFieldSpec): FieldCreateResult {
  return {
    spec,
    outcome: "scope",
    code: "OAUTH_SCOPE_MISMATCH",
    message: `${spec.module}.${spec.apiName}: the token lacks ZohoCRM.settings.fields.CREATE; regenerate the grant code with it and run auth again`,
  };
}

function resultOf(spec: CustomFieldSpec, entry: CustomFieldResult): FieldCreateResult {
  const name = `${spec.module}.${spec.apiName}`;
  const code = entry.code;
  if (code === "SUCCESS")
    return {
      spec,
      outcome: "created",
      ...(entry.id ? { id: entry.id } : {}),
      message: `${name}: created (${describe(spec)})`,
    };
  if (code === "DUPLICATE_DATA")
    return {
      spec,
      outcome: "exists",
      code,
      message: `${name}: a field labelled "${spec.label}" exists already; run doctor to see whether it fits`,
    };
  if (code === "LIMIT_EXCEEDED")
    return {
      spec,
      outcome: "limit",
      code,
      message: `${name}: ${spec.module} has reached its custom field limit${entry.limit !== undefined ? ` (${entry.limit})` : ""}; delete an unused custom field in CRM Setup > Customization > Modules and Fields > ${spec.module}, or map the target to an existing field`,
    };
  return {
    spec,
    outcome: "rejected",
    code: code ?? "UNKNOWN",
    message: `${name}: Zoho refused it (${code ?? "no code"}${entry.message ? `: ${entry.message}` : ""})`,
  };
}

function describe(spec: CustomFieldSpec): string {
  if (spec.picklistValues) return `picklist: ${spec.picklistValues.join(", ")}`;
  return spec.length !== undefined ? `${spec.dataType}(${spec.length})` : spec.dataType;
}
