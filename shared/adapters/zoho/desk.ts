/**
 * Zoho Desk v1 behind the `ZohoDesk` port: tickets, threads, custom-field updates (`cf`), private comments, draft
 * and sent replies, `organizationFields` and mail reply addresses. A write Desk refuses throws
 * UpstreamRejectedError with `field` set from Desk's `errors[].fieldName` (`/cf/cf_ai_urgency` -> `cf_ai_urgency`);
 * ids Desk answers are checked (1-19 digits) before they can reach a later URL.
 */
import * as z from "zod";
import type { ZohoField } from "../../domain/zoho-field.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import type {
  DeskReply,
  DeskReplyAddress,
  DeskThread,
  DeskThreadSummary,
  DeskTicket,
  NewDeskTicket,
  ZohoDesk,
} from "../../ports/zoho-desk.js";
import { parseDeskFields } from "./field-metadata-wire.js";
import { checkedId, namingField } from "./wire.js";
import type { ZohoHttpClient } from "./zoho-http-client.js";

const TicketSchema = z.looseObject({
  id: z.unknown(),
  subject: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  priority: z.string().nullish(),
  email: z.string().nullish(),
  contact: z.looseObject({ email: z.string().nullish() }).nullish(),
  departmentId: z.union([z.string(), z.number()]).nullish(),
  cf: z.record(z.string(), z.unknown()).nullish(),
});
const ThreadListSchema = z.looseObject({
  data: z
    .array(
      z.looseObject({
        id: z.unknown(),
        direction: z.string().nullish(),
        status: z.string().nullish(),
        createdTime: z.string().nullish(),
      }),
    )
    .nullish(),
});
const ThreadSchema = z.looseObject({ direction: z.string().nullish(), content: z.string().nullish() });
/** Desk's "List MailReplyAddresses" entry; the shape is UNCONFIRMED, so everything but the address is optional. */
const ReplyAddressSchema = z.looseObject({
  address: z.string().nullish(),
  emailAddress: z.string().nullish(),
  departmentId: z.union([z.string(), z.number()]).nullish(),
  isActive: z.boolean().nullish(),
  isDefault: z.boolean().nullish(),
});
const ReplyAddressesSchema = z.looseObject({ data: z.array(z.unknown()).nullish() });
/** `GET /api/v1/departments`: the org's departments; `isDefault`/`isEnabled` read when present. */
const DepartmentsSchema = z.looseObject({
  data: z
    .array(
      z.looseObject({
        id: z.unknown(),
        isDefault: z.boolean().nullish(),
        isEnabled: z.boolean().nullish(),
      }),
    )
    .nullish(),
});
const CreatedTicketSchema = z.looseObject({ id: z.unknown() });

/** Desk answers 404 (or 204) for a ticket or thread that does not exist: the port says null. */
async function orNull<T>(call: () => Promise<T | undefined>): Promise<T | null> {
  try {
    return (await call()) ?? null;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

const str = (v: string | number | null | undefined) =>
  v === null || v === undefined ? undefined : String(v);

export class ZohoDeskHttp implements ZohoDesk {
  /** The department new tickets go to when none is given (read once: an org's departments rarely change). */
  private defaultDepartment: Promise<string> | undefined;

  constructor(private readonly http: ZohoHttpClient) {}

  /**
   * `POST /api/v1/tickets`. Desk requires a department and a contact: the contact is given as `contact` (email and
   * last name), which Desk matches to an existing contact by e-mail or creates; the department is the caller's or
   * the org's default (else first enabled) one.
   */
  async createTicket(ticket: NewDeskTicket): Promise<{ id: string }> {
    const departmentId = ticket.departmentId ?? (await this.departmentForNewTickets());
    const res = await namingField(() =>
      this.http.request({
        service: "desk",
        method: "POST",
        path: "/api/v1/tickets",
        body: {
          subject: ticket.subject,
          description: ticket.description,
          departmentId,
          email: ticket.email,
          contact: { email: ticket.email, lastName: ticket.contactName || ticket.email },
          channel: "Email",
        },
      }),
    );
    const created = CreatedTicketSchema.parse(res.data ?? {});
    return { id: checkedId(created.id, "zoho-desk", "a ticket id") };
  }

  private departmentForNewTickets(): Promise<string> {
    this.defaultDepartment ??= (async () => {
      const res = await this.http.request({ service: "desk", method: "GET", path: "/api/v1/departments" });
      const list = (DepartmentsSchema.parse(res.data ?? {}).data ?? []).filter((d) => d.isEnabled !== false);
      const chosen = list.find((d) => d.isDefault === true) ?? list[0];
      if (!chosen) throw new ValidationError("Zoho Desk has no enabled department to create a ticket in", []);
      return checkedId(chosen.id, "zoho-desk", "a department id");
    })().catch((error) => {
      this.defaultDepartment = undefined;
      throw error;
    });
    return this.defaultDepartment;
  }

  getTicket(ticketId: string): Promise<DeskTicket | null> {
    return orNull(async () => {
      const res = await this.http.request({
        service: "desk",
        method: "GET",
        path: `/api/v1/tickets/${ticketId}`,
      });
      if (res.data === undefined) return undefined;
      const { id, subject, description, status, priority, email, departmentId, cf, ...rest } =
        TicketSchema.parse(res.data);
      const ticket: DeskTicket = { ...rest, id: checkedId(id, "zoho-desk", "a ticket id") };
      if (subject != null) ticket.subject = subject;
      if (description != null) ticket.description = description;
      if (status != null) ticket.status = status;
      if (priority != null) ticket.priority = priority;
      const address = email ?? rest.contact?.email;
      if (address) ticket.email = address;
      if (departmentId != null) ticket.departmentId = String(departmentId);
      if (cf) ticket.cf = cf;
      return ticket;
    });
  }

  async listThreads(ticketId: string): Promise<DeskThreadSummary[]> {
    const res = await this.http.request({
      service: "desk",
      method: "GET",
      path: `/api/v1/tickets/${ticketId}/threads`,
    });
    const list = ThreadListSchema.parse(res.data ?? {}).data ?? [];
    const threads = list.map((th) => ({
      id: checkedId(th.id, "zoho-desk", "a thread id"),
      direction: th.direction ?? "unknown",
      ...(th.status ? { status: th.status } : {}),
      at: th.createdTime ? Date.parse(th.createdTime) : Number.NaN,
    }));
    // Oldest first, whichever order Desk lists them in (when every thread says when it was made).
    if (threads.every((t) => !Number.isNaN(t.at))) threads.sort((a, b) => a.at - b.at);
    return threads.map(({ at: _at, ...t }) => t);
  }

  getThread(ticketId: string, threadId: string): Promise<DeskThread | null> {
    return orNull(async () => {
      const res = await this.http.request({
        service: "desk",
        method: "GET",
        path: `/api/v1/tickets/${ticketId}/threads/${threadId}`,
      });
      if (res.data === undefined) return undefined;
      const th = ThreadSchema.parse(res.data);
      return { direction: th.direction ?? "unknown", content: th.content ?? "" };
    });
  }

  async updateTicketFields(ticketId: string, fields: Record<string, unknown>): Promise<void> {
    await namingField(() =>
      this.http.request({
        service: "desk",
        method: "PATCH",
        path: `/api/v1/tickets/${ticketId}`,
        body: { cf: fields },
      }),
    );
  }

  async addPrivateComment(ticketId: string, content: string): Promise<void> {
    await namingField(() =>
      this.http.request({
        service: "desk",
        method: "POST",
        path: `/api/v1/tickets/${ticketId}/comments`,
        body: { isPublic: false, contentType: "plainText", content },
      }),
    );
  }

  draftReply(ticketId: string, reply: DeskReply): Promise<void> {
    return this.reply(ticketId, "draftReply", reply);
  }

  sendReply(ticketId: string, reply: DeskReply): Promise<void> {
    return this.reply(ticketId, "sendReply", reply);
  }

  async fields(module: string): Promise<ZohoField[]> {
    const res = await this.http.request({
      service: "desk",
      method: "GET",
      path: "/api/v1/organizationFields",
      query: { module },
    });
    return parseDeskFields(res.data);
  }

  /**
   * Active reply addresses in Desk's order; entries that do not parse are skipped (tolerant of shape drift). An
   * org (or API version) without the endpoint (404) has none.
   */
  async replyAddresses(departmentId?: string): Promise<DeskReplyAddress[]> {
    const res = await orNull(async () => {
      const r = await this.http.request({
        service: "desk",
        method: "GET",
        path: "/api/v1/mailReplyAddress",
        query: { isActive: "true", ...(departmentId ? { departmentId } : {}) },
      });
      return r.data;
    });
    const list = ReplyAddressesSchema.safeParse(res ?? {});
    if (!list.success) return [];
    const out: DeskReplyAddress[] = [];
    for (const raw of list.data.data ?? []) {
      const entry = ReplyAddressSchema.safeParse(raw);
      const address = entry.success ? (entry.data.address ?? entry.data.emailAddress) : undefined;
      if (!entry.success || !address) continue;
      const department = str(entry.data.departmentId);
      out.push({
        address,
        isActive: entry.data.isActive !== false,
        isDefault: entry.data.isDefault === true,
        ...(department ? { departmentId: department } : {}),
      });
    }
    return out;
  }

  private async reply(ticketId: string, kind: "draftReply" | "sendReply", reply: DeskReply): Promise<void> {
    await namingField(() =>
      this.http.request({
        service: "desk",
        method: "POST",
        path: `/api/v1/tickets/${ticketId}/${kind}`,
        body: {
          channel: "EMAIL",
          contentType: "plainText",
          content: reply.content,
          ...(reply.to ? { to: reply.to } : {}),
          ...(reply.fromEmailAddress ? { fromEmailAddress: reply.fromEmailAddress } : {}),
        },
      }),
    );
  }
}
