/**
 * Sandbox settings. Every behaviour the Zoho notes mark UNCONFIRMED is a setting here, with the notes' best guess
 * as the default, so tests can pin either variant.
 */

/** Data centres the sandbox serves; each has its own accounts server, API domain and Desk host (path-prefixed). */
import { ZOHO_DCS, type ZohoDc } from "../../../shared/config/zoho-dc.js";

/** The product's list of Zoho data centres: the sandbox serves every one the mediator knows. */
export const DATA_CENTRES = ZOHO_DCS;
export type DataCentre = ZohoDc;

export interface SandboxOptions {
  /** @default 0 (a free port) */
  port: number;
  /** Grant-code life; real pages say 2 to 3 minutes. @default 120 */
  grantCodeTtlSeconds: number;
  /** @default 3600 */
  accessTokenTtlSeconds: number;
  /** Access-token requests per refresh token in the window. @default 10 */
  refreshLimit: number;
  /** @default 600 */
  refreshWindowSeconds: number;
  /** HTTP status of the "Access Denied ... too many requests" answer (UNCONFIRMED: 400 or 200). @default 400 */
  refreshThrottleStatus: number;
  /** Active access tokens per refresh token; minting one more silently kills the oldest (10, 15 or 30 seen). @default 10 */
  maxActiveAccessTokens: number;
  /** Refresh tokens per user; the 21st evicts the oldest. @default 20 */
  maxRefreshTokensPerUser: number;
  /** Code for a missing or `Bearer` Authorization header (UNCONFIRMED). @default "AUTHENTICATION_FAILURE" */
  missingAuthCode: "AUTHENTICATION_FAILURE" | "INVALID_TOKEN";
  /** Status of OAUTH_SCOPE_MISMATCH (UNCONFIRMED: 401 or 403). @default 401 */
  scopeMismatchStatus: 401 | 403;
  /** Concurrent CRM calls per client id (edition table 5/10/15/20/25). @default 10 */
  concurrencyLimit: number;
  /** Sub-concurrency for heavy calls (writes of more than 10 records, search, COQL). @default 10 */
  subConcurrencyLimit: number;
  /** API credits per rolling 24 hours. @default 50000 */
  creditsPerDay: number;
  /** Records per credit on insert/update/upsert (UNCONFIRMED). @default 10 */
  recordsPerWriteCredit: number;
  /** Added latency per CRM/Desk API call, held inside the concurrency slot. @default 0 */
  latencyMs: number;
  /** Outbound workflow/Desk webhook timeout. @default 5000 */
  webhookTimeoutMs: number;
  /** Retries for a failed outbound webhook (Zoho documents none). @default 0 */
  webhookRetries: number;
  /** Status when the Desk `orgId` header is missing (UNCONFIRMED). @default 422 */
  deskMissingOrgIdStatus: number;
  /** Header a Desk API call uses to identify its source for `ignoreSourceId` (UNCONFIRMED name). @default "sourceId" */
  deskSourceIdHeader: string;
  /** Seed the demo org (leads, contacts, accounts, deals, tickets). @default true */
  seed: boolean;
  /** Base URL of the mediator's webhook routes; when set, the demo org's workflow rules and Desk webhook call it. */
  hooksBaseUrl?: string;
  /** Shared secret the seeded workflow rules send in `X-Mediator-Token` (the way CRM webhooks authenticate). */
  hooksToken?: string;
}

export const DEFAULT_OPTIONS: SandboxOptions = {
  port: 0,
  grantCodeTtlSeconds: 120,
  accessTokenTtlSeconds: 3600,
  refreshLimit: 10,
  refreshWindowSeconds: 600,
  refreshThrottleStatus: 400,
  maxActiveAccessTokens: 10,
  maxRefreshTokensPerUser: 20,
  missingAuthCode: "AUTHENTICATION_FAILURE",
  scopeMismatchStatus: 401,
  concurrencyLimit: 10,
  subConcurrencyLimit: 10,
  creditsPerDay: 50_000,
  recordsPerWriteCredit: 10,
  latencyMs: 0,
  webhookTimeoutMs: 5_000,
  webhookRetries: 0,
  deskMissingOrgIdStatus: 422,
  deskSourceIdHeader: "sourceId",
  seed: true,
};
