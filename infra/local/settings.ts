/**
 * The local stack's settings bridge: every key a Lambda's environment schema defines can be given to `npm start`
 * by environment and reaches the same parser the Lambda uses (shared/config/*-env.ts). No list of keys lives
 * here: the schemas are the list.
 */
import type * as z from "zod";

/** The keys a Lambda environment schema defines. */
export const settingKeys = (schema: z.ZodObject): string[] => Object.keys(schema.shape);

/**
 * A Lambda's environment for the local stack, layered: the stack's defaults, then whatever the environment sets for
 * the schema's keys, then `over` (tests), then `wiring` (queue URLs, table and secret names: what the stack itself
 * created, which a setting cannot move).
 */
export function lambdaEnv(
  schema: z.ZodObject,
  source: Record<string, unknown>,
  layers: {
    defaults?: Record<string, string>;
    over?: Record<string, string> | undefined;
    wiring: Record<string, string>;
  },
): Record<string, string> {
  const fromSource: Record<string, string> = {};
  for (const key of settingKeys(schema)) {
    const value = source[key];
    if (typeof value === "string" && !(key in layers.wiring)) fromSource[key] = value;
  }
  return { ...layers.defaults, ...fromSource, ...layers.over, ...layers.wiring };
}
