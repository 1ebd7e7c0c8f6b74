/**
 * Zoho field metadata for the write guard and the field mapping, read live through the ports' `fields(module)` and
 * cached per connection and container (fields change rarely; a stale cache errs towards rejection, which
 * quarantines, never towards a bad write). An entry lives for its TTL, and is dropped at once when Zoho refuses a
 * write naming one of its fields.
 */
import type { ZohoField } from "../domain/zoho-field.js";
import type { BooksEntity, ZohoProduct } from "../domain/zoho-products.js";
import { UpstreamRejectedError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { ZohoPorts } from "../ports/zoho.js";

export type FieldService = ZohoProduct;

/**
 * One module's live fields through its product's port: a CRM module, a Desk module, a Creator `app/form`, a Books
 * entity.
 */
export function readFields(zoho: ZohoPorts, service: FieldService, module: string): Promise<ZohoField[]> {
  switch (service) {
    case "crm":
      return zoho.crm.fields(module);
    case "desk":
      return zoho.desk.fields(module);
    case "creator": {
      const slash = module.indexOf("/");
      return zoho.creator.fields({ app: module.slice(0, slash) }, module.slice(slash + 1));
    }
    case "books":
      return zoho.books.fields(module as BooksEntity);
  }
}

export class FieldMetadataCache {
  private readonly cache = new Map<string, { at: number; fields: ZohoField[] }>();
  /** Reads in flight, by key: concurrent misses wait on the same one. */
  private readonly reading = new Map<string, Promise<ZohoField[]>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /**
   * One module's fields. `maxAgeMs` shortens the TTL for one read: the field mapping re-reads sooner while a
   * required field is missing, so a field the admin just created is seen within a minute.
   */
  async fields(
    zoho: ZohoPorts,
    connection: string,
    service: FieldService,
    module: string,
    options: { maxAgeMs?: number } = {},
  ): Promise<ZohoField[]> {
    const key = `${connection}|${service}|${module}`;
    const hit = this.cache.get(key);
    if (hit && this.clock.now() - hit.at < Math.min(this.ttlMs, options.maxAgeMs ?? this.ttlMs))
      return hit.fields;
    // Units of a batch load at once: they share one read of a module instead of each missing the cache.
    const pending = this.reading.get(key);
    if (pending) return pending;
    const read = readFields(zoho, service, module).then((fields) => {
      this.cache.set(key, { at: this.clock.now(), fields });
      return fields;
    });
    // Settled either way, the read leaves the in-flight map (unless an invalidation started a newer one).
    const forget = () => {
      if (this.reading.get(key) === read) this.reading.delete(key);
    };
    read.then(forget, forget);
    this.reading.set(key, read);
    return read;
  }

  /**
   * Drops a connection's cached fields of one module, e.g. after Zoho answered `INVALID_DATA` naming a field: the
   * next unit reads the org's fields again instead of repeating a write built on stale metadata.
   */
  invalidate(connection: string, service: FieldService, module: string): void {
    this.cache.delete(`${connection}|${service}|${module}`);
    this.reading.delete(`${connection}|${service}|${module}`);
  }

  /**
   * Drops the cached metadata a refused write was built on, when Zoho named a field (an `ItemResult.field` or an
   * `UpstreamRejectedError.field`): the org's fields changed (a picklist value removed, a length shortened), and
   * the next unit must see the change. Returns the field.
   */
  invalidateOnRejection(
    connection: string,
    service: FieldService,
    module: string,
    rejection: { field?: string | undefined } | unknown,
  ): string | undefined {
    const field =
      rejection instanceof UpstreamRejectedError
        ? rejection.field
        : typeof rejection === "object" && rejection !== null && "field" in rejection
          ? (rejection as { field?: unknown }).field
          : undefined;
    if (typeof field !== "string" || !field) return undefined;
    this.invalidate(connection, service, module);
    return field;
  }
}
