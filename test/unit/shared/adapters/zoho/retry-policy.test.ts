import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY_POLICY } from "../../../../../shared/adapters/zoho/retry-policy.js";

describe("backoff", () => {
  it("stays between half and all of the capped exponential ceiling", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt,
          );
          const ms = backoffMs(DEFAULT_RETRY_POLICY, attempt, () => r);
          expect(ms).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(ms).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
