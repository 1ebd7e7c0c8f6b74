/**
 * The field-mapping check `doctor` and `fields create` run: the worker's own `checkMappings` over the use-case
 * registry, with the same field maps the worker is given (`LEAD_FIELD_MAP`, `TICKET_FIELD_MAP`), so the CLI checks
 * exactly the fields the deployed worker will write.
 */
import { WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { checkMappings } from "../../shared/domain/output-targets.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import { mappedUseCases } from "../../shared/use-cases/derive.js";
import type { MappingCheckFn } from "../../shared/use-cases/doctor/index.js";

export function mappingCheckFor(env: Record<string, string | undefined>): MappingCheckFn {
  const maps: Record<string, Record<string, string>> = {
    LEAD_FIELD_MAP: WorkerEnvSchema.shape.LEAD_FIELD_MAP.parse(env.LEAD_FIELD_MAP),
    TICKET_FIELD_MAP: WorkerEnvSchema.shape.TICKET_FIELD_MAP.parse(env.TICKET_FIELD_MAP),
  };
  const registry = mappedUseCases(USE_CASE_CATALOG, (setting) => maps[setting] ?? {});
  return (deps) => checkMappings({ registry, ...deps });
}
