/**
 * How long a unit waits before it is looked at again, and for how long it may keep waiting.
 *
 * Two kinds of wait: a budget (the day's tokens, Zoho's credits, a refresh throttle) ends on its own, so the unit
 * comes back when the budget says (at most 15 minutes); a repair (a broken connection until `auth` stores a new
 * token, a missing required field until the admin creates it) ends when a person acts, so the unit is re-checked
 * every `waitRecheckMs` and is written within a minute of the repair. A re-check reads the connection secret or
 * the org's field metadata, never Zoho's token endpoint. Both kinds may wait as long in total: `maxDeferrals`
 * waits of 15 minutes (24 hours by default) before the unit goes to the dead-letter queue with its reason.
 */

import { type AppError, ConnectionBrokenError, MappingIncompleteError } from "../errors.js";
import { MAX_QUEUE_DELAY_MS } from "./queue-limits.js";

/** Default re-check interval of a wait for a repair. */
export const DEFAULT_WAIT_RECHECK_MS = 20_000;
/** The longest single wait. */
const MAX_WAIT_MS = MAX_QUEUE_DELAY_MS;

/** Waits that end when a person repairs something. */
export const waitsForRepair = (error: unknown): boolean =>
  error instanceof ConnectionBrokenError || error instanceof MappingIncompleteError;

/**
 * The delay before the unit is looked at again, or undefined when it has waited long enough (then it is
 * dead-lettered with the reason).
 */
export function waitDelay(
  error: AppError,
  deferrals: number,
  config: { maxDeferrals: number; waitRecheckMs?: number },
): number | undefined {
  if (waitsForRepair(error)) {
    const recheck = Math.min(config.waitRecheckMs ?? DEFAULT_WAIT_RECHECK_MS, MAX_WAIT_MS);
    // Short re-checks use up the same total wait as long ones.
    return deferrals < config.maxDeferrals * Math.ceil(MAX_WAIT_MS / recheck) ? recheck : undefined;
  }
  return deferrals < config.maxDeferrals ? Math.min(MAX_WAIT_MS, error.retryAfterMs ?? 60_000) : undefined;
}
