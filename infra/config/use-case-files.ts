/**
 * Use-case definition files (JSON or YAML, `shared/use-cases/defined/definition.ts`), read at `cdk synth` from the
 * stage's `useCaseFiles` and by `npm start` from `USE_CASE_FILES`: paths relative to the repository root. A file
 * that is missing or does not hold fails synth (or start) naming the file, never the first event.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../../shared/errors.js";
import type { UseCaseDefinition } from "../../shared/use-cases/defined/definition.js";
import { parseDefinition } from "../../shared/use-cases/defined/parse.js";

export function loadDefinitionFiles(paths: readonly string[], root: string): UseCaseDefinition[] {
  return paths.map((path) => {
    const file = isAbsolute(path) ? path : resolve(root, path);
    if (!existsSync(file)) throw new ConfigError(`use-case definition file ${path} does not exist`);
    return parseDefinition(readFileSync(file, "utf8"), path);
  });
}

/** A comma-separated list of paths (the `USE_CASE_FILES` setting), blanks dropped. */
export const definitionPaths = (list: string | undefined): string[] =>
  (list ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
