/**
 * Zoho Desk v1 as the sandbox serves it (fact sheet §5 and checklist items 19-22): the `orgId` header, tickets
 * (GET, list, create, PATCH returning the full ticket), threads, comments, draft and sent replies, Desk's error
 * shape, and webhooks: a GET check on registration, JSON-array deliveries, 200-only success, 410 unsubscribes,
 * and `ignoreSourceId` for writes that identify themselves with that source. Ticket fields are served in Zoho's
 * `organizationFields` shape and the sandbox validates `cf` writes against that same list; e-mail drafts and replies
 * need an active mail reply address of the org as `fromEmailAddress`.
 */

import type { DeskCustomFieldSpec, ProfileSeed } from "./profiles.js";
import { deskError, json, type Reply, type SandboxContext, track } from "./state.js";
import { deliver } from "./webhook-delivery.js";

export type Ticket = Record<string, unknown> & { id: string; cf: Record<string, unknown> };
export interface Thread {
  id: string;
  ticketId: string;
  channel: string;
  direction: "in" | "out";
  status: "SUCCESS" | "DRAFT";
  content: string;
  contentType: "html" | "plainText";
  fromEmailAddress: string;
  to: string;
  createdTime: string;
  summary: string;
  visibility: "public" | "private";
  isForward: boolean;
}
export interface Comment {
  id: string;
  ticketId: string;
  content: string;
  contentType: "html" | "plainText";
  isPublic: boolean;
  commenterId: string;
  commentedTime: string;
  modifiedTime: string;
}
export interface DeskWebhook {
  id: string;
  name: string;
  url: string;
  isEnabled: boolean;
  ignoreSourceId?: string;
  includeEventsFrom?: string[];
  subscriptions: Record<
    string,
    {
      departmentIds?: string[];
      fields?: string[];
      includePrevState?: boolean;
      direction?: "in" | "out";
    } | null
  >;
  createdTime: string;
}

/**
 * A Desk mail reply address, as "List MailReplyAddresses" answers it: the Desk OAS (MailReplyAddress
 * `getReplyMailAddresses`) lists id, address, displayName, departmentId, isActive, isVerified, isSmtpEnabled,
 * serviceProviderType and created/modified details; `isDefault` is the sandbox's (the contract's optional key).
 */
export interface MailReplyAddress {
  id: string;
  address: string;
  displayName: string;
  departmentId: string;
  isActive: boolean;
  isVerified: boolean;
  isDefault: boolean;
  isSmtpEnabled: boolean;
  serviceProviderType: "ZohoSMTP";
  createdTime: string;
}

/**
 * One ticket field as `GET /api/v1/organizationFields?module=tickets` answers it: `allowedValues` is a list of
 * objects (`{value}`, plus `statusType` for the status field) or `null`, and `maxLength` is `null` where the field
 * has none (issue 8: public Desk clients read each entry's `value`).
 */
export interface DeskField {
  id: string;
  apiName: string;
  name: string;
  displayLabel: string;
  type: string;
  maxLength: number | null;
  isCustomField: boolean;
  isMandatory: boolean;
  isReadOnly: boolean;
  isEncryptedField: boolean;
  showToHelpCenter: boolean;
  defaultValue: string | null;
  allowedValues: { value: string; statusType?: string }[] | null;
}

const STATUS_VALUES = [
  { value: "Open", statusType: "Open" },
  { value: "On Hold", statusType: "On Hold" },
  { value: "Escalated", statusType: "Open" },
  { value: "Closed", statusType: "Closed" },
];
const PRIORITY_VALUES = ["-None-", "Low", "Medium", "High"];
const CHANNELS = ["EMAIL", "FACEBOOK", "TWITTER", "FORUMS", "CHAT", "WEB", "PHONE"];
const MAX_COMMENT = 32_000;

type FieldError = { fieldName: string; errorType: "invalid" | "duplicate" | "missing" };
const invalid = (errors: FieldError[]): Reply =>
  deskError(422, "INVALID_DATA", "The data does not comply to the validation restrictions defined.", errors);

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
    private readonly ctx: SandboxContext,
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

  private isActiveReplyAddress(address: string): boolean {
    const want = address.trim().toLowerCase();
    return this.mailReplyAddresses.some((a) => a.isActive && a.address.toLowerCase() === want);
  }

  /** `GET /api/v1/mailReplyAddress` ("List MailReplyAddresses"): `departmentId`, `isActive`, `from`, `limit`. */
  listMailReplyAddresses(query: Record<string, string>): Reply {
    if (this.ctx.options.deskMailReplyAddressRequiresDepartment && !query.departmentId)
      return invalid([{ fieldName: "/departmentId", errorType: "missing" }]);
    if (query.departmentId !== undefined && !this.departments.some((d) => d.id === query.departmentId))
      return invalid([{ fieldName: "/departmentId", errorType: "invalid" }]);
    if (query.isActive !== undefined && query.isActive !== "true" && query.isActive !== "false")
      return invalid([{ fieldName: "/isActive", errorType: "invalid" }]);
    const from = Number(query.from ?? 0);
    const limit = Number(query.limit ?? 50);
    if (!Number.isInteger(from) || from < 0) return invalid([{ fieldName: "/from", errorType: "invalid" }]);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return invalid([{ fieldName: "/limit", errorType: "invalid" }]);
    const data = this.mailReplyAddresses
      .filter((a) => query.departmentId === undefined || a.departmentId === query.departmentId)
      .filter((a) => query.isActive === undefined || String(a.isActive) === query.isActive)
      .slice(from, from + limit);
    // Desk's OAS answers an empty list with 204 (a setting: the sandbox answers `{data: []}` by default).
    if (data.length === 0 && this.ctx.options.deskEmptyListNoContent) return { status: 204 };
    return json(200, { data });
  }

  private stamp(): string {
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

  private checkTicketFields(input: Record<string, unknown>): FieldError[] {
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

  private ticketOr404(id: string): Ticket | Reply {
    if (!/^\d+$/.test(id)) return invalid([{ fieldName: "/ticketId", errorType: "invalid" }]);
    return (
      this.tickets.get(id) ?? deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.")
    );
  }

  getTicket(id: string): Reply {
    const t = this.ticketOr404(id);
    return "status" in t && typeof t.status === "number" ? (t as Reply) : json(200, t);
  }

  listTickets(query: Record<string, string>): Reply {
    const from = Number(query.from ?? 0);
    const limit = Number(query.limit ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return invalid([{ fieldName: "/limit", errorType: "invalid" }]);
    return json(200, { data: [...this.tickets.values()].slice(from, from + limit) });
  }

  /** `PATCH /api/v1/tickets/{id}`: any subset of fields; answers the full ticket. */
  patchTicket(id: string, body: unknown, sourceId?: string): Reply {
    const t = this.ticketOr404(id);
    if (!("cf" in t)) return t as Reply;
    const ticket = t as Ticket;
    if (!body || typeof body !== "object" || Array.isArray(body) || Object.keys(body).length === 0) {
      return deskError(422, "EMPTY_PAYLOAD", "The payload is empty.");
    }
    const input = body as Record<string, unknown>;
    const errors = this.checkTicketFields(input);
    if (errors.length) return invalid(errors);
    const prev = structuredClone(ticket);
    const changed: string[] = [];
    for (const [k, v] of Object.entries(input)) {
      if (k === "cf") {
        Object.assign(ticket.cf, v as object);
        changed.push(...Object.keys(v as object).map((c) => `cf.${c}`), "cf");
      } else if (
        [
          "subject",
          "description",
          "status",
          "priority",
          "assigneeId",
          "departmentId",
          "contactId",
          "category",
          "subCategory",
          "classification",
          "channel",
          "dueDate",
          "email",
          "phone",
          "language",
          "resolution",
        ].includes(k)
      ) {
        ticket[k] = v;
        changed.push(k);
      }
    }
    if (input.status === "Closed") ticket.closedTime = this.stamp();
    ticket.modifiedTime = this.stamp();
    this.ctx.inspector.write({
      time: this.ctx.clock.stamp(),
      service: "desk",
      module: "tickets",
      operation: "update",
      ids: [ticket.id],
      trigger: null,
      source: "api",
      fields: [changed],
    });
    this.emit("Ticket_Update", { ...ticket }, sourceId, prev, changed);
    return json(200, ticket);
  }

  // ---------------------------------------------------------------- threads, comments, replies

  private addThread(
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

  listThreads(ticketId: string): Reply {
    const t = this.ticketOr404(ticketId);
    if (!("cf" in t)) return t as Reply;
    const data = [...this.threads.values()]
      .filter((th) => th.ticketId === ticketId)
      .map(({ content: _c, ...summary }) => summary);
    return json(200, { data });
  }

  getThread(ticketId: string, threadId: string): Reply {
    const thread = this.threads.get(threadId);
    if (!thread || thread.ticketId !== ticketId)
      return deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.");
    return json(200, thread);
  }

  addComment(ticketId: string, body: unknown, agentId: string, sourceId?: string): Reply {
    const t = this.ticketOr404(ticketId);
    if (!("cf" in t)) return t as Reply;
    const input = (body ?? {}) as Record<string, unknown>;
    if (typeof input.content !== "string" || input.content.length === 0)
      return invalid([{ fieldName: "/content", errorType: "missing" }]);
    if (input.content.length > MAX_COMMENT) return invalid([{ fieldName: "/content", errorType: "invalid" }]);
    const contentType = input.contentType ?? "plainText";
    if (contentType !== "plainText" && contentType !== "html")
      return invalid([{ fieldName: "/contentType", errorType: "invalid" }]);
    if (input.isPublic !== undefined && typeof input.isPublic !== "boolean")
      return invalid([{ fieldName: "/isPublic", errorType: "invalid" }]);
    const now = this.stamp();
    const comment: Comment = {
      id: this.ctx.ids.next(),
      ticketId,
      content: input.content,
      contentType,
      isPublic: input.isPublic ?? false,
      commenterId: agentId,
      commentedTime: now,
      modifiedTime: now,
    };
    this.comments.set(comment.id, comment);
    const ticket = t as Ticket;
    ticket.commentCount = String(Number(ticket.commentCount) + 1);
    this.ctx.inspector.write({
      time: this.ctx.clock.stamp(),
      service: "desk",
      module: "comments",
      operation: "create",
      ids: [comment.id],
      trigger: null,
      source: "api",
      fields: [Object.keys(input)],
    });
    this.emit("Ticket_Comment_Add", { ...comment }, sourceId);
    return json(200, {
      ...comment,
      commenter: this.agents.find((a) => a.id === agentId) ?? null,
      attachments: [],
      encodedContent: comment.content,
      impersonatedUser: null,
    });
  }

  listComments(ticketId: string): Reply {
    const t = this.ticketOr404(ticketId);
    if (!("cf" in t)) return t as Reply;
    return json(200, { data: [...this.comments.values()].filter((c) => c.ticketId === ticketId) });
  }

  /** `draftReply` saves a draft and sends nothing; `sendReply` sends (EMAIL needs `fromEmailAddress` and `to`). */
  reply(ticketId: string, body: unknown, mode: "draft" | "send", sourceId?: string, draftId?: string): Reply {
    const t = this.ticketOr404(ticketId);
    if (!("cf" in t)) return t as Reply;
    const input = (body ?? {}) as Record<string, unknown>;
    const errors: FieldError[] = [];
    if (!CHANNELS.includes(String(input.channel)))
      errors.push({ fieldName: "/channel", errorType: input.channel === undefined ? "missing" : "invalid" });
    if (typeof input.content !== "string" || input.content.length === 0)
      errors.push({ fieldName: "/content", errorType: "missing" });
    if (input.contentType !== undefined && input.contentType !== "html" && input.contentType !== "plainText")
      errors.push({ fieldName: "/contentType", errorType: "invalid" });
    if (mode === "send" && input.channel === "EMAIL" && (typeof input.to !== "string" || !input.to))
      errors.push({ fieldName: "/to", errorType: "missing" });
    // Desk requires `fromEmailAddress` for e-mail drafts as well as replies (notes §5.4), and it must be one of
    // the org's active mail reply addresses.
    const fromErrors: FieldError[] = [];
    if (input.channel === "EMAIL") {
      if (typeof input.fromEmailAddress !== "string" || !input.fromEmailAddress)
        fromErrors.push({ fieldName: "/fromEmailAddress", errorType: "missing" });
      else if (!this.isActiveReplyAddress(input.fromEmailAddress))
        fromErrors.push({ fieldName: "/fromEmailAddress", errorType: "invalid" });
    }
    if (errors.length) return invalid([...errors, ...fromErrors]);
    if (fromErrors.length) {
      const { deskFromAddressErrorStatus: status, deskFromAddressErrorCode: code } = this.ctx.options;
      return deskError(
        status,
        code,
        code === "INVALID_DATA"
          ? "The data does not comply to the validation restrictions defined."
          : "fromEmailAddress must be an active mail reply address of this organization.",
        fromErrors,
      );
    }
    const ticket = t as Ticket;
    const fields = {
      direction: "out" as const,
      channel: String(input.channel),
      status: mode === "draft" ? ("DRAFT" as const) : ("SUCCESS" as const),
      content: input.content as string,
      contentType: (input.contentType as "html" | "plainText" | undefined) ?? "html",
      fromEmailAddress: (input.fromEmailAddress as string | undefined) ?? "",
      to: (input.to as string | undefined) ?? String(ticket.email ?? ""),
    };
    if (draftId) {
      const draft = this.threads.get(draftId);
      if (!draft || draft.ticketId !== ticketId || draft.status !== "DRAFT")
        return deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.");
      Object.assign(draft, fields);
      return json(200, draft);
    }
    const thread = this.addThread(ticket, fields, sourceId);
    this.ctx.inspector.write({
      time: this.ctx.clock.stamp(),
      service: "desk",
      module: mode === "draft" ? "drafts" : "replies",
      operation: "create",
      ids: [thread.id],
      trigger: null,
      source: "api",
      fields: [Object.keys(input)],
    });
    return json(200, thread);
  }

  /** `GET /api/v1/organizationFields?module=tickets`: the ticket fields, standard and custom, in Zoho's shape. */
  fields(module: string | undefined): Reply {
    if (module !== "tickets")
      return invalid([{ fieldName: "/module", errorType: module ? "invalid" : "missing" }]);
    return json(200, { data: this.ticketFields });
  }

  // ---------------------------------------------------------------- webhooks

  /** `POST /api/v1/webhooks`: Desk checks the URL with a GET before saving. */
  async createWebhook(body: unknown): Promise<Reply> {
    const input = (body ?? {}) as Partial<DeskWebhook>;
    const errors: FieldError[] = [];
    if (typeof input.url !== "string" || !/^https?:\/\//.test(input.url))
      errors.push({ fieldName: "/url", errorType: input.url ? "invalid" : "missing" });
    if (
      !input.subscriptions ||
      typeof input.subscriptions !== "object" ||
      Object.keys(input.subscriptions).length === 0
    )
      errors.push({ fieldName: "/subscriptions", errorType: "missing" });
    for (const sub of Object.values(input.subscriptions ?? {}))
      if (sub?.fields && sub.fields.length > 5)
        errors.push({ fieldName: "/subscriptions/Ticket_Update/fields", errorType: "invalid" });
    if (errors.length) return invalid(errors);
    try {
      const check = await fetch(input.url as string, {
        method: "GET",
        signal: AbortSignal.timeout(this.ctx.options.webhookTimeoutMs),
      });
      await check.arrayBuffer();
      if (check.status !== 200) return invalid([{ fieldName: "/url", errorType: "invalid" }]);
    } catch {
      return invalid([{ fieldName: "/url", errorType: "invalid" }]);
    }
    const hook: DeskWebhook = {
      id: this.ctx.ids.next(),
      name: input.name ?? "webhook",
      url: input.url as string,
      isEnabled: input.isEnabled ?? true,
      subscriptions: input.subscriptions as DeskWebhook["subscriptions"],
      createdTime: this.stamp(),
      ...(input.ignoreSourceId ? { ignoreSourceId: input.ignoreSourceId } : {}),
      ...(input.includeEventsFrom ? { includeEventsFrom: input.includeEventsFrom } : {}),
    };
    this.webhooks.set(hook.id, hook);
    return json(200, hook);
  }
}

/** The ticket fields of an org: Desk's standard ones and the profile's `cf_*` fields, in Zoho's shape. */
function buildTicketFields(idPrefix: string, custom: Record<string, DeskCustomFieldSpec>): DeskField[] {
  let n = 0;
  const field = (
    apiName: string,
    displayLabel: string,
    type: string,
    maxLength: number | null,
    allowedValues: DeskField["allowedValues"],
    extra: Partial<DeskField> = {},
  ): DeskField => ({
    id: `${idPrefix}0002${String(++n).padStart(8, "0")}`,
    apiName,
    name: apiName,
    displayLabel,
    type,
    maxLength,
    isCustomField: false,
    isMandatory: false,
    isReadOnly: false,
    isEncryptedField: false,
    showToHelpCenter: false,
    defaultValue: null,
    allowedValues,
    ...extra,
  });
  return [
    field("subject", "Subject", "Text", 1000, null, { isMandatory: true }),
    field("description", "Description", "Textarea", 65_535, null),
    field("status", "Status", "Picklist", null, STATUS_VALUES, { defaultValue: "Open" }),
    field(
      "priority",
      "Priority",
      "Picklist",
      null,
      PRIORITY_VALUES.map((value) => ({ value })),
    ),
    field("ticketNumber", "Ticket Id", "Text", 50, null, { isReadOnly: true }),
    ...Object.entries(custom).map(([apiName, spec]) =>
      field(
        apiName,
        spec.displayLabel,
        spec.type,
        spec.maxLength,
        spec.values ? spec.values.map((value) => ({ value })) : null,
        { isCustomField: true },
      ),
    ),
  ];
}
