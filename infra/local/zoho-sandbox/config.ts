/**
 * Sandbox settings. Every behaviour the Zoho notes mark UNCONFIRMED is a setting here, with the notes' best guess
 * as the default, so tests can pin either variant.
 */

/** Data centres the sandbox serves; each has its own accounts server, API domain and Desk host (path-prefixed). */
import { ZOHO_DCS, type ZohoDc } from "../../../shared/domain/zoho-dc.js";
import { CREATOR_DEFAULTS, type CreatorOptions } from "./creator/options.js";

/** The product's list of Zoho data centres: the sandbox serves every one the mediator knows. */
export const DATA_CENTRES = ZOHO_DCS;
export type DataCentre = ZohoDc;

/** Seed profiles: two independently configured orgs (see profiles.ts). */
export const SANDBOX_PROFILES = ["demo", "alt"] as const;
export type SandboxProfile = (typeof SANDBOX_PROFILES)[number];

/** The Creator v2.1 settings (`creator*`, each UNCONFIRMED behaviour documented there) are in creator/options.ts. */
export interface SandboxOptions extends CreatorOptions {
  /** Which org to seed: `demo` (Zylker) or `alt` (another org with its own custom fields and values). @default "demo" */
  profile: SandboxProfile;
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
  /**
   * HTTP status and Desk `errorCode` for an EMAIL draft or reply without a `fromEmailAddress`, or with one that is
   * not an active reply address of the org. The notes (§5.4) say the address is mandatory for e-mail; the exact
   * answer is UNCONFIRMED (Desk's OAS maps 422 to INVALID_DATA or UNPROCESSABLE_ENTITY). @default 422 / "INVALID_DATA"
   */
  deskFromAddressErrorStatus: number;
  deskFromAddressErrorCode: "INVALID_DATA" | "UNPROCESSABLE_ENTITY";
  /**
   * Desk's OAS marks `departmentId` of "List MailReplyAddresses" as required; whether Desk refuses the call without
   * it is UNCONFIRMED. When true the sandbox answers 422 without it. @default false
   */
  deskMailReplyAddressRequiresDepartment: boolean;
  /**
   * Answer an empty Desk list (mail reply addresses) with 204 and no body, as Desk's OAS lists; off by default so
   * clients see `{data: []}` (UNCONFIRMED which one Desk sends). @default false
   */
  deskEmptyListNoContent: boolean;
  /** Notifications API: channel life when `channel_expiry` is not given (notes §4.2: 1 h). @default 3600 */
  watchDefaultExpirySeconds: number;
  /** Notifications API: longest channel life; later expiries are cut to it (1 day or 1 week: UNCONFIRMED). @default 86400 */
  watchMaxExpirySeconds: number;
  /**
   * Create Custom Field API: custom fields per module. Zoho's limit depends on the edition (UNCONFIRMED here);
   * beyond it the API answers LIMIT_EXCEEDED. @default 100
   */
  customFieldsPerModule: number;
  /** Create Custom Field API: longest `field_label` (a derived OAS schema says 25; UNCONFIRMED). @default 25 */
  customFieldLabelMaxLength: number;
  /** Create Custom Field API: fields per call (the Update Custom Fields page says five per call). @default 5 */
  customFieldsPerCall: number;
  /** Create Custom Field API: values per picklist (UNCONFIRMED). @default 1000 */
  maxPicklistValues: number;
  /**
   * "Get Attachments": whether the list refuses a call without `fields` (REQUIRED_PARAM_MISSING). The OAS declares
   * `fields` optional but gives that error as an example (UNCONFIRMED). @default false
   */
  attachmentListRequiresFields: boolean;
  /**
   * "Get Attachments" with none: 204 and no body, as Zoho's GETs answer nothing (notes §2.4), or 200 `{data: []}`, as
   * the OAS example shows (UNCONFIRMED). @default 204
   */
  attachmentListEmptyStatus: 200 | 204;
  /**
   * Modules a task's `Who_Id` may name. Zoho's field is the task's contact (a lead is related through `What_Id` with
   * `$se_module: "Leads"`); the notes (§2.9) say "Contact/Lead" (UNCONFIRMED). @default ["Contacts"]
   */
  taskWhoModules: ("Contacts" | "Leads")[];
  /**
   * Zoho Books v3 (books/, notes §2): code for a missing or non-numeric `organization_id` (UNCONFIRMED: 2 and 14
   * are both reported). @default 2
   */
  booksInvalidOrgCode: number;
  /** HTTP status of code 6041, an org the token's user is not in (UNCONFIRMED: not documented). @default 400 */
  booksOrgNotAssociatedStatus: number;
  /** Accept the org in an `X-com-zoho-books-organizationid` header, without a query one (UNCONFIRMED). @default true */
  booksOrgIdHeader: boolean;
  /**
   * Code of a bad Books token or a missing scope, "You are not authorized to perform this operation" (UNCONFIRMED).
   * @default 57
   */
  booksAuthErrorCode: number;
  /** HTTP status of a missing Books scope (UNCONFIRMED; a bad token is always 401). @default 401 */
  booksScopeErrorStatus: 401 | 403;
  /** Accept `Authorization: Bearer <token>` as well as `Zoho-oauthtoken <token>` (UNCONFIRMED). @default false */
  booksAcceptBearer: boolean;
  /** Code of a refused Books value (bad dropdown value, too long, ...), with HTTP 400 (UNCONFIRMED). @default 2 */
  booksValidationErrorCode: number;
  /**
   * `PUT /invoices/{id}` refuses a body without `line_items`: the OAS marks it required; whether Books accepts a
   * partial body is UNCONFIRMED. @default true
   */
  booksInvoiceUpdateRequiresLineItems: boolean;
  /** Books' system comments cannot be edited or deleted (UNCONFIRMED, S-EASYSOFT). @default true */
  booksSystemCommentsImmutable: boolean;
  /**
   * Books calls per org per day, the plan's (official: Free 1000, Standard 2000, Professional 5000, Premium and up
   * 10000); beyond it 429 code 45 (the code is UNCONFIRMED). @default 2000
   */
  booksDailyLimit: number;
  /** Books calls per org per minute; beyond it 429 code 44 (UNCONFIRMED: 100 and code 44). @default 100 */
  booksPerMinuteLimit: number;
  /** Books calls in progress per org; beyond it 429 code 1070 (UNCONFIRMED: Free 5, paid 10). @default 10 */
  booksConcurrencyLimit: number;
  /** Books sends `X-Rate-Limit-Limit`, `-Remaining`, `-Reset` (UNCONFIRMED, seen in 2019). @default false */
  booksRateLimitHeaders: boolean;
  /**
   * Honour an inbound `X-ZOHO-Skip-Webhook-Trigger: true` by running no workflow webhooks for that write
   * (UNCONFIRMED: seen in client code, its effect on Books unknown). @default false
   */
  booksHonourSkipWebhookHeader: boolean;
  /**
   * Write Books' `customfield_id`/`field_id` as bare JSON numbers, as the OAS types them (int64), so lossy parsing
   * shows (checklist item 30; real payloads send strings, UNCONFIRMED). @default false
   */
  booksNumericIds: boolean;
  /** Seed the demo org (leads, contacts, accounts, deals, tickets). @default true */
  seed: boolean;
  /** Base URL of the mediator's webhook routes; when set, the demo org's workflow rules and Desk webhook call it. */
  hooksBaseUrl?: string;
  /** Shared secret the seeded workflow rules send in `X-Mediator-Token` (the way CRM webhooks authenticate). */
  hooksToken?: string;
}

export const DEFAULT_OPTIONS: SandboxOptions = {
  profile: "demo",
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
  deskFromAddressErrorStatus: 422,
  deskFromAddressErrorCode: "INVALID_DATA",
  deskMailReplyAddressRequiresDepartment: false,
  deskEmptyListNoContent: false,
  watchDefaultExpirySeconds: 3600,
  watchMaxExpirySeconds: 86_400,
  customFieldsPerModule: 100,
  customFieldLabelMaxLength: 25,
  customFieldsPerCall: 5,
  maxPicklistValues: 1000,
  attachmentListRequiresFields: false,
  attachmentListEmptyStatus: 204,
  taskWhoModules: ["Contacts"],
  booksInvalidOrgCode: 2,
  booksOrgNotAssociatedStatus: 400,
  booksOrgIdHeader: true,
  booksAuthErrorCode: 57,
  booksScopeErrorStatus: 401,
  booksAcceptBearer: false,
  booksValidationErrorCode: 2,
  booksInvoiceUpdateRequiresLineItems: true,
  booksSystemCommentsImmutable: true,
  booksDailyLimit: 2000,
  booksPerMinuteLimit: 100,
  booksConcurrencyLimit: 10,
  booksRateLimitHeaders: false,
  booksHonourSkipWebhookHeader: false,
  booksNumericIds: false,
  ...CREATOR_DEFAULTS,
  seed: true,
};
