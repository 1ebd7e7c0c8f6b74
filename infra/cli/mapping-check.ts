/**
 * The field-mapping check `doctor` and `fields create` run: wp-mapping's `checkMappings` (shared/worker/
 * field-mapping.ts) bound to the use-case registry and the worker's settings (LEAD_FIELD_MAP, ...).
 *
 * INTEGRATION POINT: until it is wired here, `doctor` reports the mapping as not checked (a failure) and
 * `fields create` refuses to guess. Wire it as:
 *   export const defaultMappingCheck: MappingCheckFn = (deps) =>
 *     checkMappings({ registry: buildRegistry({ leadFields: ... }), ...deps });
 */
import type { MappingCheckFn } from "../../shared/use-cases/doctor.js";

export const defaultMappingCheck: MappingCheckFn | undefined = undefined;
