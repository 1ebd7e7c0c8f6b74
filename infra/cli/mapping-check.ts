/**
 * The field-mapping check `doctor` and `fields create` run: the worker's own `checkMappings` over the use-case
 * registry, with the same field maps the worker is given (`LEAD_FIELD_MAP`, `TICKET_FIELD_MAP`), so the CLI checks
 * exactly the fields the deployed worker will write.
 */
import { WorkerEnvSchema } from "../../shared/config/worker-env.js";
import type { MappingCheckFn } from "../../shared/use-cases/doctor.js";
import { buildRegistry } from "../../shared/use-cases/worker/registry.js";
import { checkMappings } from "../../shared/worker/field-mapping.js";

export function mappingCheckFor(env: Record<string, string | undefined>): MappingCheckFn {
  const leadFields = WorkerEnvSchema.shape.LEAD_FIELD_MAP.parse(env.LEAD_FIELD_MAP);
  const ticketFields = WorkerEnvSchema.shape.TICKET_FIELD_MAP.parse(env.TICKET_FIELD_MAP);
  const registry = buildRegistry({ leadFields, ticketFields });
  return (deps) => checkMappings({ registry, ...deps });
}
