/**
 * Zoho Search API criteria built from structured filters, never taken from an agent as a string: each filter's
 * field must be one of the module's live fields (checked by the caller), its operator one of a fixed list, and
 * its value escaped as Zoho requires (`\(`, `\)`, `\,` and `\\`), so no value can close a condition or add one.
 */
import * as z from "zod";
import { FieldNameSchema } from "./schemas.js";

export const FILTER_OPS = ["equals", "not_equal", "starts_with", "greater_than", "less_than"] as const;

export const FilterSchema = z
  .object({
    field: FieldNameSchema.describe("Field API name (crm_describe_module lists them)"),
    op: z.enum(FILTER_OPS),
    value: z.union([z.string().min(1).max(200), z.number(), z.boolean()]),
  })
  .strict();

export type Filter = z.output<typeof FilterSchema>;

/** Zoho's criteria escaping: a backslash before `(`, `)`, `,` and the backslash itself. */
export const escapeCriteriaValue = (value: string): string => value.replace(/[\\(),]/g, (c) => `\\${c}`);

/** `(Field:op:value)`, or `((A:op:x)and(B:op:y))` for several. */
export function buildCriteria(filters: readonly Filter[], match: "all" | "any"): string {
  const conditions = filters.map((f) => `(${f.field}:${f.op}:${escapeCriteriaValue(String(f.value))})`);
  return conditions.length === 1
    ? (conditions[0] as string)
    : `(${conditions.join(match === "all" ? "and" : "or")})`;
}
