/**
 * An in-memory Zoho CRM behind the `ZohoCrm` port: records, notes, tasks and field metadata, Zoho's per-item answers
 * (with refusals injected per item), whole-call failures (not logged: nothing of them reached Zoho), a credits
 * counter and a log of every call. It enforces what the real adapter does: at most 100 items per batch, and nothing
 * but record fields in an update (no `trigger`, no `$` keys: the adapter alone sends `"trigger": []`, so a workflow
 * can never be re-fired).
 */
import type { ZohoField } from "../../shared/domain/zoho-field.js";
import { ValidationError } from "../../shared/errors.js";
import type {
  CrmNote,
  CrmRecord,
  ItemResult,
  NewNote,
  NewTask,
  ZohoCrm,
} from "../../shared/ports/zoho-crm.js";

export type CrmCall =
  | { method: "updateRecords"; module: string; records: Record<string, unknown>[]; trigger: [] }
  | { method: "createRecords"; module: string; records: Record<string, unknown>[]; trigger: [] }
  | { method: "createNotes"; notes: NewNote[]; trigger: [] }
  | { method: "createTasks"; tasks: NewTask[]; trigger: [] }
  | { method: "getRecord" | "getRecords" | "listNotes" | "fields" | "search" | "coql"; args: unknown[] };

type Refusal = Extract<ItemResult, { ok: false }>;
type WriteMethod = "updateRecords" | "createRecords" | "createNotes" | "createTasks";

export class FakeZohoCrm implements ZohoCrm {
  readonly records = new Map<string, Map<string, CrmRecord>>();
  readonly notes: (CrmNote & { module: string; recordId: string })[] = [];
  readonly tasks: (NewTask & { id: string })[] = [];
  readonly moduleFields = new Map<string, ZohoField[]>();
  readonly calls: CrmCall[] = [];
  /** Credits left; undefined until set (as before the first real call). */
  credits: number | undefined;
  private readonly refusals: { method: WriteMethod; match: (item: unknown) => boolean; result: Refusal }[] =
    [];
  private readonly failures: { method: keyof ZohoCrm; error: Error }[] = [];
  private nextId = 5_000_000_000_000_000;

  /** Seeds a record. */
  put(module: string, record: CrmRecord): this {
    const table = this.records.get(module) ?? new Map<string, CrmRecord>();
    table.set(record.id, { ...record });
    this.records.set(module, table);
    return this;
  }

  find(module: string, id: string): CrmRecord | undefined {
    return this.records.get(module)?.get(id);
  }

  /** The next items of `method` that `match` get Zoho's refusal `result` (each refusal is used once). */
  refuse(method: WriteMethod, match: (item: unknown) => boolean, result: Omit<Refusal, "ok">): this {
    this.refusals.push({ method, match, result: { ok: false, ...result } });
    return this;
  }

  /** The next call of `method` throws `error` (as the adapter does for 429, 5xx, timeouts). */
  failNext(method: keyof ZohoCrm, error: Error): this {
    this.failures.push({ method, error });
    return this;
  }

  /** The write calls (the ones that carry `"trigger": []` on the wire). */
  writes(): Exclude<CrmCall, { args: unknown[] }>[] {
    return this.calls.filter((c): c is Exclude<CrmCall, { args: unknown[] }> => !("args" in c));
  }

  private fail(method: keyof ZohoCrm) {
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) throw (this.failures.splice(i, 1)[0] as { error: Error }).error;
  }

  private batch(items: readonly unknown[]) {
    if (items.length > 100) throw new ValidationError("at most 100 items per Zoho batch call");
  }

  private refusal(method: WriteMethod, item: unknown): Refusal | undefined {
    const i = this.refusals.findIndex((r) => r.method === method && r.match(item));
    return i >= 0 ? (this.refusals.splice(i, 1)[0] as { result: Refusal }).result : undefined;
  }

  private id(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  async getRecords(module: string, ids: readonly string[], fields?: readonly string[]): Promise<CrmRecord[]> {
    this.fail("getRecords");
    this.calls.push({ method: "getRecords", args: fields ? [module, ids, fields] : [module, ids] });
    return ids.flatMap((id) => {
      const r = this.find(module, id);
      return r ? [{ ...r }] : [];
    });
  }

  async getRecord(module: string, id: string, fields?: readonly string[]): Promise<CrmRecord | null> {
    this.fail("getRecord");
    this.calls.push({ method: "getRecord", args: fields ? [module, id, fields] : [module, id] });
    const r = this.find(module, id);
    return r ? { ...r } : null;
  }

  async updateRecords(module: string, records: readonly ({ id: string } & Record<string, unknown>)[]) {
    this.batch(records);
    for (const r of records)
      for (const key of Object.keys(r))
        if (key === "trigger" || key.startsWith("$"))
          throw new Error(`the pipeline tried to send "${key}" in a record update`);
    this.fail("updateRecords");
    this.calls.push({
      method: "updateRecords",
      module,
      records: records.map((r) => ({ ...r })),
      trigger: [],
    });
    return records.map((r): ItemResult => {
      const refused = this.refusal("updateRecords", r);
      if (refused) return refused;
      const current = this.find(module, r.id);
      if (!current) return { ok: false, code: "INVALID_DATA", message: "the id given seems to be invalid" };
      Object.assign(current, r);
      return { ok: true, id: r.id };
    });
  }

  /** Creates records; a module's `mandatory` fields (from `moduleFields`) must be there, as Zoho insists. */
  async createRecords(module: string, records: readonly Record<string, unknown>[]) {
    this.batch(records);
    for (const r of records)
      for (const key of Object.keys(r))
        if (key === "trigger" || key.startsWith("$") || key === "id")
          throw new Error(`the pipeline tried to send "${key}" in a record create`);
    this.fail("createRecords");
    this.calls.push({
      method: "createRecords",
      module,
      records: records.map((r) => ({ ...r })),
      trigger: [],
    });
    const mandatory = (this.moduleFields.get(module) ?? []).filter((f) => f.mandatory);
    return records.map((r): ItemResult => {
      const refused = this.refusal("createRecords", r);
      if (refused) return refused;
      const missing = mandatory.find(
        (f) => r[f.name] === undefined || r[f.name] === null || r[f.name] === "",
      );
      if (missing)
        return {
          ok: false,
          code: "MANDATORY_NOT_FOUND",
          message: "required field not found",
          field: missing.name,
          details: { api_name: missing.name },
        };
      const id = this.id();
      this.put(module, { ...r, id });
      return { ok: true, id };
    });
  }

  async createNotes(notes: readonly NewNote[]) {
    this.batch(notes);
    this.fail("createNotes");
    this.calls.push({ method: "createNotes", notes: notes.map((n) => ({ ...n })), trigger: [] });
    return notes.map((n): ItemResult => {
      const refused = this.refusal("createNotes", n);
      if (refused) return refused;
      const id = this.id();
      this.notes.push({
        id,
        module: n.module,
        recordId: n.recordId,
        title: n.title ?? null,
        content: n.content,
      });
      return { ok: true, id };
    });
  }

  async listNotes(module: string, recordId: string, limit = 200): Promise<CrmNote[]> {
    this.fail("listNotes");
    this.calls.push({ method: "listNotes", args: [module, recordId, limit] });
    return this.notes
      .filter((n) => n.module === module && n.recordId === recordId)
      .reverse()
      .slice(0, limit)
      .map(({ id, title, content }) => ({ id, title, content }));
  }

  async createTasks(tasks: readonly NewTask[]) {
    this.batch(tasks);
    this.fail("createTasks");
    this.calls.push({ method: "createTasks", tasks: tasks.map((t) => ({ ...t })), trigger: [] });
    return tasks.map((t): ItemResult => {
      const refused = this.refusal("createTasks", t);
      if (refused) return refused;
      const id = this.id();
      this.tasks.push({ ...t, id });
      return { ok: true, id };
    });
  }

  async search(module: string, by: Record<string, string | undefined>): Promise<CrmRecord[]> {
    this.fail("search");
    this.calls.push({ method: "search", args: [module, by] });
    const all = [...(this.records.get(module)?.values() ?? [])];
    // `(Field:equals:value)`: the criteria form the pipeline and the use cases send.
    const criteria = by.criteria?.match(/^\((\w+):equals:(.*)\)$/);
    if (criteria) return all.filter((r) => String(r[criteria[1] as string] ?? "") === criteria[2]);
    const wanted = Object.values(by).filter((v): v is string => typeof v === "string");
    return all.filter((r) => wanted.some((w) => Object.values(r).includes(w)));
  }

  async coql(query: string): Promise<Record<string, unknown>[]> {
    this.fail("coql");
    this.calls.push({ method: "coql", args: [query] });
    return [];
  }

  async fields(module: string): Promise<ZohoField[]> {
    this.fail("fields");
    this.calls.push({ method: "fields", args: [module] });
    return [...(this.moduleFields.get(module) ?? [])];
  }

  async downloadAttachment(): Promise<never> {
    throw new ValidationError("the fake CRM holds no attachments");
  }

  creditsRemaining(): number | undefined {
    return this.credits;
  }
}
