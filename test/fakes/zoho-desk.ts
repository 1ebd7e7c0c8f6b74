/**
 * An in-memory Zoho Desk behind the `ZohoDesk` port: tickets and threads, the custom fields an update sets,
 * private comments, drafts and sent replies, field metadata and reply addresses, whole-call failures (a refused
 * field update names the field, as the adapter does) and a log of every call.
 */
import type { ZohoField } from "../../shared/domain/zoho-field.js";
import type {
  DeskReply,
  DeskReplyAddress,
  DeskThread,
  DeskThreadSummary,
  DeskTicket,
  NewDeskTicket,
  ZohoDesk,
} from "../../shared/ports/zoho-desk.js";

export interface DeskCall {
  method: keyof ZohoDesk;
  args: unknown[];
}

export class FakeZohoDesk implements ZohoDesk {
  readonly tickets = new Map<string, DeskTicket>();
  readonly threads = new Map<string, (DeskThreadSummary & DeskThread)[]>();
  readonly comments: { ticketId: string; content: string }[] = [];
  readonly drafts: ({ ticketId: string } & DeskReply)[] = [];
  readonly sent: ({ ticketId: string } & DeskReply)[] = [];
  readonly moduleFields = new Map<string, ZohoField[]>();
  addresses: DeskReplyAddress[] = [];
  readonly calls: DeskCall[] = [];
  private readonly failures: { method: keyof ZohoDesk; error: Error }[] = [];
  private nextId = 7_000_000_000_000;

  put(ticket: DeskTicket, threads: (DeskThreadSummary & DeskThread)[] = []): this {
    this.tickets.set(ticket.id, { ...ticket });
    this.threads.set(ticket.id, threads);
    return this;
  }

  /** The next call of `method` throws `error`. */
  failNext(method: keyof ZohoDesk, error: Error): this {
    this.failures.push({ method, error });
    return this;
  }

  /** The write calls, in order. */
  writes(): DeskCall[] {
    const writes = new Set<keyof ZohoDesk>([
      "createTicket",
      "updateTicketFields",
      "addPrivateComment",
      "draftReply",
      "sendReply",
    ]);
    return this.calls.filter((c) => writes.has(c.method));
  }

  private call(method: keyof ZohoDesk, ...args: unknown[]) {
    this.calls.push({ method, args });
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) throw (this.failures.splice(i, 1)[0] as { error: Error }).error;
  }

  /** Creates a ticket in the given department, else "the org's default" (`1`, as a fake has one department). */
  async createTicket(ticket: NewDeskTicket): Promise<{ id: string }> {
    this.call("createTicket", ticket);
    this.nextId += 1;
    const id = String(this.nextId);
    this.put({
      id,
      subject: ticket.subject,
      description: ticket.description,
      email: ticket.email,
      departmentId: ticket.departmentId ?? "1",
      ...(ticket.contactName ? { contactName: ticket.contactName } : {}),
    });
    return { id };
  }

  async getTicket(ticketId: string): Promise<DeskTicket | null> {
    this.call("getTicket", ticketId);
    const t = this.tickets.get(ticketId);
    return t ? { ...t } : null;
  }

  async listThreads(ticketId: string): Promise<DeskThreadSummary[]> {
    this.call("listThreads", ticketId);
    return (this.threads.get(ticketId) ?? []).map(({ id, direction, status }) => ({
      id,
      direction,
      ...(status !== undefined ? { status } : {}),
    }));
  }

  async getThread(ticketId: string, threadId: string): Promise<DeskThread | null> {
    this.call("getThread", ticketId, threadId);
    const th = this.threads.get(ticketId)?.find((t) => t.id === threadId);
    return th ? { direction: th.direction, content: th.content } : null;
  }

  async updateTicketFields(ticketId: string, fields: Record<string, unknown>): Promise<void> {
    this.call("updateTicketFields", ticketId, fields);
    const t = this.tickets.get(ticketId);
    if (t) t.cf = { ...t.cf, ...fields };
  }

  async addPrivateComment(ticketId: string, content: string): Promise<void> {
    this.call("addPrivateComment", ticketId, content);
    this.comments.push({ ticketId, content });
  }

  async draftReply(ticketId: string, reply: DeskReply): Promise<void> {
    this.call("draftReply", ticketId, reply);
    this.drafts.push({ ticketId, ...reply });
  }

  async sendReply(ticketId: string, reply: DeskReply): Promise<void> {
    this.call("sendReply", ticketId, reply);
    this.sent.push({ ticketId, ...reply });
  }

  async fields(module: string): Promise<ZohoField[]> {
    this.call("fields", module);
    return [...(this.moduleFields.get(module) ?? [])];
  }

  async replyAddresses(departmentId?: string): Promise<DeskReplyAddress[]> {
    this.call("replyAddresses", departmentId);
    return this.addresses.filter((a) => !departmentId || a.departmentId === departmentId);
  }
}
