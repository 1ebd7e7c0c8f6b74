/**
 * Refreshes one connection's access token and stores it as a new secret version. Run only by the refresher
 * (scheduled, or invoked by a worker that saw INVALID_TOKEN); never by workers themselves.
 *
 * Guarantees:
 * - no refresh when the stored token already differs from the one a caller saw refused (someone refreshed);
 * - at most `maxRefreshes` attempts per `windowMs` per refresh token (Zoho allows 10 per 10 minutes), counted
 *   in the secret itself so every process sees the same count;
 * - Zoho's throttle answer blocks further attempts for its 10-minute window;
 * - a rejected refresh token (invalid_code) or client marks the connection broken and raises an alarm metric;
 *   nothing calls the token endpoint for a broken connection again until `auth` repairs it;
 * - a token endpoint 5xx or timeout is a passing fault: rethrown as retryable (UpstreamUnavailableError /
 *   UpstreamTimeoutError), never "broken", and the attempt still counts in the guard (Zoho may have served it).
 */

import { parseConnection, serializeConnection, type ZohoConnection } from "../domain/zoho-connection.js";
import { RefreshThrottledError, UpstreamTimeoutError, UpstreamUnavailableError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import { registerSecret } from "../observability/redact.js";
import type { Clock } from "../ports/clock.js";
import type { Metrics } from "../ports/metrics.js";
import type { RefreshOutcome, RefreshRequest } from "../ports/refresh-coordinator.js";
import type { SecretStore } from "../ports/secret-store.js";
import { type ZohoOAuth, ZohoOAuthError } from "../ports/zoho-oauth.js";

export interface RefreshGuard {
  /** Attempts allowed per window; kept below Zoho's 10 to leave room for a person using the same token. @default 8 */
  maxRefreshes: number;
  /** @default 600_000 */
  windowMs: number;
}

export interface RefreshConnectionDeps {
  secrets: SecretStore;
  oauth: ZohoOAuth;
  clock: Clock;
  metrics: Metrics;
  logger: AppLogger;
  guard?: Partial<RefreshGuard>;
}

export type { RefreshRequest } from "../ports/refresh-coordinator.js";
export { outcomeError } from "../ports/refresh-coordinator.js";

const BROKEN_CODES = new Set(["invalid_code", "invalid_client", "invalid_client_secret"]);

export function makeRefreshConnection(deps: RefreshConnectionDeps) {
  const guard: RefreshGuard = { maxRefreshes: 8, windowMs: 600_000, ...deps.guard };

  return async function refreshConnection(request: RefreshRequest): Promise<RefreshOutcome> {
    const { value } = await deps.secrets.get(request.secretName, { fresh: true });
    const conn = parseConnection(value, request.secretName);
    registerSecret(conn.clientSecret);
    registerSecret(conn.refreshToken);
    registerSecret(conn.accessToken ?? undefined);
    const now = deps.clock.now();
    const log = { connection: conn.name };

    if (conn.status === "broken") return { outcome: "broken", reason: conn.brokenReason ?? "broken" };

    const valid =
      conn.accessToken !== null && conn.accessTokenExpiresAt !== null && conn.accessTokenExpiresAt > now;
    if (request.staleToken !== undefined) {
      if (valid && conn.accessToken !== request.staleToken)
        return { outcome: "fresh", expiresAt: conn.accessTokenExpiresAt };
    } else if (valid && (conn.accessTokenExpiresAt ?? 0) - now > (request.minRemainingMs ?? 0)) {
      return { outcome: "fresh", expiresAt: conn.accessTokenExpiresAt };
    }

    if (conn.throttledUntil !== null && conn.throttledUntil > now) {
      return { outcome: "throttled", retryAfterMs: conn.throttledUntil - now };
    }
    const recent = conn.refreshLog.filter((t) => t > now - guard.windowMs);
    if (recent.length >= guard.maxRefreshes) {
      const retryAfterMs = (recent[0] ?? now) + guard.windowMs - now;
      deps.metrics.count("RefreshGuardBlocked", 1, { connection: conn.name });
      deps.logger.warn("refresh guard blocked a token refresh", {
        ...log,
        attempts: recent.length,
        retryAfterMs,
      });
      return { outcome: "throttled", retryAfterMs };
    }
    const refreshLog = [...recent, now];

    const store = async (next: ZohoConnection) => {
      await deps.secrets.put(
        request.secretName,
        serializeConnection({ ...next, updatedAt: new Date(deps.clock.now()).toISOString() }),
      );
    };

    try {
      const grant = await deps.oauth.refresh({
        accountsServer: conn.accountsServer,
        clientId: conn.clientId,
        clientSecret: conn.clientSecret,
        refreshToken: conn.refreshToken,
      });
      const expiresAt = now + grant.expiresInMs;
      await store({
        ...conn,
        accessToken: grant.accessToken,
        accessTokenExpiresAt: expiresAt,
        apiDomain: grant.apiDomain,
        refreshLog,
        throttledUntil: null,
      });
      deps.metrics.count("TokenRefreshed", 1, { connection: conn.name });
      deps.logger.info("zoho access token refreshed", {
        ...log,
        expiresAt: new Date(expiresAt).toISOString(),
        attemptsInWindow: refreshLog.length,
      });
      return { outcome: "refreshed", expiresAt };
    } catch (error) {
      if (error instanceof RefreshThrottledError) {
        const retryAfterMs = error.retryAfterMs ?? guard.windowMs;
        await store({ ...conn, refreshLog, throttledUntil: now + retryAfterMs });
        deps.metrics.count("RefreshThrottled", 1, { connection: conn.name });
        deps.logger.warn("zoho throttled the token refresh; backing off", { ...log, retryAfterMs });
        return { outcome: "throttled", retryAfterMs };
      }
      if (error instanceof ZohoOAuthError && BROKEN_CODES.has(error.code ?? "")) {
        const reason = `refresh rejected by Zoho (${error.code})`;
        await store({
          ...conn,
          refreshLog,
          status: "broken",
          brokenReason: reason,
          accessToken: null,
          accessTokenExpiresAt: null,
        });
        deps.metrics.count("ConnectionBroken", 1, { connection: conn.name });
        deps.logger.error("zoho connection is broken; run the auth command", { ...log, reason });
        return { outcome: "broken", reason };
      }
      deps.metrics.count("RefreshFailed", 1, { connection: conn.name });
      deps.logger.error("zoho token refresh failed", { ...log, error });
      if (error instanceof UpstreamUnavailableError || error instanceof UpstreamTimeoutError)
        // A timed-out or failed request may still have been served (and counted) by Zoho: count it too.
        await store({ ...conn, refreshLog }).catch((e) =>
          deps.logger.warn("could not record a failed refresh attempt", { ...log, error: e }),
        );
      throw error;
    }
  };
}
