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

/**
 * Checks a freshly minted access token before it is stored (the `auth` command): no connection, token provider or
 * retry exists yet, so each answer is reported as it came.
 */
export interface ZohoTokenCheck {
  /** One cheap CRM call (`settings/modules`) with the token: Zoho's status and code. */
  crm(apiDomain: string, accessToken: string): Promise<{ status: number; code?: string }>;
  /** Desk `organizations` with the token: Desk's status and error code, and the org ids when it answered. */
  deskOrganizations(
    deskBase: string,
    accessToken: string,
  ): Promise<{ status: number; code?: string; ids: string[] }>;
  /** Books `GET /organizations` with the token: Books' status and code, and the organization ids it answered. */
  booksOrganizations(
    apiDomain: string,
    accessToken: string,
  ): Promise<{ status: number; code?: string; ids: string[] }>;
}
