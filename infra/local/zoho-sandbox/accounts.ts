/**
 * Zoho Accounts OAuth 2.0 as the sandbox serves it (fact sheet §1 and checklist items 1-8):
 * grant codes (single use, 120 s), code and refresh exchanges, the 10-per-10-minutes refresh throttle,
 * eviction of the oldest access token beyond N, the 20-refresh-tokens-per-user cap, revoke, and multi-DC.
 * Errors answer HTTP 200 with an `error` key and no `access_token`, as the real endpoint does.
 */
import { randomBytes } from "node:crypto";
import type { DataCentre } from "./config.js";
import { json, type Reply, type SandboxContext } from "./state.js";

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  dc: DataCentre;
  userId: string;
}

interface GrantCode {
  clientId: string;
  scopes: string[];
  userId: string;
  expiresAt: number;
  used: boolean;
  redirectUri?: string;
}

export interface RefreshToken {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  dc: DataCentre;
  createdAt: number;
  revoked: boolean;
  /** Times of successful refreshes, for the rolling throttle window. */
  refreshTimes: number[];
}

export interface AccessToken {
  token: string;
  refreshToken: string;
  clientId: string;
  userId: string;
  scopes: string[];
  dc: DataCentre;
  expiresAt: number;
  /** Why the token no longer works, if it doesn't. */
  dead?: "revoked" | "evicted" | "expired-by-control";
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

export class Accounts {
  readonly clients = new Map<string, OAuthClient>();
  readonly codes = new Map<string, GrantCode>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly accessTokens = new Map<string, AccessToken>();

  constructor(private readonly ctx: SandboxContext) {}

  accountsUrl(dc: DataCentre): string {
    return `${this.ctx.baseUrl}/accounts/${dc}`;
  }
  apiDomain(dc: DataCentre): string {
    return `${this.ctx.baseUrl}/api/${dc}`;
  }
  deskUrl(dc: DataCentre): string {
    return `${this.ctx.baseUrl}/desk/${dc}`;
  }

  /** Registers an API-console client (what a developer does at api-console.zoho.com). */
  registerClient(dc: DataCentre, userId: string, clientId?: string): OAuthClient {
    const client: OAuthClient = {
      clientId: clientId ?? `1000.${hex(15).toUpperCase()}`,
      clientSecret: hex(21),
      dc,
      userId,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  /** Issues a self-client grant code, as the API console's "Generate Code" does. */
  issueGrantCode(clientId: string, scopes: string[], ttlSeconds?: number, redirectUri?: string): string {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    const code = `1000.${hex(16)}.${hex(16)}`;
    this.codes.set(code, {
      clientId,
      scopes,
      userId: client.userId,
      expiresAt: this.ctx.clock.now() + (ttlSeconds ?? this.ctx.options.grantCodeTtlSeconds) * 1000,
      used: false,
      ...(redirectUri ? { redirectUri } : {}),
    });
    return code;
  }

  /** `GET /oauth/v2/auth`: consents on behalf of the demo user and redirects with `code`, `location`, `accounts-server`. */
  authorize(dc: DataCentre, query: Record<string, string>): Reply {
    const client = query.client_id ? this.clients.get(query.client_id) : undefined;
    if (!client || client.dc !== dc) return json(400, { error: "invalid_client" });
    if (query.response_type !== "code" || !query.redirect_uri) return json(400, { error: "invalid_request" });
    const scopes = (query.scope ?? "").split(/[,\s]+/).filter(Boolean);
    const code = this.issueGrantCode(client.clientId, scopes, undefined, query.redirect_uri);
    const target = new URL(query.redirect_uri);
    target.searchParams.set("code", code);
    target.searchParams.set("location", dc);
    target.searchParams.set("accounts-server", this.accountsUrl(dc));
    if (query.state) target.searchParams.set("state", query.state);
    return { status: 302, headers: { location: target.toString() } };
  }

  /** `POST /oauth/v2/token` on the accounts server of `dc`. */
  token(dc: DataCentre, params: Record<string, string>): Reply {
    const client = params.client_id ? this.clients.get(params.client_id) : undefined;
    // A client registered in another DC is unknown here (fact sheet §1.7: invalid_client for the wrong DC).
    if (!client || client.dc !== dc) return json(200, { error: "invalid_client" });
    if (params.client_secret !== client.clientSecret) return json(200, { error: "invalid_client_secret" });
    switch (params.grant_type) {
      case "authorization_code":
        return this.exchangeCode(client, params);
      case "refresh_token":
        return this.refresh(client, params);
      default:
        return json(200, { error: "unsupported_grant_type" });
    }
  }

  private exchangeCode(client: OAuthClient, params: Record<string, string>): Reply {
    const code = params.code ? this.codes.get(params.code) : undefined;
    const now = this.ctx.clock.now();
    if (!code || code.used || code.expiresAt <= now || code.clientId !== client.clientId) {
      return json(200, { error: "invalid_code" });
    }
    if (code.redirectUri && params.redirect_uri !== code.redirectUri)
      return json(200, { error: "invalid_redirect_uri" });
    code.used = true;
    const refresh = this.mintRefreshToken(client, code.scopes);
    const access = this.mintAccessToken(refresh);
    return json(200, { ...this.tokenBody(access), refresh_token: refresh.token });
  }

  private refresh(client: OAuthClient, params: Record<string, string>): Reply {
    const rt = params.refresh_token ? this.refreshTokens.get(params.refresh_token) : undefined;
    // A revoked (or unknown) refresh token answers invalid_code, as the fact sheet records.
    if (!rt || rt.revoked || rt.clientId !== client.clientId) return json(200, { error: "invalid_code" });
    const now = this.ctx.clock.now();
    const windowStart = now - this.ctx.options.refreshWindowSeconds * 1000;
    rt.refreshTimes = rt.refreshTimes.filter((t) => t > windowStart);
    if (rt.refreshTimes.length >= this.ctx.options.refreshLimit) {
      this.ctx.inspector.counts.throttled_refreshes += 1;
      return json(this.ctx.options.refreshThrottleStatus, {
        error_description: "You have made too many requests continuously. Please try again after some time.",
        error: "Access Denied",
        status: "failure",
      });
    }
    rt.refreshTimes.push(now);
    this.ctx.inspector.counts.refreshes += 1;
    return json(200, this.tokenBody(this.mintAccessToken(rt)));
  }

  private tokenBody(access: AccessToken) {
    return {
      access_token: access.token,
      scope: access.scopes.join(" "),
      api_domain: this.apiDomain(access.dc),
      token_type: "Bearer",
      expires_in: this.ctx.options.accessTokenTtlSeconds,
    };
  }

  private mintRefreshToken(client: OAuthClient, scopes: string[]): RefreshToken {
    const mine = [...this.refreshTokens.values()]
      .filter((t) => t.userId === client.userId && !t.revoked)
      .sort((a, b) => a.createdAt - b.createdAt);
    // The 21st refresh token for a user deletes the oldest (and every access token minted from it).
    while (mine.length >= this.ctx.options.maxRefreshTokensPerUser) {
      const oldest = mine.shift();
      if (oldest) this.revokeRefreshToken(oldest.token);
    }
    const token: RefreshToken = {
      token: `1000.${hex(16)}.${hex(16)}`,
      clientId: client.clientId,
      userId: client.userId,
      scopes,
      dc: client.dc,
      createdAt: this.ctx.clock.now(),
      revoked: false,
      refreshTimes: [],
    };
    this.refreshTokens.set(token.token, token);
    this.ctx.inspector.tokens.refresh_minted += 1;
    return token;
  }

  private mintAccessToken(rt: RefreshToken): AccessToken {
    const now = this.ctx.clock.now();
    const active = [...this.accessTokens.values()]
      .filter((t) => t.refreshToken === rt.token && !t.dead && t.expiresAt > now)
      .sort((a, b) => a.expiresAt - b.expiresAt);
    // Beyond N active tokens the oldest is silently invalidated; it then fails at the API with INVALID_TOKEN.
    while (active.length >= this.ctx.options.maxActiveAccessTokens) {
      const oldest = active.shift();
      if (oldest) oldest.dead = "evicted";
    }
    const token: AccessToken = {
      token: `1000.${hex(16)}.${hex(16)}`,
      refreshToken: rt.token,
      clientId: rt.clientId,
      userId: rt.userId,
      scopes: rt.scopes,
      dc: rt.dc,
      expiresAt: now + this.ctx.options.accessTokenTtlSeconds * 1000,
    };
    this.accessTokens.set(token.token, token);
    this.ctx.inspector.tokens.access_minted += 1;
    return token;
  }

  /** `POST /oauth/v2/token/revoke?token=`: kills the refresh token and every access token minted from it. */
  revoke(params: Record<string, string>): Reply {
    if (params.token) this.revokeRefreshToken(params.token);
    return json(200, { status: "success" });
  }

  revokeRefreshToken(token: string): void {
    const rt = this.refreshTokens.get(token);
    if (rt) {
      rt.revoked = true;
      for (const at of this.accessTokens.values()) if (at.refreshToken === token) at.dead = "revoked";
      return;
    }
    const at = this.accessTokens.get(token);
    if (at) at.dead = "revoked";
  }

  /** Fault control: every access token issued so far stops working. */
  expireAll(): number {
    let n = 0;
    for (const at of this.accessTokens.values()) {
      if (!at.dead) {
        at.dead = "expired-by-control";
        n += 1;
      }
    }
    return n;
  }

  /** Looks up a live access token for an API call on `dc`; `undefined` means INVALID_TOKEN. */
  validate(token: string, dc: DataCentre): AccessToken | undefined {
    const at = this.accessTokens.get(token);
    if (!at || at.dead || at.dc !== dc || at.expiresAt <= this.ctx.clock.now()) return undefined;
    return at;
  }
}

/**
 * Scope check. Granted scopes look like `ZohoCRM.modules.ALL`, `ZohoCRM.modules.leads.READ`,
 * `ZohoCRM.settings.fields.READ`, `Desk.tickets.UPDATE`. `required` lists acceptable alternatives, each as
 * `service.group[.resource].OP`; `ALL` covers every operation and `WRITE` covers CREATE, UPDATE and DELETE.
 */
export function hasScope(granted: string[], required: string[]): boolean {
  const norm = granted.map((s) => s.toLowerCase().split("."));
  return required.some((want) => {
    const parts = want.toLowerCase().split(".");
    const op = parts.pop() ?? "";
    const path = parts;
    return norm.some((g) => {
      const gOp = g[g.length - 1] ?? "";
      const gPath = g.slice(0, -1);
      // A grant on a prefix (ZohoCRM.modules.ALL) covers every resource below it (ZohoCRM.modules.leads.*).
      if (gPath.length > path.length || gPath.some((p, i) => p !== path[i])) return false;
      if (gPath.length < path.length && gOp !== "all") return false;
      return gOp === "all" || gOp === op || (gOp === "write" && ["create", "update", "delete"].includes(op));
    });
  });
}
