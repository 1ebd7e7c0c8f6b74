/**
 * `POST /v1/hooks/books/<use case>`: a Books workflow rule's webhook with its default payload, the entity as Books
 * holds it (`{"invoice": {"invoice_id": ..., ...}}`), one unit.
 *
 * Books runs its workflow rules on API writes and has no way to skip them, so the mediator's own write calls this
 * route again. The loop guard is the dedup key: the entity's digest without the fields the use case writes (and
 * their formatted copies) and without what Books changes on every write (`last_modified_time`, ...). A delivery whose
 * only changes are the mediator's own fields has the key of the event that caused the write: the worker claims it
 * as a duplicate and writes nothing. A change to any other field is new work. The per-record write cap stays the
 * last line; the README tells admins to limit rules to fields the mediator never writes.
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import type { BooksEntity } from "../../domain/zoho-products.js";
import { canonical } from "../../json/canonical.js";
import { ZohoIdInputSchema } from "../../schemas/work-message.js";
import { type HttpRequest, parseBody } from "../http.js";
import { type RouteResult, validate } from "./route-kit.js";

/** The payload's key and id field of each entity (Books names them in the singular). */
export const BOOKS_PAYLOAD_KEYS: Record<BooksEntity, { key: string; id: string }> = {
  contacts: { key: "contact", id: "contact_id" },
  invoices: { key: "invoice", id: "invoice_id" },
  estimates: { key: "estimate", id: "estimate_id" },
  salesorders: { key: "salesorder", id: "salesorder_id" },
};

/**
 * A default payload is the whole entity (an invoice with its line items), of which only the id and a digest go on
 * the queue: a larger body and more values than other routes take, and any characters in its values.
 */
export const BOOKS_MAX_BODY_BYTES = 1024 * 1024;
const BOOKS_BOUNDS = { maxNodes: 100_000, carried: false };

/** What Books changes on any write, never part of an event's identity. */
export const BOOKS_VOLATILE_KEYS = [
  "last_modified_time",
  "last_modified_by_id",
  "last_modified_by",
  "updated_time",
];

/** Whether `key` is one of the written fields or a copy Books derives from one (`cf_x_formatted`, ...). */
const derivedFrom = (key: string, written: ReadonlySet<string>) =>
  written.has(key) || written.has(key.replace(/_(formatted|unformatted)$/, ""));

/** The entity without the written fields (in every place Books repeats them) and the volatile keys. */
export function echoInsensitive(entity: Record<string, unknown>, written: ReadonlySet<string>): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (BOOKS_VOLATILE_KEYS.includes(key) || derivedFrom(key, written)) continue;
    if (key === "custom_fields" && Array.isArray(value))
      out[key] = value.filter(
        (f) => !(f && typeof f === "object" && written.has(String((f as { api_name?: unknown }).api_name))),
      );
    else if (key === "custom_field_hash" && value && typeof value === "object")
      out[key] = Object.fromEntries(Object.entries(value).filter(([k]) => !derivedFrom(k, written)));
    else out[key] = value;
  }
  return out;
}

/** A stable digest of a JSON value (object keys sorted). */
function digest(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex")
    .slice(0, 32);
}

/** The units of one Books use case's route: its entity, and the custom fields it writes. */
export function booksWebhookRoute(useCase: string, entity: BooksEntity, writes: readonly string[]) {
  const { key, id } = BOOKS_PAYLOAD_KEYS[entity];
  const schema = z.looseObject({ [key]: z.looseObject({ [id]: ZohoIdInputSchema }) });
  const written = new Set(writes);
  return (req: HttpRequest): RouteResult => {
    const body = validate(
      schema,
      parseBody(req, BOOKS_MAX_BODY_BYTES, false, BOOKS_BOUNDS),
      "Books webhook",
    ) as Record<string, Record<string, unknown>>;
    const record = body[key] as Record<string, unknown>;
    const recordId = String(record[id]);
    return {
      units: [
        {
          useCase,
          source: "books-webhook",
          dedupKey: `books:${entity}:${recordId}:${digest(echoInsensitive(record, written))}`,
          subject: null,
          input: { id: recordId },
        },
      ],
      ignored: 0,
    };
  };
}
