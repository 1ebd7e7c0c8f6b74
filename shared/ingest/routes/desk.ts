/**
 * `POST /v1/hooks/desk`: Desk webhooks, a JSON array of events; one unit per ticket for the use case that takes the
 * event's type. Outbound threads, the mediator's own events and types no use case takes are ignored.
 */
import { isOwnDeskEvent, type LoopGuardConfig } from "../../domain/loop-guard.js";
import { type HttpRequest, parseBody } from "../http.js";
import { DeskEventsSchema, MAX_BODY_BYTES } from "../inputs.js";
import { own, type RouteResult, type Unit, validate } from "./route-kit.js";

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
        },
      });
    }
    return { units, ignored };
  };
}
