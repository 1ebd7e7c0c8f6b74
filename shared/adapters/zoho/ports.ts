/**
 * STAND-IN (pipeline package, until the adapters package's `createZohoPorts` lands; its version replaces this file):
 * the Zoho ports over the HTTP client, with only the wire shapes the pipeline and the two use cases need. Every CRM
 * write sends `"trigger": []`; batches over 100 items are refused; ids Zoho answers that go into later URLs are
 * checked (1-19 digits).
 */
import * as z from "zod";
import { UpstreamRejectedError, ValidationError } from "../../errors.js";
import type { ZohoPorts } from "../../ports/zoho.js";
import type { CrmNote, CrmRecord, ItemResult, NewNote, NewTask, ZohoCrm } from "../../ports/zoho-crm.js";
import type {
  DeskReply,
  DeskReplyAddress,
  DeskThread,
  DeskThreadSummary,
  DeskTicket,
  ZohoDesk,
} from "../../ports/zoho-desk.js";
import { parseCrmFields, parseDeskFields, rejectedField } from "./field-metadata-wire.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

const MAX_BATCH = 100;
const ZOHO_ID = /^\d{1,19}$/;

function checkId(upstream: "zoho-crm" | "zoho-desk", id: unknown, what: string): string {
  if (typeof id === "string" && ZOHO_ID.test(id)) return id;
  throw new UpstreamRejectedError(
    upstream,
    `Zoho answered a ${what} id that is not 1-19 digits`,
    "INVALID_ID",
    undefined,
  );
}

function checkBatch(items: readonly unknown[]) {
  if (items.length > MAX_BATCH) throw new ValidationError(`at most ${MAX_BATCH} items per Zoho batch call`);
}

const ItemSchema = z.looseObject({
  status: z.string().nullish(),
  code: z.string().nullish(),
  message: z.string().nullish(),
  details: z.unknown(),
});

/** Zoho's per-item answers, in order, as ItemResults (one per item sent). */
function itemResults(body: unknown, count: number): ItemResult[] {
  const data = z.looseObject({ data: z.array(z.unknown()).nullish() }).safeParse(body ?? {});
  const list = data.success ? (data.data.data ?? []) : [];
  return Array.from({ length: count }, (_, i): ItemResult => {
    const item = ItemSchema.safeParse(list[i]);
    if (!item.success)
      return { ok: false, code: "NO_RESULT", message: "Zoho answered no result for this item" };
    const { status, code, message, details } = item.data;
    if (status === "success") {
      const id = (details as { id?: unknown } | undefined)?.id;
      return { ok: true, id: typeof id === "string" ? id : "" };
    }
    const field = rejectedField(code, details);
    return {
      ok: false,
      code: code ?? "NO_RESULT",
      message: message ?? "",
      ...(field ? { field } : {}),
      ...(details !== undefined ? { details } : {}),
    };
  });
}

class ZohoCrmHttp implements ZohoCrm {
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

const ReplyAddressSchema = z.looseObject({
  address: z.string().nullish(),
  emailAddress: z.string().nullish(),
  departmentId: z.union([z.string(), z.number()]).nullish(),
  isActive: z.boolean().nullish(),
  isDefault: z.boolean().nullish(),
});

class ZohoDeskHttp implements ZohoDesk {
  constructor(private readonly http: ZohoHttpClient) {}

  async getTicket(ticketId: string): Promise<DeskTicket | null> {
    const t = await this.http.request<Record<string, unknown>>({
      service: "desk",
      method: "GET",
      path: `/api/v1/tickets/${ticketId}`,
    });
    if (!t.data) return null;
    const departmentId = t.data.departmentId;
    return {
      ...t.data,
      id: checkId("zoho-desk", t.data.id, "ticket"),
      ...(typeof departmentId === "number" ? { departmentId: String(departmentId) } : {}),
    };
  }

  async listThreads(ticketId: string): Promise<DeskThreadSummary[]> {
    const list = await this.http.request<{ data?: { id: unknown; direction: string; status?: string }[] }>({
      service: "desk",
      method: "GET",
      path: `/api/v1/tickets/${ticketId}/threads`,
    });
    return (list.data?.data ?? []).map((th) => ({
      direction: th.direction,
      ...(th.status !== undefined ? { status: th.status } : {}),
      id: checkId("zoho-desk", th.id, "thread"),
    }));
  }

  async getThread(ticketId: string, threadId: string): Promise<DeskThread | null> {
    const full = await this.http.request<{ direction: string; content: string }>({
      service: "desk",
      method: "GET",
      path: `/api/v1/tickets/${ticketId}/threads/${threadId}`,
    });
    return full.data ? { direction: full.data.direction, content: full.data.content } : null;
  }

  async updateTicketFields(ticketId: string, fields: Record<string, unknown>): Promise<void> {
    try {
      await this.http.request({
        service: "desk",
        method: "PATCH",
        path: `/api/v1/tickets/${ticketId}`,
        body: { cf: fields },
      });
    } catch (error) {
      const field =
        error instanceof UpstreamRejectedError ? rejectedField(error.code, error.details) : undefined;
      if (error instanceof UpstreamRejectedError && field && !error.field)
        throw new UpstreamRejectedError("zoho-desk", error.message, error.code, error.details, {
          cause: error,
          field,
        });
      throw error;
    }
  }

  async addPrivateComment(ticketId: string, content: string): Promise<void> {
    await this.http.request({
      service: "desk",
      method: "POST",
      path: `/api/v1/tickets/${ticketId}/comments`,
      body: { isPublic: false, contentType: "plainText", content },
    });
  }

  draftReply(ticketId: string, reply: DeskReply): Promise<void> {
    return this.reply(ticketId, "draftReply", reply);
  }

  sendReply(ticketId: string, reply: DeskReply): Promise<void> {
    return this.reply(ticketId, "sendReply", reply);
  }

  private async reply(ticketId: string, action: "draftReply" | "sendReply", reply: DeskReply) {
    await this.http.request({
      service: "desk",
      method: "POST",
      path: `/api/v1/tickets/${ticketId}/${action}`,
      body: {
        channel: "EMAIL",
        contentType: "plainText",
        content: reply.content,
        ...(reply.to ? { to: reply.to } : {}),
        ...(reply.fromEmailAddress ? { fromEmailAddress: reply.fromEmailAddress } : {}),
      },
    });
  }

  async fields(module: string) {
    const res = await this.http.request({
      service: "desk",
      method: "GET",
      path: "/api/v1/organizationFields",
      query: { module },
    });
    return parseDeskFields(res.data);
  }

  async replyAddresses(departmentId?: string): Promise<DeskReplyAddress[]> {
    const res = await this.http.request<{ data?: unknown[] }>({
      service: "desk",
      method: "GET",
      path: "/api/v1/mailReplyAddress",
      query: { isActive: "true", ...(departmentId ? { departmentId } : {}) },
    });
    const out: DeskReplyAddress[] = [];
    for (const raw of Array.isArray(res.data?.data) ? res.data.data : []) {
      const entry = ReplyAddressSchema.safeParse(raw);
      const address = entry.success ? (entry.data.address ?? entry.data.emailAddress) : undefined;
      if (!entry.success || !address) continue;
      out.push({
        address,
        isActive: entry.data.isActive !== false,
        ...(entry.data.departmentId != null ? { departmentId: String(entry.data.departmentId) } : {}),
        ...(entry.data.isDefault ? { isDefault: true } : {}),
      });
    }
    return out;
  }
}

export function createZohoPorts(http: ZohoHttpClient): ZohoPorts {
  return { crm: new ZohoCrmHttp(http), desk: new ZohoDeskHttp(http) };
}
