/** Desk ticket triage: summary, sentiment, urgency, category and a suggested reply. */
import type { UseCaseDescriptor } from "../descriptor.js";
import { TICKET_MAPPING } from "./targets.js";
import { ticketTriageWork } from "./work.js";

export const ticketTriage: UseCaseDescriptor = {
  name: "ticket-triage",
  title:
    "Desk ticket triage: a summary, sentiment, urgency and category, a private comment and a draft reply",
  service: "desk",
  triggers: { deskWebhook: { events: ["Ticket_Add", "Ticket_Thread_Add"] } },
  mapping: TICKET_MAPPING,
  work: ticketTriageWork,
};
