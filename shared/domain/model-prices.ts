/**
 * What a model call costs: list prices per million tokens, in micro-dollars (1 USD = 1,000,000), so the worker's
 * cost figures are never 0 for a common model when the deployment configures no prices. A deployment's `prices`
 * (MODEL_PRICES) override or extend this table; a model in neither costs 0 and `priceOf` says it is unknown.
 *
 * Prices move: the table carries its date and sources, and README "Cost and usage" says how to override it.
 */

/** Micro-dollars per 1M prompt (input) and completion (output) tokens. */
export interface ModelPrice {
  prompt: number;
  completion: number;
}

/** When the table was last checked against its sources. */
export const MODEL_PRICES_AS_OF = "2026-11-30";

/**
 * Where the figures come from (standard tier, uncached input, no batch discount): OpenAI's pricing page
 * (https://developers.openai.com/api/docs/pricing, formerly https://openai.com/api/pricing/) as reported by
 * independent trackers checked on the date above — gpt-4.1 family verified 2026-05-07
 * (github.com/Sraleik/undetermini PRICING.md, cross-checked with pricepertoken.com), gpt-4o-mini
 * (openrouter.ai/openai/gpt-4o-mini-2024-07-18), gpt-4o (github.com/kunishou/GenerativeAI-Cost), o3/o4-mini
 * (RooCodeInc/Roo-Code model table; o3 at its June 2025 reduced price), gpt-5 family (OpenAI's August 2025 launch
 * prices). Check them before relying on a figure; override with the deploy config's `prices`.
 */
export const MODEL_PRICES_SOURCE =
  "OpenAI API list prices (standard tier, uncached input), via public trackers; see shared/domain/model-prices.ts";

const usd = (prompt: number, completion: number): ModelPrice => ({
  prompt: Math.round(prompt * 1_000_000),
  completion: Math.round(completion * 1_000_000),
});

/** The default table: model name -> micro-dollars per 1M tokens. */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  "gpt-4o-mini": usd(0.15, 0.6),
  "gpt-4o": usd(2.5, 10),
  "gpt-4.1": usd(2, 8),
  "gpt-4.1-mini": usd(0.4, 1.6),
  "gpt-4.1-nano": usd(0.1, 0.4),
  o3: usd(2, 8),
  "o4-mini": usd(1.1, 4.4),
  "gpt-5": usd(1.25, 10),
  "gpt-5-mini": usd(0.25, 2),
  "gpt-5-nano": usd(0.05, 0.4),
});

/** The default table with a deployment's prices over it (a configured model replaces the default's entry). */
export const mergePrices = (
  overrides: Readonly<Record<string, ModelPrice>> = {},
): Record<string, ModelPrice> => ({ ...DEFAULT_MODEL_PRICES, ...overrides });

/**
 * A model's price from `table`: its exact name, else its dated snapshot's family (`gpt-4o-mini-2024-07-18` ->
 * `gpt-4o-mini`, the longest listed prefix followed by `-`). Unknown models cost 0 with `known: false`.
 */
export function priceOf(
  model: string,
  table: Readonly<Record<string, ModelPrice>> = DEFAULT_MODEL_PRICES,
): ModelPrice & { known: boolean } {
  const exact = table[model];
  if (exact) return { ...exact, known: true };
  const family = Object.keys(table)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  const price = family ? table[family] : undefined;
  return price ? { ...price, known: true } : { prompt: 0, completion: 0, known: false };
}

/** Micro-dollars for `usage` at `price` (per 1M tokens). */
export const costMicrosOf = (
  usage: { promptTokens: number; completionTokens: number },
  price: ModelPrice,
): number => (usage.promptTokens * price.prompt + usage.completionTokens * price.completion) / 1e6;

/** Micro-dollars as dollars for people: `$0.000123` below a cent, else two to four decimals. */
export const formatUsd = (micros: number): string => {
  const dollars = micros / 1_000_000;
  if (dollars === 0) return "$0.00";
  if (dollars < 0.01) return `$${dollars.toFixed(6)}`;
  return `$${dollars.toFixed(dollars < 10 ? 4 : 2)}`;
};
