/**
 * The budget rules checked before a unit may load context or cost a model call: Zoho's daily API credits and the
 * use case's daily token budget. Both end on their own, so a unit over either waits (it is not a failure).
 */
import { MAX_QUEUE_DELAY_MS } from "./queue-limits.js";

/** The UTC day of an epoch-ms instant, as the ledger keys it (`YYYY-MM-DD`). */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Milliseconds until the next UTC midnight, when a spent daily budget starts over. */
export const untilNextUtcDay = (now: number): number =>
  Date.parse(`${utcDay(now + 86_400_000)}T00:00:00Z`) - now;

/** Zoho's credits are low: below the low-water mark (unknown before the first call, which is not low). */
export const creditsLow = (remaining: number | undefined, lowWater: number): boolean =>
  remaining !== undefined && remaining < lowWater;

/** How long work waits for a spent token budget: until the day turns, at most one queue delay at a time. */
export const tokenBudgetWaitMs = (now: number): number => Math.min(untilNextUtcDay(now), MAX_QUEUE_DELAY_MS);

/** How long work waits for low Zoho credits: one whole queue delay (credits come back slowly). */
export const CREDITS_WAIT_MS = MAX_QUEUE_DELAY_MS;
