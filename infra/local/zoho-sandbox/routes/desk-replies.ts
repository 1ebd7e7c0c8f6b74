/**
 * A Desk ticket's conversation (checklist item 21): threads (list, get one with its content), comments (`isPublic`,
 * `contentType`, `content` of at most 32000 characters), `draftReply` (saves a draft, sends nothing; PATCH edits it)
 * and `sendReply`. An EMAIL draft or reply needs an active mail reply address of the org as `fromEmailAddress`; how
 * Desk answers one without it is a setting (config.ts).
 */
import type { Comment, Desk, Ticket } from "../desk.js";
import { type FieldError, invalid } from "../desk-fields.js";
import type { Router } from "../router.js";
import { deskError, json, type Reply } from "../state.js";
import type { DeskRoute } from "./desk.js";

const CHANNELS = ["EMAIL", "FACEBOOK", "TWITTER", "FORUMS", "CHAT", "WEB", "PHONE"];
const MAX_COMMENT = 32_000;

function listThreads(desk: Desk, ticketId: string): Reply {
  const t = desk.ticketOr404(ticketId);
  if (!("cf" in t)) return t as Reply;
  const data = [...desk.threads.values()]
    .filter((th) => th.ticketId === ticketId)
    .map(({ content: _c, ...summary }) => summary);
  return json(200, { data });
}

function getThread(desk: Desk, ticketId: string, threadId: string): Reply {
  const thread = desk.threads.get(threadId);
  if (!thread || thread.ticketId !== ticketId)
    return deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.");
  return json(200, thread);
}

function addComment(desk: Desk, ticketId: string, body: unknown, agentId: string, sourceId?: string): Reply {
  const t = desk.ticketOr404(ticketId);
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
  const now = desk.stamp();
  const comment: Comment = {
    id: desk.ctx.ids.next(),
    ticketId,
    content: input.content,
    contentType,
    isPublic: input.isPublic ?? false,
    commenterId: agentId,
    commentedTime: now,
    modifiedTime: now,
  };
  desk.comments.set(comment.id, comment);
  const ticket = t as Ticket;
  ticket.commentCount = String(Number(ticket.commentCount) + 1);
  desk.ctx.inspector.write({
    time: desk.ctx.clock.stamp(),
    service: "desk",
    module: "comments",
    operation: "create",
    ids: [comment.id],
    trigger: null,
    source: "api",
    fields: [Object.keys(input)],
  });
  desk.emit("Ticket_Comment_Add", { ...comment }, sourceId);
  return json(200, {
    ...comment,
    commenter: desk.agents.find((a) => a.id === agentId) ?? null,
    attachments: [],
    encodedContent: comment.content,
    impersonatedUser: null,
  });
}

function listComments(desk: Desk, ticketId: string): Reply {
  const t = desk.ticketOr404(ticketId);
  if (!("cf" in t)) return t as Reply;
  return json(200, { data: [...desk.comments.values()].filter((c) => c.ticketId === ticketId) });
}

/** `draftReply` saves a draft and sends nothing; `sendReply` sends (EMAIL needs `fromEmailAddress` and `to`). */
function reply(
  desk: Desk,
  ticketId: string,
  body: unknown,
  mode: "draft" | "send",
  sourceId?: string,
  draftId?: string,
): Reply {
  const t = desk.ticketOr404(ticketId);
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
    else if (!desk.isActiveReplyAddress(input.fromEmailAddress))
      fromErrors.push({ fieldName: "/fromEmailAddress", errorType: "invalid" });
  }
  if (errors.length) return invalid([...errors, ...fromErrors]);
  if (fromErrors.length) {
    const { deskFromAddressErrorStatus: status, deskFromAddressErrorCode: code } = desk.ctx.options;
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
    const draft = desk.threads.get(draftId);
    if (!draft || draft.ticketId !== ticketId || draft.status !== "DRAFT")
      return deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.");
    Object.assign(draft, fields);
    return json(200, draft);
  }
  const thread = desk.addThread(ticket, fields, sourceId);
  desk.ctx.inspector.write({
    time: desk.ctx.clock.stamp(),
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

/** Registers this surface's routes with the Desk router (routes/desk.ts). */
export function registerReplyRoutes(router: Router<DeskRoute>): void {
  router
    .on(
      "GET",
      "tickets/:id/threads",
      ({ desk, need }, { id }) => need("Desk.tickets.READ") ?? listThreads(desk, id as string),
    )
    .on(
      "GET",
      "tickets/:id/threads/:thread",
      ({ desk, need }, { id, thread }) =>
        need("Desk.tickets.READ") ?? getThread(desk, id as string, thread as string),
    )
    .on(
      "GET",
      "tickets/:id/comments",
      ({ desk, need }, { id }) => need("Desk.tickets.READ") ?? listComments(desk, id as string),
    )
    .on(
      "POST",
      "tickets/:id/comments",
      ({ desk, need, body, agentId, sourceId }, { id }) =>
        need("Desk.tickets.UPDATE") ?? addComment(desk, id as string, body, agentId, sourceId),
    )
    .on(
      "POST",
      "tickets/:id/draftReply",
      ({ desk, need, body, sourceId }, { id }) =>
        need("Desk.tickets.UPDATE") ?? reply(desk, id as string, body, "draft", sourceId),
    )
    .on(
      "PATCH",
      "tickets/:id/draftReply/:draft",
      ({ desk, need, body, sourceId }, { id, draft }) =>
        need("Desk.tickets.UPDATE") ?? reply(desk, id as string, body, "draft", sourceId, draft),
    )
    .on(
      "POST",
      "tickets/:id/sendReply",
      ({ desk, need, body, sourceId }, { id }) =>
        need("Desk.tickets.UPDATE") ?? reply(desk, id as string, body, "send", sourceId),
    );
}
