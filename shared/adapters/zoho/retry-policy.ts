/**
 * The Zoho client's retry policy, in one place. Inside a Lambda only short waits are worth it; beyond that the
 * error goes back to SQS, whose redelivery (with visibility backoff) is the outer retry loop.
 *
 * | answer                      | retry here?                                   | then                         |
 * |-----------------------------|-----------------------------------------------|------------------------------|
 * | 401 INVALID_TOKEN/INVALID_OAUTH | once, after one coordinated token refresh  | UpstreamAuthError (retryable)|
 * | 401 AUTHENTICATION_FAILURE  | no (header or token malformed: our bug)       | UpstreamAuthError            |
 * | OAUTH_SCOPE_MISMATCH        | no (configuration)                            | UpstreamScopeError (alarm)   |
 * | daily limit (Creator 4000, Books 45) | no (no call succeeds until the day's calls return) | WorkMustWaitError: deferred on the queue, not dead-lettered |
 * | 429 TOO_MANY_REQUESTS       | yes, `rateLimitRetries` times with jittered exponential backoff: Zoho sends no Retry-After and a 429 means nothing was done, so writes may repeat too | UpstreamRateLimitError |
 * | 5xx                         | reads only, `serverErrorRetries` times (a write may have happened) | UpstreamUnavailableError |
 * | timeout / network           | reads only, same budget as 5xx               | UpstreamTimeoutError / UpstreamUnavailableError |
 * | 404, or 4xx with a code     | no                                            | NotFoundError / UpstreamRejectedError |
 *
 * Creator and Books put their meaning in a numeric body code; creator-answers.ts and books-answers.ts map each code
 * onto a row above: Creator 1030 is the INVALID_TOKEN row, 2945/1130/403 the scope row, the daily limit (HTTP 200,
 * code 4000) the daily-limit row and 2955 the 429 row; Books 45 the daily-limit row, 44/1070 the 429 row, 401 (code 57) the AUTHENTICATION_FAILURE row (no
 * refresh), a wrong organization (6041, "organization_id") the scope row.
 */
import { MAX_QUEUE_DELAY_MS } from "../../domain/queue-limits.js";

export interface RetryPolicy {
  /** @default 2 */
  rateLimitRetries: number;
  /** @default 1 */
  serverErrorRetries: number;
  /** First backoff; doubles each attempt, with full jitter. @default 500 */
  baseDelayMs: number;
  /** @default 4_000 */
  maxDelayMs: number;
  /** Suggested wait handed to SQS after the budget is spent on 429s. @default 30_000 */
  rateLimitRetryAfterMs: number;
  /** How long an event waits on the queue after a daily limit answer, per deferral. @default 900_000 (SQS's maximum) */
  dailyLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  rateLimitRetries: 2,
  serverErrorRetries: 1,
  baseDelayMs: 500,
  maxDelayMs: 4_000,
  rateLimitRetryAfterMs: 30_000,
  dailyLimitWaitMs: MAX_QUEUE_DELAY_MS,
};

/** Full-jitter exponential backoff for attempt n (0-based). */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
