/**
 * Zoho Creator (REST API v2.1) as the use cases and the pipeline see it: a report's records, one record by ID, an
 * update by ID that never re-fires the form's workflow, a record added to a form (the audit form: Creator has no
 * record comments API) and a form's field metadata. The adapter (`shared/adapters/zoho/creator.ts`) owns every URL,
 * the `environment` header, the v2.1 value shapes and the translation of Creator's codes into the error taxonomy
 * (`shared/errors.ts`): code 3000 is success; the daily limit (HTTP 200, code 4000) and the per-minute limit (429,
 * code 2955, no Retry-After) are UpstreamRateLimitError.
 *
 * IDs are strings end to end: Creator's are 19 digits, above 2^53.
 */
import type { ZohoField } from "../domain/zoho-field.js";
import type { ItemResult } from "./zoho-crm.js";

/**
 * Where a Creator application lives: the app's link name, and the owner's account name and the environment, which
 * default to the connection's (`creator.owner`, `creator.environment`): a use case names only the app.
 */
export interface CreatorApp {
  app: string;
  owner?: string | undefined;
  /** Absent here and on the connection: production (Creator's default without the `environment` header). */
  environment?: "development" | "stage" | undefined;
}

/**
 * A Creator record as v2.1 answers it: link names to values (multi-selects as arrays, lookups as
 * `{ID, zc_display_value, ...}` maps, subforms as arrays of rows, decimals and dates as the app formats them).
 * Always has `ID`.
 */
export type CreatorRecord = Record<string, unknown> & { ID: string };

export interface CreatorPage {
  records: CreatorRecord[];
  /** The `record_cursor` to ask for the next page with; absent on the last page. */
  cursor?: string | undefined;
}

export interface ZohoCreator {
  /** One record of a report by ID, or null when the report has none with that ID (code 3190 / 404). */
  getRecord(app: CreatorApp, report: string, id: string): Promise<CreatorRecord | null>;
  /**
   * One page of a report's records: `criteria` (Deluge-style, built by the caller from checked values only),
   * `maxRecords` 200 (default), 500 or 1000, `cursor` the previous page's. No match is an empty page.
   */
  listRecords(
    app: CreatorApp,
    report: string,
    options?: { criteria?: string; maxRecords?: 200 | 500 | 1000; cursor?: string },
  ): Promise<CreatorPage>;
  /**
   * Updates one record by ID, always with `skip_workflow: ["form_workflow", "schedules"]` so the mediator's write
   * never re-fires the form's workflow. A validation failure (3070, 8011, 8012, 3002, ...) is `{ ok: false }`.
   */
  updateRecord(
    app: CreatorApp,
    report: string,
    id: string,
    data: Record<string, unknown>,
  ): Promise<ItemResult>;
  /** Adds a record to a form (the audit form), with `skip_workflow: ["all"]`. */
  addRecord(app: CreatorApp, form: string, data: Record<string, unknown>): Promise<ItemResult>;
  /** A form's live field metadata (`/meta/.../form/<form>/fields`), in the mediator's terms. */
  fields(app: CreatorApp, form: string): Promise<ZohoField[]>;
}
