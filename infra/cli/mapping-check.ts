/**
 * The field-mapping check `doctor` and `fields create` run: the worker's own `checkMappings` over the use-case
 * registry, with the same field maps the worker is given (`LEAD_FIELD_MAP`, `TICKET_FIELD_MAP`) and the use cases
 * defined by configuration (`USE_CASE_FILES`), so the CLI checks exactly the fields the deployed worker will write.
 */

import { resolve } from "node:path";
import { WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { checkMappings } from "../../shared/domain/output-targets.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import { definedUseCase } from "../../shared/use-cases/defined/index.js";
import { mappedUseCases } from "../../shared/use-cases/derive.js";
import type { MappingCheckFn } from "../../shared/use-cases/doctor/index.js";
import { definitionPaths, loadDefinitionFiles } from "../config/use-case-files.js";

/** Where `USE_CASE_FILES` paths start. */
const REPO_ROOT = resolve(import.meta.dirname, "../..");

export function mappingCheckFor(env: Record<string, string | undefined>): MappingCheckFn {
  const maps: Record<string, Record<string, string>> = {
    LEAD_FIELD_MAP: WorkerEnvSchema.shape.LEAD_FIELD_MAP.parse(env.LEAD_FIELD_MAP),
    TICKET_FIELD_MAP: WorkerEnvSchema.shape.TICKET_FIELD_MAP.parse(env.TICKET_FIELD_MAP),
  };
  // The use cases defined by configuration the stage deploys (its `useCaseFiles`), named by USE_CASE_FILES.
  const defined = loadDefinitionFiles(definitionPaths(env.USE_CASE_FILES), REPO_ROOT).map(definedUseCase);
  const registry = mappedUseCases([...USE_CASE_CATALOG, ...defined], (setting) => maps[setting] ?? {});
  return (deps) => checkMappings({ registry, ...deps });
}
