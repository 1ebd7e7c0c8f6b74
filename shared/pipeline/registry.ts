/**
 * The pipeline's registry, built from the catalog of use cases: each descriptor's `work`, built with the
 * deployment's settings (its field map, read from the variable its mapping names), and its mapping with that field
 * map applied, which the pipeline binds to the org's live fields before `load`.
 */
import { type UseCaseMapping, withFieldMap } from "../domain/output-targets.js";
import type { UseCaseDescriptor, UseCaseWork } from "../use-cases/descriptor.js";

export interface RegisteredUseCase {
  name: string;
  /** Absent: the use case is accepted at ingest, and its units are dead-lettered here. */
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds use cases whose input and context types differ
  work?: UseCaseWork<any, any>;
  mapping?: UseCaseMapping;
}

export function buildRegistry(
  catalog: readonly UseCaseDescriptor[],
  fieldMapOf: (useCase: UseCaseDescriptor) => Record<string, string> = () => ({}),
  raw: Readonly<Record<string, string | undefined>> = {},
): ReadonlyMap<string, RegisteredUseCase> {
  const registry = new Map<string, RegisteredUseCase>();
  for (const d of catalog) {
    const fieldMap = fieldMapOf(d);
    registry.set(d.name, {
      name: d.name,
      ...(d.work ? { work: d.work({ fieldMap, raw }) } : {}),
      ...(d.mapping ? { mapping: withFieldMap(d.mapping, fieldMap) } : {}),
    });
  }
  return registry;
}

/** The dead-letter reason of a unit whose use case has no work in this deployment (today's text). */
export const noWorkReason = (useCase: string) =>
  `no worker use case "${useCase}" is enabled in this deployment`;
