/**
 * A backfill's cost estimate before anything is sent: records x tokens per record x the model's price. Prices are per
 * 1M tokens; the default table is replaced by the ops package's after the merge (CONTRACTS-13 §4), and a stage's
 * `prices` override it either way.
 */

export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  prompt: number;
  /** USD per 1M completion tokens. */
  completion: number;
}

/** List prices (USD per 1M tokens) of the models the README names; a model not listed gets no cost, only tokens. */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o-mini": { prompt: 0.15, completion: 0.6 },
  "gpt-4o": { prompt: 2.5, completion: 10 },
  "gpt-4.1-mini": { prompt: 0.4, completion: 1.6 },
  "gpt-4.1": { prompt: 2, completion: 8 },
};

/**
 * Tokens one record costs, per use case: the prompt (instructions, schema, the record's fields) and the structured
 * answer. Measured on the sandbox's leads; a use case not listed gets the generic figure.
 */
export const TOKENS_PER_RECORD: Readonly<Record<string, { prompt: number; completion: number }>> = {
  "lead-enrichment": { prompt: 1_200, completion: 250 },
};
const GENERIC_TOKENS = { prompt: 1_500, completion: 300 };

export interface BackfillEstimate {
  records: number;
  promptTokens: number;
  completionTokens: number;
  /** USD; undefined when the model has no price. */
  cost: number | undefined;
}

export function estimateBackfill(
  useCase: string,
  records: number,
  model: string,
  prices: Readonly<Record<string, ModelPrice>> = DEFAULT_MODEL_PRICES,
): BackfillEstimate {
  const per = TOKENS_PER_RECORD[useCase] ?? GENERIC_TOKENS;
  const promptTokens = per.prompt * records;
  const completionTokens = per.completion * records;
  const price = prices[model];
  const cost = price
    ? (promptTokens * price.prompt + completionTokens * price.completion) / 1_000_000
    : undefined;
  return { records, promptTokens, completionTokens, cost };
}
