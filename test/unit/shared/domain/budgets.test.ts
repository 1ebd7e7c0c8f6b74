import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../../shared/domain/backoff.js";
import { creditsLow, tokenBudgetWaitMs, untilNextUtcDay, utcDay } from "../../../../shared/domain/budgets.js";
import { MAX_QUEUE_DELAY_MS } from "../../../../shared/domain/queue-limits.js";
import { recordKeyOf } from "../../../../shared/domain/write-cap.js";

describe("backoff", () => {
  it("doubles per receive from the base, honours a longer retry-after, and never exceeds SQS's longest delay", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 5_000))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffDelay(1, 5_000, 30_000)).toBe(30_000);
    expect(backoffDelay(3, 5_000, 1_000)).toBe(20_000);
    expect(backoffDelay(20, 5_000)).toBe(MAX_QUEUE_DELAY_MS);
    expect(backoffDelay(1, 5_000, 60 * 60_000)).toBe(MAX_QUEUE_DELAY_MS);
  });
});

describe("budgets", () => {
  const at = (iso: string) => Date.parse(iso);

  it("the token budget waits until the UTC day turns, at most one queue delay at a time", () => {
    expect(utcDay(at("2026-11-30T23:59:59Z"))).toBe("2026-11-30");
    expect(untilNextUtcDay(at("2026-11-30T23:55:00Z"))).toBe(5 * 60_000);
    expect(tokenBudgetWaitMs(at("2026-11-30T23:55:00Z"))).toBe(5 * 60_000);
    expect(tokenBudgetWaitMs(at("2026-11-30T10:00:00Z"))).toBe(MAX_QUEUE_DELAY_MS);
  });

  it("credits are low below the low-water mark; unknown credits (before the first call) are not", () => {
    expect(creditsLow(499, 500)).toBe(true);
    expect(creditsLow(500, 500)).toBe(false);
    expect(creditsLow(undefined, 500)).toBe(false);
  });

  it("the write cap counts per connection and record, CRM module or Desk ticket", () => {
    expect(recordKeyOf("default", { service: "crm", module: "Leads", id: "1" })).toBe("default#Leads#1");
    expect(recordKeyOf("eu", { service: "desk", ticketId: "7" })).toBe("eu#tickets#7");
  });
});
