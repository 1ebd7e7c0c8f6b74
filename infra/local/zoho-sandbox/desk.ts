/**
 * Zoho Desk v1's org as the sandbox holds it (fact sheet §5 and checklist items 19-22): tickets, threads, comments,
 * webhooks, agents, departments, contacts, reply addresses and ticket fields; ticket creation and validation (`cf`
 * writes are checked against the served ticket fields, desk-fields.ts); and the webhook emitter: JSON-array
 * deliveries, 200-only success, 410 unsubscribes, and `ignoreSourceId` for writes that identify themselves with that
 * source. The HTTP surfaces (tickets, threads/comments/replies, webhooks, settings) are in routes/.
 */
import {
  buildTicketFields,
  type DeskField,
  type FieldError,
  invalid,
  type MailReplyAddress,
} from "./desk-fields.js";
import type { Comment, DeskWebhook, Thread, Ticket } from "./desk-types.js";
import type { ProfileSeed } from "./profiles.js";
import { deskError, json, type Reply, type SandboxContext, track } from "./state.js";
import { deliver } from "./webhook-delivery.js";

export type { Comment, DeskWebhook, Thread, Ticket } from "./desk-types.js";

/** The org's Desk data and what happens on its writes (validation, thread counts, webhook events). */
export class Desk {
  readonly orgId: string;
  readonly tickets = new Map<string, Ticket>();
  readonly threads = new Map<string, Thread>();
  readonly comments = new Map<string, Comment>();
  readonly webhooks = new Map<string, DeskWebhook>();
  readonly agents: { id: string; name: string; emailId: string }[] = [];
  readonly departments: { id: string; name: string }[] = [];
  readonly contacts: { id: string; firstName: string; lastName: string; email: string }[] = [];
  private ticketNumber = 100;
  private outbox = new Map<string, unknown[]>();

  /** The org's mail reply addresses (seeded per profile). */
  readonly mailReplyAddresses: MailReplyAddress[] = [];
  /** The ticket fields, standard and custom, exactly as served and as enforced. */
  readonly ticketFields: DeskField[];

  constructor(
    readonly ctx: SandboxContext,
    readonly seed: ProfileSeed,
  ) {
    this.orgId = seed.deskOrg.id;
    this.ticketFields = buildTicketFields(seed.idPrefix, seed.deskCustomFields);
  }

  /** The address the org replies from by default: the default active one, else the first active one. */
  defaultReplyAddress(): string {
    const active = this.mailReplyAddresses.filter((a) => a.isActive);
    return (active.find((a) => a.isDefault) ?? active[0])?.address ?? "";
  }

  isActiveReplyAddress(address: string): boolean {
    const want = address.trim().toLowerCase();
    return this.mailReplyAddresses.some((a) => a.isActive && a.address.toLowerCase() === want);
  }

  /** Desk's timestamp form (ISO with milliseconds). */
  stamp(): string {
    return new Date(this.ctx.clock.now()).toISOString();
  }

  // ---------------------------------------------------------------- events

  /**
   * Queues an event for each enabled webhook subscribed to it. Events raised by one request are delivered
   * together as one JSON array per webhook.
   */
  emit(
    eventType: string,
    payload: Record<string, unknown>,
    sourceId: string | undefined,
    prevState?: Record<string, unknown>,
    changed: string[] = [],
  ): void {
    for (const hook of this.webhooks.values()) {
      if (!hook.isEnabled || !(eventType in hook.subscriptions)) continue;
      if (hook.ignoreSourceId && sourceId === hook.ignoreSourceId) continue;
      const sub = hook.subscriptions[eventType];
      if (sub?.departmentIds?.length && !sub.departmentIds.includes(String(payload.departmentId))) continue;
      if (
        sub?.fields?.length &&
        eventType === "Ticket_Update" &&
        !sub.fields.some((f) => changed.includes(f))
      )
        continue;
      if (sub?.direction && payload.direction !== undefined && sub.direction !== payload.direction) continue;
      const event: Record<string, unknown> = {
        eventType,
        orgId: this.orgId,
        eventTime: String(this.ctx.clock.now()),
        payload,
      };
      if (sub?.includePrevState && prevState) event.prevState = prevState;
      const queue = this.outbox.get(hook.id);
      if (queue) queue.push(event);
      else {
        this.outbox.set(hook.id, [event]);
        track(
          this.ctx,
          new Promise<void>((r) => setImmediate(r)).then(() => this.flush(hook.id)),
        );
      }
    }
  }

  private async flush(hookId: string): Promise<void> {
    const events = this.outbox.get(hookId);
    this.outbox.delete(hookId);
    const hook = this.webhooks.get(hookId);
    if (!events || !hook) return;
    // Desk counts only 200 OK as delivered; 410 Gone removes the subscription.
    const status = await deliver(
      this.ctx,
      { kind: "desk", rule: hook.id, url: hook.url },
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) },
      (s) => s === 200,
    );
    if (status === 410) this.webhooks.delete(hookId);
  }

  // ---------------------------------------------------------------- tickets

  /** Creates a ticket; `thread` is the customer's email when the ticket came in by mail (then not an API write). */
  createTicket(
    input: Record<string, unknown>,
    sourceId?: string,
    thread?: { from: string; content: string },
  ): Reply {
    const source = thread ? "ui" : "api";
    // Desk takes a `contact` (email, last name) instead of a `contactId`: it finds the contact by e-mail or adds one.
    if (input.contactId === undefined && input.contact && typeof input.contact === "object") {
      const given = input.contact as { email?: unknown; lastName?: unknown; firstName?: unknown };
      if (typeof given.lastName !== "string" || given.lastName === "")
        return invalid([{ fieldName: "/contact/lastName", errorType: "missing" }]);
      const email = typeof given.email === "string" ? given.email : "";
      let contact = email
        ? this.contacts.find((c) => c.email.toLowerCase() === email.toLowerCase())
        : undefined;
      if (!contact) {
        contact = {
          id: this.ctx.ids.next(),
          firstName: typeof given.firstName === "string" ? given.firstName : "",
          lastName: given.lastName,
          email,
        };
        this.contacts.push(contact);
      }
      const { contact: _contact, ...rest } = input;
      input = { ...rest, contactId: contact.id };
    }
    const errors: FieldError[] = [];
    for (const f of ["subject", "departmentId", "contactId"])
      if (input[f] === undefined || input[f] === "")
        errors.push({ fieldName: `/${f}`, errorType: "missing" });
    if (errors.length) return invalid(errors);
    const problems = this.checkTicketFields(input);
    if (problems.length) return invalid(problems);
    const now = this.stamp();
    const contact = this.contacts.find((c) => c.id === input.contactId);
    const ticket: Ticket = {
      id: this.ctx.ids.next(),
      ticketNumber: String(++this.ticketNumber),
      subject: input.subject,
      description: input.description ?? null,
      status: input.status ?? "Open",
      statusType: "Open",
      priority: input.priority ?? "-None-",
      channel: input.channel ?? "Email",
      email: input.email ?? contact?.email ?? null,
      phone: input.phone ?? null,
      contactId: input.contactId,
      departmentId: input.departmentId,
      assigneeId: input.assigneeId ?? null,
      category: input.category ?? null,
      subCategory: null,
      classification: null,
      language: "English",
      dueDate: null,
      createdTime: now,
      modifiedTime: now,
      closedTime: null,
      threadCount: "0",
      commentCount: "0",
      webUrl: `${this.ctx.baseUrl}/desk/support/ShowHomePage.do#Cases/dv/${this.ticketNumber}`,
      cf: Object.fromEntries(this.ticketFields.filter((f) => f.isCustomField).map((f) => [f.apiName, null])),
    };
    Object.assign(ticket.cf, (input.cf as Record<string, unknown>) ?? {});
    this.tickets.set(ticket.id, ticket);
    this.ctx.inspector.write({
      time: this.ctx.clock.stamp(),
      service: "desk",
      module: "tickets",
      operation: "create",
      ids: [ticket.id],
      trigger: null,
      source,
      fields: [Object.keys(input)],
    });
    this.emit("Ticket_Add", { ...ticket }, sourceId);
    if (thread)
      this.addThread(
        ticket,
        {
          direction: "in",
          channel: "EMAIL",
          status: "SUCCESS",
          content: thread.content,
          contentType: "plainText",
          fromEmailAddress: thread.from,
          to: this.defaultReplyAddress(),
        },
        sourceId,
      );
    return json(200, ticket);
  }

  /** Checks one value against its served field: a string within `maxLength` and, for a picklist, one of its values. */
  private fits(field: DeskField | undefined, v: unknown, nullable: boolean): boolean {
    if (!field) return false;
    if (v === null) return nullable;
    if (typeof v !== "string") return false;
    if (field.maxLength !== null && v.length > field.maxLength) return false;
    return field.allowedValues === null || field.allowedValues.some((a) => a.value === v);
  }

  /** Checks the fields of a create or update against the served ticket fields; Desk names each bad one. */
  checkTicketFields(input: Record<string, unknown>): FieldError[] {
    const errors: FieldError[] = [];
    const standard = (k: string) => this.ticketFields.find((f) => !f.isCustomField && f.apiName === k);
    for (const k of ["subject", "description", "status", "priority"])
      if (input[k] !== undefined && !this.fits(standard(k), input[k], k === "description"))
        errors.push({ fieldName: `/${k}`, errorType: "invalid" });
    if (
      input.assigneeId !== undefined &&
      input.assigneeId !== null &&
      !this.agents.some((a) => a.id === input.assigneeId)
    )
      errors.push({ fieldName: "/assigneeId", errorType: "invalid" });
    if (input.departmentId !== undefined && !this.departments.some((d) => d.id === input.departmentId))
      errors.push({ fieldName: "/departmentId", errorType: "invalid" });
    if (input.contactId !== undefined && !this.contacts.some((c) => c.id === input.contactId))
      errors.push({ fieldName: "/contactId", errorType: "invalid" });
    if (input.cf !== undefined) {
      if (!input.cf || typeof input.cf !== "object" || Array.isArray(input.cf))
        errors.push({ fieldName: "/cf", errorType: "invalid" });
      else
        for (const [k, v] of Object.entries(input.cf)) {
          const field = this.ticketFields.find((f) => f.isCustomField && f.apiName === k);
          if (!this.fits(field, v, true)) errors.push({ fieldName: `/cf/${k}`, errorType: "invalid" });
        }
    }
    return errors;
  }

  /** The ticket, or Desk's answer for a malformed (422) or unknown (404) id. */
  ticketOr404(id: string): Ticket | Reply {
    if (!/^\d+$/.test(id)) return invalid([{ fieldName: "/ticketId", errorType: "invalid" }]);
    return (
      this.tickets.get(id) ?? deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.")
    );
  }

  // ---------------------------------------------------------------- threads, comments, replies

  addThread(
    ticket: Ticket,
    t: Omit<Thread, "id" | "ticketId" | "createdTime" | "summary" | "visibility" | "isForward">,
    sourceId?: string,
  ): Thread {
    const thread: Thread = {
      ...t,
      id: this.ctx.ids.next(),
      ticketId: ticket.id,
      createdTime: this.stamp(),
      summary: t.content.replace(/<[^>]+>/g, "").slice(0, 100),
      visibility: "public",
      isForward: false,
    };
    this.threads.set(thread.id, thread);
    if (thread.status !== "DRAFT") {
      ticket.threadCount = String(Number(ticket.threadCount) + 1);
      this.emit("Ticket_Thread_Add", { ...thread, direction: thread.direction }, sourceId);
    }
    return thread;
  }

  /** Control: a customer writes in (a new email to an existing ticket). */
  inboundReply(ticketId: string, from: string, content: string): Thread | undefined {
    const ticket = this.tickets.get(ticketId);
    if (!ticket) return undefined;
    return this.addThread(ticket, {
      direction: "in",
      channel: "EMAIL",
      status: "SUCCESS",
      content,
      contentType: "plainText",
      fromEmailAddress: from,
      to: this.defaultReplyAddress(),
    });
  }
}
