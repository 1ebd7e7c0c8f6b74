import { describe, expect, it } from "vitest";
import { waitDelay } from "../../../../shared/domain/waiting.js";
import {
  ConnectionBrokenError,
  MappingIncompleteError,
  RefreshThrottledError,
  WorkMustWaitError,
} from "../../../../shared/errors.js";

const config = { maxDeferrals: 96, waitRecheckMs: 20_000 };

describe("waiting", () => {
  it("re-checks a broken connection and a missing required field shortly, not after 15 minutes", () => {
    expect(waitDelay(new ConnectionBrokenError("default", "revoked"), 0, config)).toBe(20_000);
    expect(waitDelay(new MappingIncompleteError("lead-enrichment", "default", ["x"]), 3, config)).toBe(
      20_000,
    );
  });

  it("waits for a budget as long as the budget says, at most 15 minutes", () => {
    expect(waitDelay(new WorkMustWaitError("budget", { retryAfterMs: 3_600_000 }), 0, config)).toBe(900_000);
    expect(waitDelay(new RefreshThrottledError("throttled", { retryAfterMs: 5_000 }), 0, config)).toBe(5_000);
    expect(waitDelay(new WorkMustWaitError("budget"), 0, config)).toBe(60_000);
  });

  it("gives both kinds of wait the same total before the dead-letter queue (96 x 15 minutes)", () => {
    const broken = new ConnectionBrokenError("default", "revoked");
    const rechecks = 96 * 45;

    expect(waitDelay(broken, rechecks - 1, config)).toBe(20_000);
    expect(waitDelay(broken, rechecks, config)).toBeUndefined();
    expect(waitDelay(new WorkMustWaitError("budget"), 95, config)).toBe(60_000);
    expect(waitDelay(new WorkMustWaitError("budget"), 96, config)).toBeUndefined();
  });
});
