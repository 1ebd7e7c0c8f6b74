/**
 * Zoho Accounts' token endpoint as the connection use cases (`auth`, the refresher) see it: exchange a grant code,
 * refresh an access token. The adapter (`shared/adapters/zoho/oauth-client.ts`) owns the wire and its errors.
 */
import { UpstreamRejectedError } from "../errors.js";

export interface TokenGrant {
  accessToken: string;
  refreshToken?: string;
  apiDomain: string;
  scopes: string[];
  /** Lifetime in milliseconds. */
  expiresInMs: number;
}

/** Zoho's answer for a rejected grant: `code` is Zoho's `error` value (`invalid_code`, `invalid_client`, ...). */
export class ZohoOAuthError extends UpstreamRejectedError {
  constructor(code: string, message: string) {
    super("zoho-accounts", message, code, undefined, {});
  }
}

/** Zoho's throttle window for token requests (10 per 10 minutes per refresh token). */
export const ZOHO_THROTTLE_WINDOW_MS = 10 * 60_000;

export interface ZohoOAuth {
  /** Exchanges a (self-client) grant code for an access and a refresh token. */
  exchangeCode(input: {
    accountsServer: string;
    clientId: string;
    clientSecret: string;
    code: string;
    redirectUri?: string;
  }): Promise<TokenGrant>;
  /** Mints a new access token from a refresh token. The answer carries no refresh token. */
  refresh(input: {
    accountsServer: string;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
  }): Promise<TokenGrant>;
}
