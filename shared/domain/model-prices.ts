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
  /** Per 1M prompt tokens served from the provider's prompt cache; absent: charged as `prompt`. */
  cachedPrompt?: number | undefined;
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
 *
 * Cached input (prompt tokens served from OpenAI's prompt cache, `prompt_tokens_details.cached_tokens`), checked
 * on the same date: half the input price for gpt-4o and gpt-4o-mini, a quarter for the gpt-4.1 family, o3 and
 * o4-mini, a tenth for the gpt-5 family — OpenAI's pricing page as read on 2026-11-05
 * (github.com/api-evangelist/posts, "OpenAI API Pricing: What Every Model Costs Per Million Tokens", 2026-11-06:
 * "a tenth of the normal input price on the newest models and a quarter to a half on older ones like GPT-4.1 and
 * GPT-4o Mini"), with the figures of github.com/github/docs data/tables/copilot/models-and-pricing.yml (GPT-4.1
 * $0.50, GPT-5 mini $0.025) and public rate cards (gpt-4o-mini $0.075, gpt-4o $1.25, gpt-4.1-mini $0.10, o4-mini
 * $0.275). A deployment's `prices` entry replaces the whole entry: without a cached price there, cached tokens
 * are charged at its prompt price (never under-counted).
 */
export const MODEL_PRICES_SOURCE =
  "OpenAI API list prices (standard tier, uncached input), via public trackers; see shared/domain/model-prices.ts";

const usd = (prompt: number, completion: number, cachedPrompt: number): ModelPrice => ({
  prompt: Math.round(prompt * 1_000_000),
  completion: Math.round(completion * 1_000_000),
  cachedPrompt: Math.round(cachedPrompt * 1_000_000),
});

/** The default table: model name -> micro-dollars per 1M tokens. */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  "gpt-4o-mini": usd(0.15, 0.6, 0.075),
  "gpt-4o": usd(2.5, 10, 1.25),
  "gpt-4.1": usd(2, 8, 0.5),
  "gpt-4.1-mini": usd(0.4, 1.6, 0.1),
  "gpt-4.1-nano": usd(0.1, 0.4, 0.025),
  o3: usd(2, 8, 0.5),
  "o4-mini": usd(1.1, 4.4, 0.275),
  "gpt-5": usd(1.25, 10, 0.125),
  "gpt-5-mini": usd(0.25, 2, 0.025),
  "gpt-5-nano": usd(0.05, 0.4, 0.005),
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

/**
 * Micro-dollars for `usage` at `price` (per 1M tokens): cached prompt tokens at the cached-input price (the prompt
 * price when the table has none), the rest of the prompt at the prompt price.
 */
export const costMicrosOf = (
  usage: { promptTokens: number; completionTokens: number; cachedPromptTokens?: number | undefined },
  price: ModelPrice,
): number => {
  const cached = Math.min(Math.max(0, usage.cachedPromptTokens ?? 0), usage.promptTokens);
  return (
    ((usage.promptTokens - cached) * price.prompt +
      cached * (price.cachedPrompt ?? price.prompt) +
      usage.completionTokens * price.completion) /
    1e6
  );
};

/** Micro-dollars as dollars for people: `$0.000123` below a cent, else two to four decimals. */
export const formatUsd = (micros: number): string => {
  const dollars = micros / 1_000_000;
  if (dollars === 0) return "$0.00";
  if (dollars < 0.01) return `$${dollars.toFixed(6)}`;
  return `$${dollars.toFixed(dollars < 10 ? 4 : 2)}`;
};
