/**
 * Zoho CRM v8 behind the `ZohoCrm` port: every URL and wire shape of records, notes, tasks, search, COQL, field
 * metadata and attachments lives here. Every write carries `"trigger": []` (the mediator's own write must never
 * re-fire the workflow that called it), batches are refused above 100 items, per-item answers become ItemResults
 * naming Zoho's `details.api_name`, and ids Zoho answers are checked before they can reach a later URL.
 */
import type { ZohoField } from "../../domain/zoho-field.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import type {
  CrmAttachment,
  CrmNote,
  CrmRecord,
  ItemResult,
  NewNote,
  NewTask,
  ZohoCrm,
} from "../../ports/zoho-crm.js";
import { parseCrmFields } from "./field-metadata-wire.js";
import { assertBatch, checkedId, itemResults, namingField } from "./wire.js";
import type { ZohoBinary, ZohoHttpClient } from "./zoho-http-client.js";

/** Zoho's list call takes at most 50 field names (`fields` is mandatory in v8). */
const MAX_FIELDS_PER_READ = 50;
/**
 * Zoho's v8 OAS (record.json, parameters `Ids` and `Fields`) caps `ids` and `fields` at 1024 characters each: with
 * 19-digit ids that is 51 ids per call, below the 100 records a page may hold.
 */
export const MAX_LIST_PARAM_CHARS = 1024;

/** Groups of at most `max` items whose comma-joined length stays within MAX_LIST_PARAM_CHARS. */
function joinedWithin(items: readonly string[], max: number): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let length = 0;
  for (const item of items) {
    const added = group.length === 0 ? item.length : length + 1 + item.length;
    if (group.length > 0 && (group.length >= max || added > MAX_LIST_PARAM_CHARS)) {
      groups.push(group);
      group = [item];
      length = item.length;
    } else {
      group.push(item);
      length = added;
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

type DataAnswer = { data?: Record<string, unknown>[] };

export interface ZohoCrmHttpOptions {
  /**
   * Modules whose records a task names as its person (`Who_Id`, the "Contact Name" lookup); every other module is
   * the task's `What_Id` with `$se_module` ("Related To"). Zoho's SDK sample puts Contacts in `Who_Id`; whether
   * `Who_Id` also takes Leads is UNCONFIRMED, so Leads go in `What_Id` unless configured here. @default ["Contacts"]
   */
  taskPersonModules?: readonly string[];
}

export class ZohoCrmHttp implements ZohoCrm {
  private readonly personModules: ReadonlySet<string>;

  constructor(
    private readonly http: ZohoHttpClient,
    options: ZohoCrmHttpOptions = {},
  ) {
    this.personModules = new Set(options.taskPersonModules ?? ["Contacts"]);
  }

  async getRecords(module: string, ids: readonly string[], fields?: readonly string[]): Promise<CrmRecord[]> {
    if (ids.length === 0) return [];
    const names = fields?.length ? [...fields] : (await this.fields(module)).map((f) => f.name);
    const out: CrmRecord[] = [];
    for (const idChunk of joinedWithin(ids, 100)) {
      // More fields than one call takes: read them in groups and merge per record.
      const merged = new Map<string, CrmRecord>();
      for (const fieldChunk of joinedWithin(names, MAX_FIELDS_PER_READ)) {
        const res = await this.http.request<DataAnswer>({
          service: "crm",
          method: "GET",
          path: `/crm/v8/${module}`,
          query: { ids: idChunk.join(","), fields: fieldChunk.join(","), per_page: idChunk.length },
        });
        for (const record of this.records(res.data))
          merged.set(record.id, { ...merged.get(record.id), ...record });
      }
      out.push(...merged.values());
    }
    return out;
  }

  async getRecord(module: string, id: string, fields?: readonly string[]): Promise<CrmRecord | null> {
    // A field list longer than one call takes reads the whole record instead (the caller gets a superset).
    const joined = fields?.join(",");
    const named =
      fields?.length && fields.length <= MAX_FIELDS_PER_READ && (joined?.length ?? 0) <= MAX_LIST_PARAM_CHARS
        ? joined
        : undefined;
    try {
      const res = await this.http.request<DataAnswer>({
        service: "crm",
        method: "GET",
        path: `/crm/v8/${module}/${id}`,
        ...(named ? { query: { fields: named } } : {}),
      });
      // An unknown id answers 204 (no data).
      return this.records(res.data)[0] ?? null;
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  async updateRecords(
    module: string,
    records: readonly ({ id: string } & Record<string, unknown>)[],
  ): Promise<ItemResult[]> {
    assertBatch(records, "records");
    if (records.length === 0) return [];
    return this.write(
      "PUT",
      `/crm/v8/${module}`,
      records.map((r) => ({ ...r })),
      records.map((r) => r.id),
    );
  }

  async createRecords(module: string, records: readonly Record<string, unknown>[]): Promise<ItemResult[]> {
    assertBatch(records, "records");
    if (records.length === 0) return [];
    return this.write(
      "POST",
      `/crm/v8/${module}`,
      records.map((r) => ({ ...r })),
      records.map(() => undefined),
    );
  }

  async createNotes(notes: readonly NewNote[]): Promise<ItemResult[]> {
    assertBatch(notes, "notes");
    if (notes.length === 0) return [];
    const data = notes.map((n) => ({
      ...(n.title !== undefined ? { Note_Title: n.title } : {}),
      Note_Content: n.content,
      Parent_Id: { module: { api_name: n.module }, id: n.recordId },
    }));
    return this.write(
      "POST",
      "/crm/v8/Notes",
      data,
      notes.map(() => undefined),
    );
  }

  async listNotes(module: string, recordId: string, limit = 200): Promise<CrmNote[]> {
    const res = await this.http.request<DataAnswer>({
      service: "crm",
      method: "GET",
      path: `/crm/v8/${module}/${recordId}/Notes`,
      query: {
        fields: "Note_Title,Note_Content",
        per_page: Math.min(Math.max(1, limit), 200),
        sort_order: "desc",
      },
    });
    return (res.data?.data ?? []).slice(0, limit).map((n) => ({
      id: checkedId(n.id, "zoho-crm", "a note id"),
      title: typeof n.Note_Title === "string" ? n.Note_Title : null,
      content: typeof n.Note_Content === "string" ? n.Note_Content : "",
    }));
  }

  async createTasks(tasks: readonly NewTask[]): Promise<ItemResult[]> {
    assertBatch(tasks, "tasks");
    if (tasks.length === 0) return [];
    const data = tasks.map((t) => ({
      Subject: t.subject,
      ...(t.dueDate !== undefined ? { Due_Date: t.dueDate } : {}),
      ...(t.description !== undefined ? { Description: t.description } : {}),
      ...(t.priority !== undefined ? { Priority: t.priority } : {}),
      ...(t.ownerId !== undefined ? { Owner: { id: t.ownerId } } : {}),
      ...(this.personModules.has(t.module)
        ? { Who_Id: { id: t.recordId } }
        : { What_Id: { id: t.recordId }, $se_module: t.module }),
    }));
    return this.write(
      "POST",
      "/crm/v8/Tasks",
      data,
      tasks.map(() => undefined),
    );
  }

  async search(
    module: string,
    by: { email?: string; phone?: string; word?: string; criteria?: string },
    limit = 10,
  ): Promise<CrmRecord[]> {
    const key = (["criteria", "email", "phone", "word"] as const).find(
      (k) => by[k] !== undefined && by[k] !== "",
    );
    if (!key) throw new ValidationError("search needs one of criteria, email, phone or word", []);
    const res = await this.http.request<DataAnswer>({
      service: "crm",
      method: "GET",
      path: `/crm/v8/${module}/search`,
      query: { [key]: by[key], per_page: Math.min(Math.max(1, limit), 200) },
    });
    return this.records(res.data).slice(0, limit);
  }

  async coql(query: string): Promise<Record<string, unknown>[]> {
    const res = await namingField(() =>
      this.http.request<DataAnswer>({
        service: "crm",
        method: "POST",
        path: "/crm/v8/coql",
        body: { select_query: query },
        // A select changes nothing: safe to repeat after a 5xx.
        idempotent: true,
      }),
    );
    return res.data?.data ?? [];
  }

  async fields(module: string): Promise<ZohoField[]> {
    const res = await this.http.request({
      service: "crm",
      method: "GET",
      path: "/crm/v8/settings/fields",
      query: { module },
    });
    return parseCrmFields(res.data);
  }

  async downloadAttachment(
    module: string,
    recordId: string,
    attachmentId: string,
    maxBytes: number,
  ): Promise<CrmAttachment> {
    const res = await this.http.request<ZohoBinary>({
      service: "crm",
      method: "GET",
      path: `/crm/v8/${module}/${recordId}/Attachments/${attachmentId}`,
      binary: { maxBytes },
    });
    if (!res.data)
      throw new ValidationError(`attachment ${attachmentId} of ${module} ${recordId} is empty`, []);
    return {
      fileName: res.data.fileName ?? attachmentId,
      contentType: res.data.contentType,
      bytes: res.data.bytes,
    };
  }

  creditsRemaining(): number | undefined {
    return this.http.creditsRemaining;
  }

  /** A batch write with `"trigger": []`, one ItemResult per input. Zoho's 400 with `data[]` is a result too. */
  private async write(
    method: "PUT" | "POST",
    path: string,
    data: Record<string, unknown>[],
    inputIds: (string | undefined)[],
  ): Promise<ItemResult[]> {
    const res = await namingField(() =>
      this.http.request({ service: "crm", method, path, body: { data, trigger: [] } }),
    );
    return itemResults(res.data, inputIds);
  }

  /** Records of a `{data: [...]}` answer (none for 204), each id checked. */
  private records(answer: DataAnswer | undefined): CrmRecord[] {
    return (answer?.data ?? []).map((r) => ({ ...r, id: checkedId(r.id, "zoho-crm", "a record id") }));
  }
}
