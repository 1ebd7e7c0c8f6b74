import { describe, expect, it } from "vitest";
import { costMicrosOf, DEFAULT_MODEL_PRICES, priceOf } from "../../../../shared/domain/model-prices.js";

describe("the cost of a model call with cached prompt tokens", () => {
  it("charges cached prompt tokens at the cached-input price and the rest at the input price", () => {
    // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per 1M tokens.
    const price = priceOf("gpt-4o-mini");

    expect(
      costMicrosOf({ promptTokens: 1_500, completionTokens: 100, cachedPromptTokens: 1_408 }, price),
    ).toBe((92 * 150_000 + 1_408 * 75_000 + 100 * 600_000) / 1e6);
    expect(costMicrosOf({ promptTokens: 1_500, completionTokens: 100 }, price)).toBe(
      (1_500 * 150_000 + 100 * 600_000) / 1e6,
    );
  });

  it("charges cached tokens at the prompt price where the price has no cached rate, and never more than the prompt", () => {
    const configured = { prompt: 1_000_000, completion: 2_000_000 };

    expect(costMicrosOf({ promptTokens: 10, completionTokens: 0, cachedPromptTokens: 8 }, configured)).toBe(
      10,
    );
    expect(
      costMicrosOf({ promptTokens: 10, completionTokens: 0, cachedPromptTokens: 50 }, priceOf("gpt-4.1")),
    ).toBe(5);
  });

  it("prices every default model's cached input below its input", () => {
    for (const [model, price] of Object.entries(DEFAULT_MODEL_PRICES)) {
      expect(price.cachedPrompt, model).toBeGreaterThan(0);
      expect(price.cachedPrompt, model).toBeLessThan(price.prompt);
    }
  });
});
