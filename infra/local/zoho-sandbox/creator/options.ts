/**
 * Settings of the Creator v2.1 surface. `SandboxOptions` (config.ts) extends these, so they are set, changed at run
 * time (`POST /_sandbox/config`) and reset like every other sandbox setting. Each behaviour the Creator notes
 * (zoho-creator-books-notes.md §1) mark UNCONFIRMED is one of them, with the notes' best guess as the default.
 */
import type { ZohoDc } from "../../../../shared/domain/zoho-dc.js";

/** Creator plans and their Developer API calls per user per day (notes §1.8, official). */
export const CREATOR_PLAN_DAILY_CALLS = {
  free: 250,
  standard: 250,
  professional: 500,
  enterprise: 1000,
  "zoho-one": 1000,
} as const;
export type CreatorPlan = keyof typeof CREATOR_PLAN_DAILY_CALLS;

export interface CreatorOptions {
  /**
   * DCs whose API domain serves Creator. The official base-URL page lists US, EU, IN, AU, JP and CN; Creator in CA,
   * SA and UK is UNCONFIRMED (a derived OAS lists zohoapis.ca and .sa). A DC not listed answers 404 code 1000.
   * @default every DC
   */
  creatorDataCentres: ZohoDc[];
  /** The account's plan: the daily Developer API limit is its per-user figure times `creatorUsers`. @default "enterprise" */
  creatorPlan: CreatorPlan;
  /** Users of the Creator account (the daily limit is per user, pooled per account). @default 1 */
  creatorUsers: number;
  /**
   * Calls per user in a rolling minute before 429 code 2955 (UNCONFIRMED: "50 per user per minute" for v2.1, "50
   * per minute per endpoint per IP" for v2). @default 50
   */
  creatorPerMinuteLimit: number;
  /** What the per-minute limit counts: all of a user's calls, or per user and endpoint (UNCONFIRMED). @default "user" */
  creatorPerMinuteKey: "user" | "user-endpoint";
  /** Calls in flight per account before 429 code 2955 (UNCONFIRMED: 6). @default 6 */
  creatorConcurrencyLimit: number;
  /** The app's "API access" permission; off, every call answers code 1130. @default true */
  creatorApiAccess: boolean;
  /** HTTP status of code 1130 (UNCONFIRMED: the notes give the code only). @default 403 */
  creatorApiAccessDeniedStatus: number;
  /** HTTP status and code for a token without the call's scope (UNCONFIRMED: 401 code 2945). @default 401 / 2945 */
  creatorScopeErrorStatus: number;
  creatorScopeErrorCode: number;
  /**
   * Refuse an `Accept` header other than exactly `application/json` or `text/csv` with 400 (UNCONFIRMED: a secondary
   * source saw axios' default refused). An absent header means JSON. @default true
   */
  creatorStrictAccept: boolean;
  /** Status of code 3100 "No records found for the given criteria." (UNCONFIRMED: 404). @default 404 */
  creatorNoRecordsStatus: number;
  /** Status of code 3190 "No record with ID ... found." (UNCONFIRMED: not given). @default 404 */
  creatorRecordNotFoundStatus: number;
  /** `field_config` when a GET leaves it out (UNCONFIRMED: quick_view). @default "quick_view" */
  creatorDefaultFieldConfig: "quick_view" | "detail_view" | "all";
  /** HTTP status and code for a `skip_workflow` value outside form_workflow, schedules, all (UNCONFIRMED). @default 401 / 1060 */
  creatorSkipWorkflowErrorStatus: number;
  creatorSkipWorkflowErrorCode: number;
  /** Whether `skip_workflow` also skips blueprint and approval hooks (UNCONFIRMED: "cannot be skipped"). @default false */
  creatorSkipWorkflowCoversBlueprints: boolean;
  /**
   * Where a single write's validation failure goes (UNCONFIRMED): the top level of the answer, or a `result` entry as
   * the OAS-derived shape has it. Bulk writes always report per record. @default "top-level"
   */
  creatorValidationErrorPlacement: "top-level" | "result";
  /** Shape of `error` in a validation failure (UNCONFIRMED): a list of messages or field → message. @default "list" */
  creatorValidationErrorDetail: "list" | "map";
  /** Code of a failed record inside a bulk `result` (UNCONFIRMED: 3001). @default 3001 */
  creatorBulkFailureCode: number;
  /** Code for a fraction written to a Decimal field with 0 places (UNCONFIRMED: 3002, else 8012). @default 3002 */
  creatorZeroDecimalFractionCode: number;
  /** More decimal places than the field has: refused with 8012 or rounded (UNCONFIRMED). @default "reject" */
  creatorDecimalExcessPlaces: "reject" | "round";
  /** A link name the form lacks: refused (3070) or ignored (UNCONFIRMED). @default "reject" */
  creatorUnknownField: "reject" | "ignore";
  /**
   * `choices` of dropdown, radio, multi select and checkbox fields in the fields meta API (UNCONFIRMED: not seen):
   * `{display_value, value}` objects, plain strings, or left out. @default "objects"
   */
  creatorMetaChoices: "objects" | "strings" | "none";
  /**
   * Write record IDs as unquoted JSON numbers (the OAS types some IDs int64), so a client's lossless parsing is
   * tested (checklist item 30). v2.1 record data has them as strings (UNCONFIRMED). @default false
   */
  creatorNumericIds: boolean;
}

export const CREATOR_DEFAULTS: CreatorOptions = {
  creatorDataCentres: ["us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk"],
  creatorPlan: "enterprise",
  creatorUsers: 1,
  creatorPerMinuteLimit: 50,
  creatorPerMinuteKey: "user",
  creatorConcurrencyLimit: 6,
  creatorApiAccess: true,
  creatorApiAccessDeniedStatus: 403,
  creatorScopeErrorStatus: 401,
  creatorScopeErrorCode: 2945,
  creatorStrictAccept: true,
  creatorNoRecordsStatus: 404,
  creatorRecordNotFoundStatus: 404,
  creatorDefaultFieldConfig: "quick_view",
  creatorSkipWorkflowErrorStatus: 401,
  creatorSkipWorkflowErrorCode: 1060,
  creatorSkipWorkflowCoversBlueprints: false,
  creatorValidationErrorPlacement: "top-level",
  creatorValidationErrorDetail: "list",
  creatorBulkFailureCode: 3001,
  creatorZeroDecimalFractionCode: 3002,
  creatorDecimalExcessPlaces: "reject",
  creatorUnknownField: "reject",
  creatorMetaChoices: "objects",
  creatorNumericIds: false,
};
