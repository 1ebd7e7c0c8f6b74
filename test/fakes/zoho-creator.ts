/**
 * An in-memory Zoho Creator behind the `ZohoCreator` port: report records per app, the records added to forms (the
 * audit form), form field metadata, cursor paging, Creator's per-record refusals (injected per record), whole-call
 * failures and a log of every call. It enforces what the real adapter does: a write carries record fields only
 * (no `skip_workflow`, no `ID`: the adapter alone sends `skip_workflow`), an update of an unknown ID is
 * NotFoundError 3190, and an added record must hold its form's mandatory fields (3070).
 */
import type { ZohoField } from "../../shared/domain/zoho-field.js";
import { NotFoundError } from "../../shared/errors.js";
import type { CreatorApp, CreatorPage, CreatorRecord, ZohoCreator } from "../../shared/ports/zoho-creator.js";
import type { ItemResult } from "../../shared/ports/zoho-crm.js";

export interface CreatorCall {
  method: keyof ZohoCreator;
  args: unknown[];
}

type Refusal = Extract<ItemResult, { ok: false }>;
type WriteMethod = "updateRecord" | "addRecord";

/** The key of an app's report or form: `<app>/<name>` (owner and environment are the connection's). */
const keyOf = (app: CreatorApp, name: string) => `${app.app}/${name}`;

export class FakeZohoCreator implements ZohoCreator {
  /** Records per `<app>/<report>`, by ID. */
  readonly reports = new Map<string, Map<string, CreatorRecord>>();
  /** Records added per `<app>/<form>`. */
  readonly added = new Map<string, CreatorRecord[]>();
  /** Field metadata per `<app>/<form>`. */
  readonly formFields = new Map<string, ZohoField[]>();
  readonly calls: CreatorCall[] = [];
  /** Records per page when the caller asks for none (Creator's default is 200). */
  pageSize = 200;
  private readonly refusals: { method: WriteMethod; match: (data: unknown) => boolean; result: Refusal }[] =
    [];
  private readonly failures: { method: keyof ZohoCreator; error: Error }[] = [];
  private nextId = 3_888_833_000_000_114_000n;

  /** Seeds a record of `<app>/<report>`. */
  put(app: string, report: string, record: CreatorRecord): this {
    const key = `${app}/${report}`;
    const table = this.reports.get(key) ?? new Map<string, CreatorRecord>();
    table.set(record.ID, { ...record });
    this.reports.set(key, table);
    return this;
  }

  find(app: string, report: string, id: string): CreatorRecord | undefined {
    return this.reports.get(`${app}/${report}`)?.get(id);
  }

  /** The next write of `method` whose data `match`es gets Creator's refusal `result` (each used once). */
  refuse(method: WriteMethod, match: (data: unknown) => boolean, result: Omit<Refusal, "ok">): this {
    this.refusals.push({ method, match, result: { ok: false, ...result } });
    return this;
  }

  /** The next call of `method` throws `error` (as the adapter does for rate limits, 5xx, timeouts). */
  failNext(method: keyof ZohoCreator, error: Error): this {
    this.failures.push({ method, error });
    return this;
  }

  /** The write calls, in order. */
  writes(): CreatorCall[] {
    return this.calls.filter((c) => c.method === "updateRecord" || c.method === "addRecord");
  }

  private call(method: keyof ZohoCreator, ...args: unknown[]) {
    this.calls.push({ method, args });
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) throw (this.failures.splice(i, 1)[0] as { error: Error }).error;
  }

  private refusal(method: WriteMethod, data: unknown): Refusal | undefined {
    const i = this.refusals.findIndex((r) => r.method === method && r.match(data));
    return i >= 0 ? (this.refusals.splice(i, 1)[0] as { result: Refusal }).result : undefined;
  }

  private static recordFieldsOnly(data: Record<string, unknown>, what: string) {
    for (const key of Object.keys(data))
      if (key === "skip_workflow" || key === "ID")
        throw new Error(`the pipeline tried to send "${key}" in a Creator ${what}`);
  }

  async getRecord(app: CreatorApp, report: string, id: string): Promise<CreatorRecord | null> {
    this.call("getRecord", app, report, id);
    const r = this.reports.get(keyOf(app, report))?.get(id);
    return r ? { ...r } : null;
  }

  /**
   * A page of the report in insertion order. `criteria`: only `(Field == "value")` is understood (the form the
   * tests send); the cursor is the next record's position.
   */
  async listRecords(
    app: CreatorApp,
    report: string,
    options: { criteria?: string; maxRecords?: 200 | 500 | 1000; cursor?: string } = {},
  ): Promise<CreatorPage> {
    this.call("listRecords", app, report, options);
    let all = [...(this.reports.get(keyOf(app, report))?.values() ?? [])];
    const criteria = options.criteria?.match(/^\((\w+)\s*==\s*"(.*)"\)$/);
    if (criteria) all = all.filter((r) => String(r[criteria[1] as string] ?? "") === criteria[2]);
    const from = options.cursor ? Number(options.cursor) : 0;
    const size = options.maxRecords ?? this.pageSize;
    const records = all.slice(from, from + size).map((r) => ({ ...r }));
    return from + size < all.length ? { records, cursor: String(from + size) } : { records };
  }

  async updateRecord(
    app: CreatorApp,
    report: string,
    id: string,
    data: Record<string, unknown>,
  ): Promise<ItemResult> {
    FakeZohoCreator.recordFieldsOnly(data, "update");
    this.call("updateRecord", app, report, id, { ...data });
    const refused = this.refusal("updateRecord", data);
    if (refused) return refused;
    const current = this.reports.get(keyOf(app, report))?.get(id);
    if (!current)
      throw new NotFoundError("zoho-creator", `No record with ID ${id} found.`, {
        status: 404,
        code: "3190",
      });
    Object.assign(current, data);
    return { ok: true, id };
  }

  async addRecord(app: CreatorApp, form: string, data: Record<string, unknown>): Promise<ItemResult> {
    FakeZohoCreator.recordFieldsOnly(data, "add");
    this.call("addRecord", app, form, { ...data });
    const refused = this.refusal("addRecord", data);
    if (refused) return refused;
    const missing = (this.formFields.get(keyOf(app, form)) ?? []).find(
      (f) => f.mandatory && (data[f.name] === undefined || data[f.name] === null || data[f.name] === ""),
    );
    if (missing)
      return {
        ok: false,
        code: "3070",
        message: `Data validation failure: ${missing.name}`,
        field: missing.name,
      };
    this.nextId += 1n;
    const ID = String(this.nextId);
    const list = this.added.get(keyOf(app, form)) ?? [];
    list.push({ ...data, ID });
    this.added.set(keyOf(app, form), list);
    return { ok: true, id: ID };
  }

  async fields(app: CreatorApp, form: string): Promise<ZohoField[]> {
    this.call("fields", app, form);
    return [...(this.formFields.get(keyOf(app, form)) ?? [])];
  }
}
