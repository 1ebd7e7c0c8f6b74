/** What the rest of the system derives from the catalog of use cases. */
import { type UseCaseMapping, withFieldMap } from "../domain/output-targets.js";
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
