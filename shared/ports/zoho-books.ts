/**
 * Zoho Books (REST API v3) as the use cases and the pipeline see it: one entity (contact, invoice, estimate, sales
 * order) by id, its custom fields updated, a comment added (the audit trail) and the org's field metadata. The
 * adapter (`shared/adapters/zoho/books.ts`) owns every URL, `organization_id` on every call, the `code`/`message`
 * envelope (code 0 is success) and the translation of Books' codes into the error taxonomy (`shared/errors.ts`):
 * the 429 codes 44 (per minute), 45 (per day) and 1070 (concurrency) are UpstreamRateLimitError.
 *
 * Books has no documented way to stop workflow rules on an API write: the loop guard is structural (ingest drops a
 * Books webhook whose changed fields are only mediator-written fields; the per-record write cap is the last line).
 *
 * IDs are strings end to end: Books' are 19 digits, above 2^53.
 */
import type { ZohoField } from "../domain/zoho-field.js";
import type { BooksEntity } from "../domain/zoho-products.js";
import type { ItemResult } from "./zoho-crm.js";

export { BOOKS_ENTITIES, type BooksEntity } from "../domain/zoho-products.js";

/**
 * A Books entity as v3 answers it (`invoice_id`, `customer_name`, `due_date`, `balance`, ...), with its custom
 * fields also flattened by api name (`cf_risk_level` -> value) under `customFields`. Always has `id`.
 */
export type BooksRecord = Record<string, unknown> & {
  id: string;
  customFields: Record<string, unknown>;
};

export interface BooksOrganization {
  id: string;
  name: string;
}

export interface ZohoBooks {
  /** The organization the connection's token reaches (for `doctor`): those the token user belongs to. */
  organizations(): Promise<BooksOrganization[]>;
  /** One entity by id, or null when Books has none (404, code 1002). */
  getEntity(entity: BooksEntity, id: string): Promise<BooksRecord | null>;
  /**
   * Writes custom fields (api names `cf_...` -> values) of one entity through its custom-fields endpoint, or for
   * contacts through `PUT /contacts/{id}`'s `custom_fields`. Books' refusal of a value is `{ ok: false }`.
   */
  updateCustomFields(entity: BooksEntity, id: string, values: Record<string, unknown>): Promise<ItemResult>;
  /**
   * Adds a comment to an invoice, estimate or sales order (contacts have none: a ValidationError). The result's id is
   * the comment's when Books answers one (sales orders), else the entity's (invoices and estimates answer none).
   */
  addComment(entity: BooksEntity, id: string, text: string): Promise<ItemResult>;
  /**
   * The texts of an invoice's, estimate's or sales order's comments (system ones included): how a resumed plan
   * finds the audit comment an earlier attempt posted but did not record. Contacts: none.
   */
  listComments(entity: BooksEntity, id: string): Promise<string[]>;
  /** The entity's custom fields (`settings/fields?entity=`), in the mediator's terms, named by api name. */
  fields(entity: BooksEntity): Promise<ZohoField[]>;
}
