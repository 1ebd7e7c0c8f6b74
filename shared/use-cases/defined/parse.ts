/**
 * Reading a definition file: YAML (`.yaml`, `.yml`, no aliases) or JSON, then the schema. Apart from the schema so
 * the Lambdas, which get their definitions already parsed (`bundled.ts`), never bundle the YAML parser.
 */
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../../errors.js";
import { type UseCaseDefinition, UseCaseDefinitionSchema } from "./definition.js";

/**
 * Parses a definition file's text (`source` names it in errors: its path). YAML for `.yaml`/`.yml`, else JSON. A
 * file that does not parse or fit the schema is a ConfigError naming the file and each problem's path.
 */
export function parseDefinition(text: string, source: string): UseCaseDefinition {
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(source) ? parseYaml(text, { maxAliasCount: 0 }) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`use-case definition ${source} does not parse: ${(error as Error).message}`);
  }
  const parsed = UseCaseDefinitionSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `use-case definition ${source} is invalid: ${parsed.error.issues
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ")}`,
    );
  return parsed.data;
}
