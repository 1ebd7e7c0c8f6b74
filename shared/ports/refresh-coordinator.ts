import { ConnectionBrokenError, RefreshThrottledError } from "../errors.js";

/** What a coordinated refresh request ended with. */
export type RefreshOutcome =
  | { outcome: "refreshed"; expiresAt: number }
  | { outcome: "fresh"; expiresAt: number | null }
  | { outcome: "broken"; reason: string }
  | { outcome: "throttled"; retryAfterMs: number };

/**
 * Asks for one refresh of a connection's access token across every process. `staleToken` is the token a caller
 * saw refused (or null when it had none): if the stored token already differs, no refresh happens.
 * In AWS this invokes the refresher Lambda (reserved concurrency 1, so refreshes never overlap).
 */
export interface RefreshCoordinator {
  requestRefresh(connection: string, staleToken: string | null): Promise<RefreshOutcome>;
}

/** What the refresh use case is asked: run by the refresher Lambda, or in process by a coordinator. */
export interface RefreshRequest {
  /** Secret name of the connection. */
  secretName: string;
  /** The token a caller saw refused; refresh only if the stored one is still this. */
  staleToken?: string | null;
  /** Scheduled refresh: refresh only when the token has less than this left. */
  minRemainingMs?: number;
}

/** Turns a coordinator outcome into the error a caller raises, or nothing when a usable token should exist. */
export function outcomeError(connection: string, outcome: RefreshOutcome): Error | undefined {
  if (outcome.outcome === "broken") return new ConnectionBrokenError(connection, outcome.reason);
  if (outcome.outcome === "throttled")
    return new RefreshThrottledError(`token refresh for "${connection}" is throttled`, {
      retryAfterMs: outcome.retryAfterMs,
    });
  return undefined;
}
