/**
 * Zoho data as a tool answers it: only the fields asked for (default: the module's fields), no system keys (`$...`),
 * strings cut at MAX_VALUE_LENGTH, lists and nesting bounded. Record values are other people's text: they go back
 * as data in the structured answer, never interpreted.
 */
import type { ZohoField } from "../domain/zoho-field.js";
import { ValidationError } from "../errors.js";
import { MAX_VALUE_LENGTH } from "./schemas.js";

const MAX_LIST = 50;
const MAX_DEPTH = 3;

/** A value bounded for an answer: strings cut, lists capped, `$` keys dropped, nesting at most MAX_DEPTH deep. */
export function boundedValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string")
    return value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value;
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_LIST).map((v) => boundedValue(v, depth + 1));
  if (typeof value === "object")
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !k.startsWith("$"))
        .slice(0, MAX_LIST)
        .map(([k, v]) => [k, boundedValue(v, depth + 1)]),
    );
  return null;
}

/** `id` and the wanted fields the record has, bounded. */
export function trimRecord(
  record: Record<string, unknown>,
  fields: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: String(record.id) };
  for (const f of fields)
    if (f !== "id" && !f.startsWith("$") && Object.hasOwn(record, f)) out[f] = boundedValue(record[f]);
  return out;
}

/**
 * The fields an answer carries: the ones asked for, each checked against the module's live metadata (an unknown
 * one is a 400 naming it), or every field of the module.
 */
export function wantedFields(
  module: string,
  live: readonly ZohoField[],
  asked: readonly string[] | undefined,
  path = "fields",
): string[] {
  if (!asked?.length) return live.map((f) => f.name);
  const known = new Set(live.map((f) => f.name));
  const unknown = asked.map((f, i) => ({ f, i })).filter(({ f }) => f !== "id" && !known.has(f));
  if (unknown.length)
    throw new ValidationError(
      `${module} has no field ${unknown.map((u) => u.f).join(", ")} (crm_describe_module lists its fields)`,
      unknown.map((u) => ({ path: `${path}.${u.i}`, message: `no such field in ${module}` })),
    );
  return [...new Set(asked)];
}

/**
 * The most characters a tool's answer carries: GPT Actions refuses a response over 100,000 characters, and a
 * model reads a smaller one better anyway. Long texts are cut shorter before an answer is refused.
 */
export const MAX_ANSWER_CHARS = 90_000;

const cutStrings = (value: unknown, limit: number): unknown => {
  if (typeof value === "string") return value.length > limit ? value.slice(0, limit) : value;
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, limit));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutStrings(v, limit)]));
  return value;
};

/**
 * `value` with its strings cut at the largest of `limits` (descending) that brings its JSON within
 * MAX_ANSWER_CHARS; a 400 naming `path` (ask for less) when even the smallest does not.
 */
export function fitAnswer<T>(value: T, limits: readonly number[], path: string): T {
  for (const limit of limits) {
    const cut = cutStrings(value, limit);
    if (JSON.stringify(cut).length <= MAX_ANSWER_CHARS) return cut as T;
  }
  throw new ValidationError(
    `the answer would be longer than ${MAX_ANSWER_CHARS} characters: ask for fewer fields or fewer records`,
    [{ path, message: "answer too large" }],
  );
}
