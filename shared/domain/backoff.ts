/**
 * How long a failed unit stays away before its next attempt: exponential by receive count, or the upstream's own
 * `retry-after` when it asked for longer; never beyond SQS's longest delay.
 */
import { MAX_QUEUE_DELAY_MS } from "./queue-limits.js";

/** The delay before receive `receiveCount + 1`: `baseMs` doubled per earlier receive, at least `retryAfterMs`. */
export function backoffDelay(receiveCount: number, baseMs: number, retryAfterMs?: number): number {
  return Math.min(
    MAX_QUEUE_DELAY_MS,
    Math.max(retryAfterMs ?? 0, baseMs * 2 ** Math.max(0, receiveCount - 1)),
  );
}
