/**
 * Sets up a Zoho connection (the `auth` command): exchanges a self-client grant code, or takes an existing refresh
 * token and refreshes it once, checks the token with one cheap API call (and the Desk org, when given), and stores
 * the connection secret (active, whatever state it was in). Refresh tokens are minted only here. Returns what was
 * stored, without any secret.
 */

import { parseConnection, serializeConnection, type ZohoConnection } from "../domain/zoho-connection.js";
import { type DcHosts, dcFromAccountsServer, dcHosts, type ZohoDc } from "../domain/zoho-dc.js";
import { ConfigError, UpstreamRejectedError } from "../errors.js";
import { registerSecret } from "../observability/redact.js";
import type { Clock } from "../ports/clock.js";
import type { SecretStore } from "../ports/secret-store.js";
import {
  ZOHO_THROTTLE_WINDOW_MS,
  type ZohoOAuth,
  ZohoOAuthError,
  type ZohoTokenCheck,
} from "../ports/zoho-oauth.js";

export interface ConnectZohoInput {
  connection: string;
  secretName: string;
  clientId: string;
  clientSecret: string;
  /** A self-client grant code; exactly one of `code` and `refreshToken` is given. */
  code?: string;
  /** An existing refresh token (e.g. from another tool or a previous install): refreshed once to validate it. */
  refreshToken?: string;
  /** The DC, or Zoho's `location` / `accounts-server` redirect value; one of them is required. */
  dc?: ZohoDc;
  location?: string;
  /** Overrides of the DC's hosts (the local sandbox, a CRM sandbox org). */
  accountsServer?: string;
  deskBase?: string;
  deskOrgId?: string;
  deskSourceId?: string;
  /** Creator: the account owner whose apps the use cases name, and the environment (absent: production). */
  creatorOwner?: string;
  creatorEnvironment?: "development" | "stage";
  /** Books: the organization every call names, checked against the token's organizations. */
  booksOrganizationId?: string;
}

export interface ConnectionSummary {
  connection: string;
  secretName: string;
  created: boolean;
  versionId: string;
  dc: ZohoDc;
  accountsServer: string;
  apiDomain: string;
  desk: { base: string; orgId: string } | null;
  creator: { owner: string; environment: string | null } | null;
  books: { organizationId: string } | null;
  scopes: string[];
  accessTokenExpiresAt: string;
  verified: string[];
}

export interface ConnectZohoDeps {
  oauth: ZohoOAuth;
  secrets: SecretStore;
  clock: Clock;
  /** The cheap calls that prove the new token works (CRM, and the Desk org when given). */
  tokenCheck: ZohoTokenCheck;
}

export function makeConnectZoho(deps: ConnectZohoDeps) {
  const resolveDc = (input: ConnectZohoInput): { dc: ZohoDc; hosts: DcHosts } => {
    const dc =
      input.dc ??
      (input.location ? dcFromAccountsServer(input.location) : undefined) ??
      (input.accountsServer ? dcFromAccountsServer(input.accountsServer) : undefined);
    if (!dc)
      throw new ConfigError(
        "cannot tell the Zoho data centre: pass --dc, or the location / accounts-server value from Zoho's redirect",
      );
    return { dc, hosts: dcHosts(dc) };
  };

  /** Refreshes already logged in the stored connection for this refresh token within Zoho's window. */
  const earlierRefreshes = async (
    secretName: string,
    refreshToken: string,
    now: number,
  ): Promise<number[]> => {
    try {
      const stored = parseConnection((await deps.secrets.get(secretName, { fresh: true })).value, secretName);
      return stored.refreshToken === refreshToken
        ? stored.refreshLog.filter((t) => t > now - ZOHO_THROTTLE_WINDOW_MS)
        : [];
    } catch {
      // No connection stored yet, or one too damaged to read: nothing to carry over.
      return [];
    }
  };

  return async function connectZoho(input: ConnectZohoInput): Promise<ConnectionSummary> {
    const { dc, hosts } = resolveDc(input);
    const accountsServer =
      input.accountsServer ?? (input.location?.startsWith("http") ? input.location : hosts.accountsServer);
    if ((input.code === undefined) === (input.refreshToken === undefined))
      throw new ConfigError("give either a grant code or a refresh token, not both and not neither");
    const fromRefreshToken = input.refreshToken !== undefined;
    const grant = fromRefreshToken
      ? await deps.oauth
          .refresh({
            accountsServer,
            clientId: input.clientId,
            clientSecret: input.clientSecret,
            refreshToken: input.refreshToken as string,
          })
          .catch((error: unknown) => {
            if (error instanceof ZohoOAuthError && error.code === "invalid_code")
              throw new ZohoOAuthError(
                "invalid_code",
                `Zoho rejected the refresh token (invalid_code) at ${accountsServer}: it was revoked (a new grant replaced it, or it was deleted in the API console), it belongs to another client, or it was issued in another data centre (pass that --dc or --accounts-server)`,
              );
            throw error;
          })
      : await deps.oauth.exchangeCode({
          accountsServer,
          clientId: input.clientId,
          clientSecret: input.clientSecret,
          code: input.code as string,
        });
    const refreshToken = input.refreshToken ?? grant.refreshToken;
    if (!refreshToken)
      throw new ConfigError(
        "Zoho issued no refresh token: generate the grant code with access_type=offline (self-client codes are offline)",
      );
    registerSecret(refreshToken);

    const verified: string[] = [];
    const crm = await deps.tokenCheck.crm(grant.apiDomain, grant.accessToken);
    // A scope error still proves the token is accepted; only a token error means the connection does not work.
    if (crm.status === 401 && crm.code !== "OAUTH_SCOPE_MISMATCH") {
      throw new UpstreamRejectedError(
        "zoho-crm",
        `Zoho refused the new token at ${grant.apiDomain} (${crm.code ?? 401})`,
        crm.code,
        undefined,
        { status: 401 },
      );
    }
    verified.push(`crm: ${grant.apiDomain} answered ${crm.status}`);

    let desk: ZohoConnection["desk"] = null;
    if (input.deskOrgId) {
      const base = input.deskBase ?? hosts.deskBase;
      const orgs = await deps.tokenCheck.deskOrganizations(base, grant.accessToken);
      if (orgs.status < 200 || orgs.status > 299)
        throw new UpstreamRejectedError(
          "zoho-desk",
          `Zoho Desk refused the new token at ${base} (${orgs.code ?? orgs.status})`,
          orgs.code,
          undefined,
          { status: orgs.status },
        );
      if (!orgs.ids.includes(input.deskOrgId)) {
        throw new ConfigError(
          `Desk org ${input.deskOrgId} is not one of this token's organizations (${orgs.ids.join(", ") || "none"})`,
        );
      }
      desk = { base, orgId: input.deskOrgId, sourceId: input.deskSourceId ?? null };
      verified.push(`desk: org ${input.deskOrgId} found`);
    }

    let books: ZohoConnection["books"] = null;
    if (input.booksOrganizationId) {
      const orgs = await deps.tokenCheck.booksOrganizations(grant.apiDomain, grant.accessToken);
      if (orgs.status < 200 || orgs.status > 299)
        throw new UpstreamRejectedError(
          "zoho-books",
          `Zoho Books refused the new token at ${grant.apiDomain} (${orgs.code ?? orgs.status}); grant ZohoBooks scopes`,
          orgs.code,
          undefined,
          { status: orgs.status },
        );
      if (!orgs.ids.includes(input.booksOrganizationId))
        throw new ConfigError(
          `Books organization ${input.booksOrganizationId} is not one of this token's organizations (${orgs.ids.join(", ") || "none"})`,
        );
      books = { organizationId: input.booksOrganizationId };
      verified.push(`books: organization ${input.booksOrganizationId} found`);
    }
    // Creator has no cheap owner check a token can make: doctor reads each Creator use case's form to prove it.
    const creator: ZohoConnection["creator"] = input.creatorOwner
      ? { owner: input.creatorOwner, environment: input.creatorEnvironment ?? null }
      : null;

    const now = deps.clock.now();
    // The validating refresh counts against Zoho's 10 per 10 minutes for this refresh token, and so do the ones
    // already logged for it: the refresh guard must see them all.
    const refreshLog = fromRefreshToken
      ? [...(await earlierRefreshes(input.secretName, refreshToken, now)), now]
      : [];
    const connection: ZohoConnection = {
      schemaVersion: 1,
      name: input.connection,
      dc,
      accountsServer,
      apiDomain: grant.apiDomain,
      desk,
      creator,
      books,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      refreshToken,
      scopes: grant.scopes,
      accessToken: grant.accessToken,
      accessTokenExpiresAt: now + grant.expiresInMs,
      status: "active",
      brokenReason: null,
      refreshLog,
      throttledUntil: null,
      updatedAt: new Date(now).toISOString(),
    };
    const stored = await deps.secrets.upsert(input.secretName, serializeConnection(connection));
    return {
      connection: input.connection,
      secretName: input.secretName,
      created: stored.created,
      versionId: stored.versionId,
      dc,
      accountsServer,
      apiDomain: grant.apiDomain,
      desk: desk ? { base: desk.base, orgId: desk.orgId } : null,
      creator: creator ? { owner: creator.owner, environment: creator.environment ?? null } : null,
      books,
      scopes: grant.scopes,
      accessTokenExpiresAt: new Date(connection.accessTokenExpiresAt ?? now).toISOString(),
      verified,
    };
  };
}
