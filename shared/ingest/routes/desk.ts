/**
 * `POST /v1/hooks/desk`: Desk webhooks, a JSON array of events; one unit per ticket for the use case that takes the
 * event's type. Outbound threads, the mediator's own events and types no use case takes are ignored.
 */
import { isOwnDeskEvent, type LoopGuardConfig } from "../../domain/loop-guard.js";
import { type HttpRequest, parseBody } from "../http.js";
import { DeskEventsSchema, MAX_BODY_BYTES } from "../inputs.js";
import { own, type RouteResult, type Unit, validate } from "./route-kit.js";

/** Longest value of each ticket field a Desk event's payload may carry into the unit (Desk's own field limits). */
const TICKET_FIELD_CHARS: Readonly<Record<string, number>> = {
  subject: 1_000,
  description: 65_535,
  status: 120,
  priority: 120,
  email: 320,
  departmentId: 19,
  threadCount: 10,
  modifiedTime: 64,
};

/**
 * The ticket as a Ticket_Add event carries it (Desk sends the entity as `payload`), bounded to what triage uses:
 * the use case takes it instead of reading the ticket while the trigger is fresh. Strings only, each within Desk's
 * limit; a thread event's payload is the thread, so it carries none.
 */
function ticketOf(eventType: string, payload: Record<string, unknown>): Record<string, string> | undefined {
  if (eventType !== "Ticket_Add") return undefined;
  const ticket: Record<string, string> = {};
  for (const [key, max] of Object.entries(TICKET_FIELD_CHARS)) {
    const value = own(payload, key);
    if (typeof value === "string" && value.length <= max) ticket[key] = value;
  }
  return typeof ticket.subject === "string" ? ticket : undefined;
}

/** `useCaseOf` maps a Desk event type to the use case that takes it (a Map: no inherited names). */
export function deskRoute(useCaseOf: ReadonlyMap<string, string>) {
  return (req: HttpRequest, loopGuard: LoopGuardConfig): RouteResult => {
    const events = validate(DeskEventsSchema, parseBody(req, MAX_BODY_BYTES, false), "Desk events");
    const units: Unit[] = [];
    let ignored = 0;
    // A new email ticket arrives as Ticket_Add plus its first Ticket_Thread_Add in one delivery: one unit each
    // ticket per use case.
    const ticketsSeen = new Set<string>();
    for (const e of events) {
      const payload = e.payload;
      const useCase = useCaseOf.get(e.eventType);
      const direction = own(payload, "direction");
      const inbound = e.eventType !== "Ticket_Thread_Add" || direction === undefined || direction === "in";
      if (useCase === undefined || !inbound || isOwnDeskEvent(payload, loopGuard)) {
        ignored += 1;
        continue;
      }
      const ticketId =
        e.eventType === "Ticket_Thread_Add" && payload.ticketId !== undefined ? payload.ticketId : payload.id;
      const seenKey = `${useCase} ${ticketId}`;
      if (ticketsSeen.has(seenKey)) {
        ignored += 1;
        continue;
      }
      ticketsSeen.add(seenKey);
      const ticket = ticketOf(e.eventType, payload);
      units.push({
        useCase,
        source: "desk-webhook",
        dedupKey: `desk:${e.orgId}:${e.eventType}:${payload.id}:${e.eventTime}`,
        subject: { service: "desk", module: "tickets", id: ticketId },
        input: {
          eventType: e.eventType,
          ticketId,
          ...(e.eventType === "Ticket_Thread_Add" ? { threadId: payload.id } : {}),
          orgId: e.orgId,
          eventTime: e.eventTime,
          ...(ticket ? { ticket } : {}),
        },
      });
    }
    return { units, ignored };
  };
}
