/**
 * The deployment's catalog in a Lambda: the built-in use cases plus the definitions `cdk synth` read from the
 * stage's `useCaseFiles` and bundled into the ingest and the worker (esbuild `define` of
 * `__USE_CASE_DEFINITIONS__`: JSON text, checked again here). Outside a bundle (tests, the local stack, which pass
 * their own catalog) there are none.
 */
import type { UseCaseDescriptor } from "../descriptor.js";
import { UseCaseDefinitionSchema } from "./definition.js";
import { definedUseCase } from "./index.js";

declare const __USE_CASE_DEFINITIONS__: string | undefined;

/** The esbuild `define` key the stack sets (its value: the JSON text of the definitions, as a JS string literal). */
export const DEFINITIONS_DEFINE_KEY = "__USE_CASE_DEFINITIONS__";

export function bundledDefinitionsText(): string {
  return typeof __USE_CASE_DEFINITIONS__ === "string" ? __USE_CASE_DEFINITIONS__ : "[]";
}

/** `catalog` with the bundled definitions' use cases after it. */
export function withBundledDefinitions(catalog: readonly UseCaseDescriptor[]): readonly UseCaseDescriptor[] {
  const definitions = UseCaseDefinitionSchema.array().parse(JSON.parse(bundledDefinitionsText()));
  return definitions.length === 0 ? catalog : [...catalog, ...definitions.map(definedUseCase)];
}
