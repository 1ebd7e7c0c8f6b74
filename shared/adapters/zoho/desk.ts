/**
 * STAND-IN (pipeline package, until the adapters package's version lands; theirs replaces this file): Zoho Desk behind the
 * `ZohoDesk` port, with only the wire shapes the pipeline and ticket triage need. A refused field update names the
 * field Desk named (`UpstreamRejectedError.field`).
 */
import * as z from "zod";
import { UpstreamRejectedError } from "../../errors.js";
import type {
  DeskReply,
  DeskReplyAddress,
  DeskThread,
  DeskThreadSummary,
  DeskTicket,
  ZohoDesk,
} from "../../ports/zoho-desk.js";
import { parseDeskFields, rejectedField } from "./field-metadata-wire.js";
import { checkId } from "./wire-common.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

const ReplyAddressSchema = z.looseObject({
  address: z.string().nullish(),
  emailAddress: z.string().nullish(),
  departmentId: z.union([z.string(), z.number()]).nullish(),
  isActive: z.boolean().nullish(),
  isDefault: z.boolean().nullish(),
});

export class ZohoDeskHttp implements ZohoDesk {
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
