/**
 * An in-memory Zoho Books behind the `ZohoBooks` port: the token's organizations, contacts, invoices, estimates and
 * sales orders with their custom fields, comments, custom field metadata, Books' refusals (injected per write),
 * whole-call failures and a log of every call. It does what the real adapter does: an unknown entity is null on a
 * read and NotFoundError 1002 on a write, and contacts take no comments (ValidationError).
 */
import type { ZohoField } from "../../shared/domain/zoho-field.js";
import { NotFoundError, ValidationError } from "../../shared/errors.js";
import type {
  BooksEntity,
  BooksOrganization,
  BooksRecord,
  ZohoBooks,
} from "../../shared/ports/zoho-books.js";
import type { ItemResult } from "../../shared/ports/zoho-crm.js";

export interface BooksCall {
  method: keyof ZohoBooks;
  args: unknown[];
}

type Refusal = Extract<ItemResult, { ok: false }>;
type WriteMethod = "updateCustomFields" | "addComment";

export class FakeZohoBooks implements ZohoBooks {
  readonly entities = new Map<BooksEntity, Map<string, BooksRecord>>();
  readonly comments: { entity: BooksEntity; id: string; text: string }[] = [];
  readonly entityFields = new Map<BooksEntity, ZohoField[]>();
  orgs: BooksOrganization[] = [{ id: "10234695", name: "Demo Org" }];
  readonly calls: BooksCall[] = [];
  private readonly refusals: { method: WriteMethod; match: (item: unknown) => boolean; result: Refusal }[] =
    [];
  private readonly failures: { method: keyof ZohoBooks; error: Error }[] = [];

  /** Seeds an entity (`customFields` defaults to none). */
  put(
    entity: BooksEntity,
    record: Record<string, unknown> & { id: string; customFields?: Record<string, unknown> },
  ) {
    const table = this.entities.get(entity) ?? new Map<string, BooksRecord>();
    table.set(record.id, { ...record, customFields: { ...record.customFields } });
    this.entities.set(entity, table);
    return this;
  }

  find(entity: BooksEntity, id: string): BooksRecord | undefined {
    return this.entities.get(entity)?.get(id);
  }

  /** The next write of `method` whose values or text `match` gets Books' refusal `result` (each used once). */
  refuse(method: WriteMethod, match: (item: unknown) => boolean, result: Omit<Refusal, "ok">): this {
    this.refusals.push({ method, match, result: { ok: false, ...result } });
    return this;
  }

  /** The next call of `method` throws `error` (as the adapter does for rate limits, 5xx, timeouts). */
  failNext(method: keyof ZohoBooks, error: Error): this {
    this.failures.push({ method, error });
    return this;
  }

  /** The write calls, in order. */
  writes(): BooksCall[] {
    return this.calls.filter((c) => c.method === "updateCustomFields" || c.method === "addComment");
  }

  private call(method: keyof ZohoBooks, ...args: unknown[]) {
    this.calls.push({ method, args });
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) throw (this.failures.splice(i, 1)[0] as { error: Error }).error;
  }

  private refusal(method: WriteMethod, item: unknown): Refusal | undefined {
    const i = this.refusals.findIndex((r) => r.method === method && r.match(item));
    return i >= 0 ? (this.refusals.splice(i, 1)[0] as { result: Refusal }).result : undefined;
  }

  private existing(entity: BooksEntity, id: string): BooksRecord {
    const record = this.find(entity, id);
    if (!record)
      throw new NotFoundError("zoho-books", `Books has no ${entity} ${id}`, { status: 404, code: "1002" });
    return record;
  }

  async organizations(): Promise<BooksOrganization[]> {
    this.call("organizations");
    return this.orgs.map((o) => ({ ...o }));
  }

  async getEntity(entity: BooksEntity, id: string): Promise<BooksRecord | null> {
    this.call("getEntity", entity, id);
    const r = this.find(entity, id);
    return r ? { ...r, customFields: { ...r.customFields } } : null;
  }

  async updateCustomFields(
    entity: BooksEntity,
    id: string,
    values: Record<string, unknown>,
  ): Promise<ItemResult> {
    this.call("updateCustomFields", entity, id, { ...values });
    const refused = this.refusal("updateCustomFields", values);
    if (refused) return refused;
    const record = this.existing(entity, id);
    Object.assign(record.customFields, values);
    return { ok: true, id };
  }

  async addComment(entity: BooksEntity, id: string, text: string): Promise<ItemResult> {
    this.call("addComment", entity, id, text);
    if (entity === "contacts") throw new ValidationError("Books contacts take no comments");
    const refused = this.refusal("addComment", text);
    if (refused) return refused;
    this.existing(entity, id);
    this.comments.push({ entity, id, text });
    return { ok: true, id };
  }

  async listComments(entity: BooksEntity, id: string): Promise<string[]> {
    this.call("listComments", entity, id);
    return this.comments.filter((c) => c.entity === entity && c.id === id).map((c) => c.text);
  }

  async fields(entity: BooksEntity): Promise<ZohoField[]> {
    this.call("fields", entity);
    return [...(this.entityFields.get(entity) ?? [])];
  }
}
