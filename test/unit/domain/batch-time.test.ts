import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { askCutoffMs, batchTime, minTimeoutSeconds } from "../../../shared/domain/batch-time.js";

describe("how long a worker batch can take", () => {
  it("stops starting model calls a call, its repair and 30 s before the timeout, never before half of it", () => {
    expect(askCutoffMs(300, 25_000)).toBe(220_000);
    expect(askCutoffMs(300, 100_000)).toBe(150_000);
  });

  it("is every call at the model timeout, or less when the ask cutoff ends the batch sooner", () => {
    const small = { batchSize: 20, modelConcurrency: 5, modelTimeoutSeconds: 25 };
    expect(batchTime(small)).toMatchObject({ seconds: 230, by: "calls" });
    expect(batchTime({ ...small, timeoutSeconds: 300 })).toMatchObject({ seconds: 230, by: "calls" });
    const big = { ...small, batchSize: 500 };
    expect(batchTime({ ...big, timeoutSeconds: 300 })).toEqual({
      seconds: 300,
      by: "cutoff",
      formula: "the ask cutoff at 220 s + 2 x 25 s + 30 s = 300 s",
    });
  });

  it("fits exactly the timeouts from minTimeoutSeconds up, whatever the batch", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 5, max: 300 }),
        fc.integer({ min: 15, max: 2_000 }),
        (batchSize, modelConcurrency, modelTimeoutSeconds, timeoutSeconds) => {
          const s = { batchSize, modelConcurrency, modelTimeoutSeconds };
          const fits = batchTime({ ...s, timeoutSeconds }).seconds <= timeoutSeconds;
          expect(fits).toBe(timeoutSeconds >= minTimeoutSeconds(s));
        },
      ),
    );
  });
});
