/**
 * Zoho Accounts token endpoint (fact sheet §1.4-1.7). Zoho answers most errors with HTTP 200 and an `error` key,
 * so success is judged by the presence of `access_token`, not by a 2xx status. The status is still read first:
 * a 5xx (e.g. 500 `{"error":"server_error"}`) or a timeout is a passing fault of Zoho's, retryable, whatever the
 * body says; only a 2xx/4xx answer's `error` code can reject a grant or mark a connection broken.
 * Parameters travel in a form body.
 */
import * as z from "zod";
import {
  RefreshThrottledError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../errors.js";
import { registerSecret } from "../../observability/redact.js";
import {
  type TokenGrant,
  ZOHO_THROTTLE_WINDOW_MS,
  type ZohoOAuth,
  ZohoOAuthError,
} from "../../ports/zoho-oauth.js";

export type { TokenGrant } from "../../ports/zoho-oauth.js";
export { ZOHO_THROTTLE_WINDOW_MS, ZohoOAuthError } from "../../ports/zoho-oauth.js";

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  api_domain: z.url(),
  scope: z.string().optional(),
  expires_in: z.number().positive(),
  expires_in_sec: z.number().positive().optional(),
});
const ErrorResponseSchema = z.object({ error: z.string(), error_description: z.string().optional() });

const MESSAGES: Record<string, string> = {
  invalid_code:
    "Zoho rejected the grant or refresh token (invalid_code): a grant code expires about 2 minutes after it is generated and works once; a refresh token stops working when it is revoked",
  invalid_client:
    "Zoho does not know this client id at this accounts server (invalid_client): check the client id, or the data centre (use --dc, or the accounts-server value from Zoho's redirect)",
  invalid_client_secret:
    "Zoho rejected the client secret (invalid_client_secret): copy it again from the API console",
  invalid_redirect_uri:
    "The redirect URI does not match the one registered for this client (invalid_redirect_uri)",
  access_denied: "Zoho refused to issue a grant code (access_denied): too many grant codes in 10 minutes",
};

export interface ZohoOAuthClientOptions {
  fetch?: typeof fetch;
  /** @default 10_000 */
  timeoutMs?: number;
}

export class ZohoOAuthClient implements ZohoOAuth {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: ZohoOAuthClientOptions = {}) {
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Exchanges a (self-client) grant code for an access and a refresh token. */
  exchangeCode(input: Parameters<ZohoOAuth["exchangeCode"]>[0]): Promise<TokenGrant> {
    return this.call(input.accountsServer, {
      grant_type: "authorization_code",
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      ...(input.redirectUri ? { redirect_uri: input.redirectUri } : {}),
    });
  }

  /** Mints a new access token from a refresh token. The answer carries no refresh token. */
  refresh(input: {
    accountsServer: string;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
  }): Promise<TokenGrant> {
    return this.call(input.accountsServer, {
      grant_type: "refresh_token",
      client_id: input.clientId,
      client_secret: input.clientSecret,
      refresh_token: input.refreshToken,
    });
  }

  private async call(accountsServer: string, params: Record<string, string>): Promise<TokenGrant> {
    let res: Response;
    try {
      res = await this.fetchFn(`${accountsServer.replace(/\/+$/, "")}/oauth/v2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    // Status before body: a 5xx says nothing about the grant, even when it carries an `error` key.
    if (res.status >= 500) {
      await res.body?.cancel().catch(() => {});
      throw new UpstreamUnavailableError("zoho-accounts", `Zoho token endpoint answered ${res.status}`, {
        status: res.status,
      });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      // The timeout signal also covers reading the body; a body cut off midway is a passing fault too.
      throw this.unreachable(error);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamUnavailableError(
        "zoho-accounts",
        `Zoho token endpoint answered ${res.status} without JSON`,
        { status: res.status },
      );
    }
    const ok = TokenResponseSchema.safeParse(body);
    if (ok.success) {
      const t = ok.data;
      registerSecret(t.access_token);
      registerSecret(t.refresh_token);
      // Legacy answers carried expires_in in milliseconds next to expires_in_sec (the official SDK's rule).
      const expiresInMs = t.expires_in_sec !== undefined ? t.expires_in : t.expires_in * 1000;
      return {
        accessToken: t.access_token,
        ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
        apiDomain: t.api_domain,
        scopes: (t.scope ?? "").split(/[\s,]+/).filter(Boolean),
        expiresInMs,
      };
    }
    if (res.status === 429)
      throw new RefreshThrottledError("Zoho answered 429 to a token request; backing off", {
        retryAfterMs: ZOHO_THROTTLE_WINDOW_MS,
      });
    const err = ErrorResponseSchema.safeParse(body);
    if (err.success) {
      // The 10-per-10-minutes throttle: "Access Denied" with status failure (HTTP 400 or 200).
      if (err.data.error === "Access Denied") {
        throw new RefreshThrottledError(
          "Zoho throttled token requests (too many in 10 minutes); backing off",
          { retryAfterMs: ZOHO_THROTTLE_WINDOW_MS },
        );
      }
      throw new ZohoOAuthError(
        err.data.error,
        (Object.hasOwn(MESSAGES, err.data.error) ? MESSAGES[err.data.error] : undefined) ??
          `Zoho token endpoint answered error "${err.data.error}"`,
      );
    }
    throw new UpstreamRejectedError(
      "zoho-accounts",
      `Zoho token endpoint answered ${res.status} with an unexpected body`,
      undefined,
      undefined,
      { status: res.status },
    );
  }

  /** No (complete) answer: a timeout or a network failure, both retryable. */
  private unreachable(error: unknown): Error {
    const name = (error as Error | undefined)?.name;
    if (name === "TimeoutError" || name === "AbortError")
      return new UpstreamTimeoutError(
        "zoho-accounts",
        `Zoho token endpoint did not answer within ${this.timeoutMs} ms`,
        { cause: error },
      );
    return new UpstreamUnavailableError("zoho-accounts", "Zoho token endpoint could not be reached", {
      cause: error,
    });
  }
}
