/**
 * STAND-IN (pipeline package, until the adapters package's version lands; theirs replaces this file): Zoho CRM behind the
 * `ZohoCrm` port, with only the wire shapes the pipeline and the two use cases need; every write sends
 * `"trigger": []`.
 */
import { ValidationError } from "../../errors.js";
import type { CrmNote, CrmRecord, NewNote, NewTask, ZohoCrm } from "../../ports/zoho-crm.js";
import { parseCrmFields } from "./field-metadata-wire.js";
import { checkBatch, checkId, itemResults } from "./wire-common.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

export class ZohoCrmHttp implements ZohoCrm {
  constructor(private readonly http: ZohoHttpClient) {}

  async getRecords(module: string, ids: readonly string[]): Promise<CrmRecord[]> {
    const out: CrmRecord[] = [];
    for (const id of ids) {
      const r = await this.getRecord(module, id);
      if (r) out.push(r);
    }
    return out;
  }

  async getRecord(module: string, id: string): Promise<CrmRecord | null> {
    const res = await this.http.request<{ data?: Record<string, unknown>[] }>({
      service: "crm",
      method: "GET",
      path: `/crm/v8/${module}/${id}`,
    });
    const record = res.data?.data?.[0];
    return record ? { ...record, id: checkId("zoho-crm", record.id ?? id, "record") } : null;
  }

  async updateRecords(module: string, records: readonly ({ id: string } & Record<string, unknown>)[]) {
    checkBatch(records);
    const res = await this.http.request({
      service: "crm",
      method: "PUT",
      path: `/crm/v8/${module}`,
      body: { data: records, trigger: [] },
    });
    return itemResults(res.data, records.length);
  }

  async createNotes(notes: readonly NewNote[]) {
    checkBatch(notes);
    const res = await this.http.request({
      service: "crm",
      method: "POST",
      path: "/crm/v8/Notes",
      body: {
        data: notes.map((n) => ({
          ...(n.title !== undefined ? { Note_Title: n.title } : {}),
          Note_Content: n.content,
          Parent_Id: { module: { api_name: n.module }, id: n.recordId },
        })),
        trigger: [],
      },
    });
    return itemResults(res.data, notes.length);
  }

  async listNotes(module: string, recordId: string, limit = 200): Promise<CrmNote[]> {
    const res = await this.http.request<{
      data?: { id?: string; Note_Title?: string | null; Note_Content?: string | null }[];
    }>({
      service: "crm",
      method: "GET",
      path: `/crm/v8/${module}/${recordId}/Notes`,
      query: { fields: "Note_Title,Note_Content", per_page: String(limit), sort_order: "desc" },
    });
    return (res.data?.data ?? []).map((n) => ({
      id: String(n.id ?? ""),
      title: n.Note_Title ?? null,
      content: n.Note_Content ?? "",
    }));
  }

  async createTasks(tasks: readonly NewTask[]) {
    checkBatch(tasks);
    const person = (m: string) => m === "Leads" || m === "Contacts";
    const res = await this.http.request({
      service: "crm",
      method: "POST",
      path: "/crm/v8/Tasks",
      body: {
        data: tasks.map((t) => ({
          Subject: t.subject,
          ...(t.dueDate ? { Due_Date: t.dueDate } : {}),
          ...(t.description ? { Description: t.description } : {}),
          ...(t.priority ? { Priority: t.priority } : {}),
          ...(t.ownerId ? { Owner: { id: t.ownerId } } : {}),
          [person(t.module) ? "Who_Id" : "What_Id"]: { id: t.recordId },
          ...(person(t.module) ? {} : { $se_module: t.module }),
        })),
        trigger: [],
      },
    });
    return itemResults(res.data, tasks.length);
  }

  async search(): Promise<CrmRecord[]> {
    throw new ValidationError("search is not part of the pipeline's stand-in adapter");
  }

  async coql(): Promise<Record<string, unknown>[]> {
    throw new ValidationError("COQL is not part of the pipeline's stand-in adapter");
  }

  async fields(module: string) {
    const res = await this.http.request({
      service: "crm",
      method: "GET",
      path: "/crm/v8/settings/fields",
      query: { module },
    });
    return parseCrmFields(res.data);
  }

  async downloadAttachment(): Promise<never> {
    throw new ValidationError("attachments are not part of the pipeline's stand-in adapter");
  }

  creditsRemaining(): number | undefined {
    return this.http.creditsRemaining;
  }
}
