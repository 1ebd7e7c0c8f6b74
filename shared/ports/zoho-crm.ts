/**
 * Zoho CRM as the use cases and the pipeline see it: records, notes, tasks, search, COQL, field metadata and
 * attachments, in the mediator's own terms. The adapter (`shared/adapters/zoho/crm.ts`) owns every URL, wire shape
 * and error translation; an in-memory fake (`test/fakes/`) lets the pipeline be tested without the sandbox.
 *
 * Errors are the typed taxonomy of `shared/errors.ts` (UpstreamRejectedError, UpstreamThrottledError, ...). A
 * batch call answers one result per item in order: Zoho accepts some records of a batch and refuses others.
 */
import type { ZohoField } from "../domain/zoho-field.js";

/** A CRM record as Zoho holds it: api names to values. Always has `id`. */
export type CrmRecord = Record<string, unknown> & { id: string };

/** Zoho's answer for one item of a batch write. */
export type ItemResult =
  | { ok: true; id: string }
  | {
      ok: false;
      /** Zoho's code, e.g. INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA; "NO_RESULT" when Zoho answered none. */
      code: string;
      message: string;
      /** The field Zoho named, when it named one (`details.api_name`). */
      field?: string;
      details?: unknown;
    };

/** A note on a record. `title` is optional in Zoho; `content` is plain text. */
/** The id of a record's owner, as `getRecord` answers `Owner` (`{id, name, email}`); undefined when it has none. */
export function ownerIdOf(record: Record<string, unknown>): string | undefined {
  const owner = record.Owner as { id?: unknown } | null | undefined;
  return typeof owner?.id === "string" && owner.id.length > 0 ? owner.id : undefined;
}

export interface NewNote {
  module: string;
  recordId: string;
  title?: string;
  content: string;
}

/** A task related to a record (`What_Id` for non-person modules, `Who_Id` for Leads/Contacts is the adapter's job). */
export interface NewTask {
  module: string;
  recordId: string;
  subject: string;
  /** YYYY-MM-DD. */
  dueDate?: string;
  description?: string;
  priority?: string;
  /** Owner user id, when not the integration user. */
  ownerId?: string;
}

export interface CrmNote {
  id: string;
  title: string | null;
  content: string;
}

export interface CrmAttachment {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface ZohoCrm {
  /** Records by id, read in batches of at most 100 ids per call; missing ids are simply absent from the answer. */
  getRecords(module: string, ids: readonly string[], fields?: readonly string[]): Promise<CrmRecord[]>;
  /**
   * One record, or null when it does not exist. `Owner` as Zoho answers it: `{ id, name, email }`. `fields`: the
   * fields the caller needs (the answer may hold more); without it, every field. A batch's reads are coalesced
   * into `getRecords` with the union of their fields (`shared/pipeline/batched-reads.ts`).
   */
  getRecord(module: string, id: string, fields?: readonly string[]): Promise<CrmRecord | null>;
  /**
   * Updates records (at most 100 per call: the adapter refuses more), always with `"trigger": []` so the
   * mediator's own write never re-fires the workflow that called it. One result per record, in order.
   */
  updateRecords(
    module: string,
    records: readonly ({ id: string } & Record<string, unknown>)[],
  ): Promise<ItemResult[]>;
  /**
   * Creates records (at most 100 per call: the adapter refuses more), `"trigger": []`. One result per record, in
   * order; `id` of a success is the new record's.
   */
  createRecords(module: string, records: readonly Record<string, unknown>[]): Promise<ItemResult[]>;
  /** Creates notes (at most 100 per call), `"trigger": []`. One result per note, in order. */
  createNotes(notes: readonly NewNote[]): Promise<ItemResult[]>;
  /** A record's notes, newest first (at most `limit`, default 200). */
  listNotes(module: string, recordId: string, limit?: number): Promise<CrmNote[]>;
  /** Creates tasks related to records (at most 100 per call), `"trigger": []`. One result per task, in order. */
  createTasks(tasks: readonly NewTask[]): Promise<ItemResult[]>;
  /** Search API by email, phone, word or criteria (`(Email:equals:a@b.c)`); at most `limit` (default 10). */
  search(
    module: string,
    by: { email?: string; phone?: string; word?: string; criteria?: string },
    limit?: number,
  ): Promise<CrmRecord[]>;
  /** A COQL select; the caller builds the query from checked values only. */
  coql(query: string): Promise<Record<string, unknown>[]>;
  /** The module's live field metadata (not cached here: the pipeline's metadata cache wraps it). */
  fields(module: string): Promise<ZohoField[]>;
  /** A record attachment's bytes (bounded by the adapter: larger than `maxBytes` is a ValidationError). */
  downloadAttachment(
    module: string,
    recordId: string,
    attachmentId: string,
    maxBytes: number,
  ): Promise<CrmAttachment>;
  /** Zoho API credits left today, from the last answer's headers; undefined before the first call. */
  creditsRemaining(): number | undefined;
}
