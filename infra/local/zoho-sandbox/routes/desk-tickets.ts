/** Desk tickets: list, create, get, PATCH, threads, comments, draft and sent replies. */
import type { DeskSurface } from "./desk.js";

export const ticketRoutes: DeskSurface = (c) => {
  const { method, id, sub, subId, desk, need, sourceId } = c;
  if (c.resource !== "tickets") return undefined;
  if (!id && method === "GET") return need("Desk.tickets.READ") ?? desk.listTickets(c.query);
  if (!id && method === "POST")
    return (
      need("Desk.tickets.CREATE") ?? desk.createTicket((c.body ?? {}) as Record<string, unknown>, sourceId)
    );
  if (!id) return undefined;
  if (!sub && method === "GET") return need("Desk.tickets.READ") ?? desk.getTicket(id);
  if (!sub && method === "PATCH")
    return need("Desk.tickets.UPDATE") ?? desk.patchTicket(id, c.body, sourceId);
  if (sub === "threads" && method === "GET")
    return need("Desk.tickets.READ") ?? (subId ? desk.getThread(id, subId) : desk.listThreads(id));
  if (sub === "comments" && method === "GET") return need("Desk.tickets.READ") ?? desk.listComments(id);
  if (sub === "comments" && method === "POST")
    return need("Desk.tickets.UPDATE") ?? desk.addComment(id, c.body, c.agentId, sourceId);
  if (sub === "draftReply" && (method === "POST" || (method === "PATCH" && subId)))
    return need("Desk.tickets.UPDATE") ?? desk.reply(id, c.body, "draft", sourceId, subId);
  if (sub === "sendReply" && method === "POST")
    return need("Desk.tickets.UPDATE") ?? desk.reply(id, c.body, "send", sourceId);
  return undefined;
};
