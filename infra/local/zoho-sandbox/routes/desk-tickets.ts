/**
 * Desk tickets (checklist item 20): list, create, get, and PATCH with any subset of fields (`cf` checked against
 * the served ticket fields) answering the full ticket.
 */
import type { Desk, Ticket } from "../desk.js";
import { invalid } from "../desk-fields.js";
import type { Router } from "../router.js";
import { deskError, json, type Reply } from "../state.js";
import type { DeskRoute } from "./desk.js";

function getTicket(desk: Desk, id: string): Reply {
  const t = desk.ticketOr404(id);
  return "status" in t && typeof t.status === "number" ? (t as Reply) : json(200, t);
}

function listTickets(desk: Desk, query: Record<string, string>): Reply {
  const from = Number(query.from ?? 0);
  const limit = Number(query.limit ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return invalid([{ fieldName: "/limit", errorType: "invalid" }]);
  return json(200, { data: [...desk.tickets.values()].slice(from, from + limit) });
}

/** `PATCH /api/v1/tickets/{id}`: any subset of fields; answers the full ticket. */
function patchTicket(desk: Desk, id: string, body: unknown, sourceId?: string): Reply {
  const t = desk.ticketOr404(id);
  if (!("cf" in t)) return t as Reply;
  const ticket = t as Ticket;
  if (!body || typeof body !== "object" || Array.isArray(body) || Object.keys(body).length === 0) {
    return deskError(422, "EMPTY_PAYLOAD", "The payload is empty.");
  }
  const input = body as Record<string, unknown>;
  const errors = desk.checkTicketFields(input);
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
  if (input.status === "Closed") ticket.closedTime = desk.stamp();
  ticket.modifiedTime = desk.stamp();
  desk.ctx.inspector.write({
    time: desk.ctx.clock.stamp(),
    service: "desk",
    module: "tickets",
    operation: "update",
    ids: [ticket.id],
    trigger: null,
    source: "api",
    fields: [changed],
  });
  desk.emit("Ticket_Update", { ...ticket }, sourceId, prev, changed);
  return json(200, ticket);
}

/** Registers this surface's routes with the Desk router (routes/desk.ts). */
export function registerTicketRoutes(router: Router<DeskRoute>): void {
  router
    .on("GET", "tickets", ({ desk, need, query }) => need("Desk.tickets.READ") ?? listTickets(desk, query))
    .on(
      "POST",
      "tickets",
      ({ desk, need, body, sourceId }) =>
        need("Desk.tickets.CREATE") ?? desk.createTicket((body ?? {}) as Record<string, unknown>, sourceId),
    )
    .on(
      "GET",
      "tickets/:id",
      ({ desk, need }, { id }) => need("Desk.tickets.READ") ?? getTicket(desk, id as string),
    )
    .on(
      "PATCH",
      "tickets/:id",
      ({ desk, need, body, sourceId }, { id }) =>
        need("Desk.tickets.UPDATE") ?? patchTicket(desk, id as string, body, sourceId),
    );
}
