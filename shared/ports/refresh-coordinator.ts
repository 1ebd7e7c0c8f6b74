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
