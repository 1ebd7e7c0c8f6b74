/**
 * A backfill's cost estimate before anything is sent: records x tokens per record x the model's price
 * (shared/domain/model-prices.ts, with the deployment's MODEL_PRICES over it). Tokens per record are measured, never
 * guessed: the ledger's actual average per model call of this use case over the last 30 days when it has any, else
 * the use case's real prompt for one sampled record counted with the model's tokenizer (see measure.ts). The
 * estimate says which.
 */
import * as z from "zod";
import { costMicrosOf, type ModelPrice, priceOf } from "../../domain/model-prices.js";
import type { UsageRow } from "../../ports/ledger.js";

/** How far back the ledger's average looks. */
export const LEDGER_WINDOW_DAYS = 30;

export interface TokensPerRecord {
  prompt: number;
  completion: number;
  /** Where the figure came from, in words for the operator. */
  source: string;
}

export interface BackfillEstimate {
  records: number;
  promptTokens: number;
  completionTokens: number;
  /** Micro-dollars; undefined when the model has no price. */
  costMicros: number | undefined;
  source: string;
}

/** The UTC days of the ledger window ending at `now`: `[from, to]`, both `YYYY-MM-DD`. */
export function ledgerWindow(now: number): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(now - (LEDGER_WINDOW_DAYS - 1) * 86_400_000), to: day(now) };
}

/** The use case's average tokens per model call in the ledger's rows; undefined when it made no calls. */
export function tokensFromLedger(rows: readonly UsageRow[], useCase: string): TokensPerRecord | undefined {
  const mine = rows.filter((r) => r.useCase === useCase);
  const calls = mine.reduce((n, r) => n + r.calls, 0);
  if (calls <= 0) return undefined;
  const prompt = mine.reduce((n, r) => n + r.promptTokens, 0);
  const completion = mine.reduce((n, r) => n + r.completionTokens, 0);
  return {
    prompt: Math.round(prompt / calls),
    completion: Math.round(completion / calls),
    source: `the ledger: average of ${calls} ${useCase} model calls in the last ${LEDGER_WINDOW_DAYS} days`,
  };
}

/** Chat format overhead per message and per reply (OpenAI's token counting guide). */
const PER_MESSAGE = 3;
const PER_REPLY = 3;

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

/** Characters assumed for a free-text string without a maxLength (a sentence or two). */
const FREE_TEXT_CHARS = 200;

/**
 * An answer as large as the schema lets it be, within reason: every property present, enums at their longest value,
 * strings at their maxLength (capped at a few sentences when unbounded). Its token count is the completion estimate.
 */
export function sampleAnswer(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0)
    return schema.enum.reduce((a, b) => (String(b).length > String(a).length ? b : a));
  if (schema.anyOf && schema.anyOf.length > 0) return sampleAnswer(schema.anyOf[0] as JsonSchema);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "object" || schema.properties)
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sampleAnswer(v)]));
  if (type === "array") return schema.items ? [sampleAnswer(schema.items)] : [];
  if (type === "integer" || type === "number") return 100;
  if (type === "boolean") return false;
  if (type === "null") return null;
  return "x "
    .repeat(Math.ceil(Math.min(schema.maxLength ?? FREE_TEXT_CHARS, FREE_TEXT_CHARS * 2) / 2))
    .trim();
}

/**
 * Tokens of one record's real model call: system and user messages plus the strict output schema (which the model
 * is sent as `response_format`), and the completion as large as the schema's sample answer.
 */
export function tokensFromPrompt(
  prompt: { system: string; user: string },
  schema: z.ZodType,
  countTokens: (text: string) => number,
  useCase: string,
): TokensPerRecord {
  const json = z.toJSONSchema(schema) as JsonSchema;
  return {
    prompt:
      countTokens(prompt.system) +
      countTokens(prompt.user) +
      countTokens(JSON.stringify(json)) +
      2 * PER_MESSAGE +
      PER_REPLY,
    completion: countTokens(JSON.stringify(sampleAnswer(json))),
    source: `${useCase}'s prompt and output schema for one sampled record, counted with gpt-tokenizer (no ledger rows in the last ${LEDGER_WINDOW_DAYS} days)`,
  };
}

/** records x tokens per record, priced by `model` in `prices` (exact name or dated snapshot family). */
export function estimateBackfill(
  records: number,
  per: TokensPerRecord,
  model: string,
  prices?: Readonly<Record<string, ModelPrice>>,
): BackfillEstimate {
  const promptTokens = per.prompt * records;
  const completionTokens = per.completion * records;
  const price = priceOf(model, prices);
  return {
    records,
    promptTokens,
    completionTokens,
    costMicros: price.known ? costMicrosOf({ promptTokens, completionTokens }, price) : undefined,
    source: per.source,
  };
}
