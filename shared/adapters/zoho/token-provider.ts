/**
 * Gives a process the current access token of one connection.
 *
 * - The token is kept in memory until `skewMs` before it expires; the secret is read again only then.
 * - A refused token (`invalidate`) triggers one coordinated refresh: single-flight inside the process (every
 *   caller holding the same stale token awaits the same request), and across processes through the
 *   RefreshCoordinator (the refresher Lambda, which refreshes only if the stored token is still the stale one).
 * - A broken connection fails fast with ConnectionBrokenError and never touches Zoho's token endpoint.
 */
import { parseConnection, type ZohoConnection } from "../../domain/zoho-connection.js";
import { ConnectionBrokenError, UpstreamAuthError } from "../../errors.js";
import { registerSecret } from "../../observability/redact.js";
import type { Clock } from "../../ports/clock.js";
import { systemClock } from "../../ports/clock.js";
import { outcomeError, type RefreshCoordinator } from "../../ports/refresh-coordinator.js";
import type { SecretStore } from "../../ports/secret-store.js";

export interface AccessTokenInfo {
  token: string;
  connection: ZohoConnection;
}

export interface TokenProviderOptions {
  secretName: string;
  secrets: SecretStore;
  coordinator: RefreshCoordinator;
  clock?: Clock;
  /** Treat the token as expired this long before Zoho would (the SDK uses 5 s; we leave more room). @default 60_000 */
  skewMs?: number;
}

export class TokenProvider {
  private current: (AccessTokenInfo & { expiresAt: number }) | undefined;
  private readonly inflight = new Map<string, Promise<ZohoConnection>>();
  private readonly clock: Clock;
  private readonly skewMs: number;

  constructor(private readonly options: TokenProviderOptions) {
    this.clock = options.clock ?? systemClock;
    this.skewMs = options.skewMs ?? 60_000;
  }

  /** The connection's current token, refreshing through the coordinator only when none is usable. */
  async get(): Promise<AccessTokenInfo> {
    const now = this.clock.now();
    if (this.current && this.current.expiresAt - this.skewMs > now) return this.current;
    let conn = await this.read();
    // A second round only when the token we were handed expired while we waited for it.
    for (let round = 0; !this.usable(conn); round++) {
      const stale = conn.accessToken;
      if (round === 2) break;
      conn = await this.refresh(stale);
      if (!this.usable(conn) && conn.accessToken === stale) break;
    }
    if (!this.usable(conn))
      throw new UpstreamAuthError(
        "zoho-accounts",
        `no usable Zoho access token for "${conn.name}" after a refresh`,
      );
    return this.remember(conn);
  }

  /** Reports that Zoho refused `token`; resolves when a refresh for it has been done (by anyone). */
  async invalidate(token: string): Promise<void> {
    // A caller whose refused request started before this process picked up a newer token needs no refresh.
    if (this.current && this.current.token !== token) return;
    this.current = undefined;
    await this.refresh(token);
  }

  private usable(conn: ZohoConnection): boolean {
    return (
      conn.accessToken !== null &&
      conn.accessTokenExpiresAt !== null &&
      conn.accessTokenExpiresAt - this.skewMs > this.clock.now()
    );
  }

  private async read(): Promise<ZohoConnection> {
    const { value } = await this.options.secrets.get(this.options.secretName, { fresh: true });
    const conn = parseConnection(value, this.options.secretName);
    if (conn.status === "broken") throw new ConnectionBrokenError(conn.name, conn.brokenReason ?? "broken");
    registerSecret(conn.accessToken ?? undefined);
    return conn;
  }

  private remember(conn: ZohoConnection): AccessTokenInfo {
    this.current = {
      token: conn.accessToken as string,
      connection: conn,
      expiresAt: conn.accessTokenExpiresAt as number,
    };
    return this.current;
  }

  /** One refresh per stale token in this process; every waiter gets the connection read once after it. */
  private refresh(stale: string | null): Promise<ZohoConnection> {
    const key = stale ?? "(none)";
    const running = this.inflight.get(key);
    if (running) return running;
    const work = (async () => {
      const outcome = await this.options.coordinator.requestRefresh(this.options.secretName, stale);
      const error = outcomeError(this.options.secretName, outcome);
      if (error) throw error;
      const conn = await this.read();
      if (this.usable(conn)) this.remember(conn);
      return conn;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, work);
    return work;
  }
}
