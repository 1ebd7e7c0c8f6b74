/**
 * `npm run send -- email`: one inbound e-mail posted to the local ingest as n8n or Zoho Flow would, picked at random
 * from three that take the three paths of the rule table: a new business sender (a Lead, its note and task), a
 * known contact of the sandbox org (a note and a task for the contact's owner), a support request (a Desk ticket).
 * Each send gets a fresh Message-ID, so it is new work; send the same body twice to see the duplicate dropped.
 */
import { randomUUID } from "node:crypto";

/** The three e-mails, in rule-table order: new business, known contact, support. */
export const EMAIL_SAMPLES = [
  {
    from: { name: "Elena Petrova", address: "elena.petrova@nordlicht-energie.example" },
    to: ["sales@zylker.example"],
    subject: "Angebot für 120 Lizenzen / quote for 120 seats",
    html: '<div>Hello,</div><div><br></div><div>we are <b>Nordlicht Energie GmbH</b> (about 900 employees) and would like a quote for 120 seats on the annual plan, with SSO. Could you send it by next Friday? Our budget is around 40,000 EUR.</div><div><br></div><div>Best regards,<br>Elena Petrova<br>Head of IT</div><div class="gmail_signature">Nordlicht Energie GmbH | +49 30 1234 5678 | nordlicht-energie.example</div>',
  },
  {
    // A contact the sandbox seeds (Maria Gonzalez, mgonzalez@customer.example).
    from: { name: "Maria Gonzalez", address: "mgonzalez@customer.example" },
    to: ["sam@zylker.example"],
    subject: "Re: platform rollout - second site",
    body: "Hi Sam,\n\nThe rollout at our first warehouse went well. We want to add the Rotterdam site in January: can you send an updated order form for 40 more users by 15 December?\n\nThanks,\nMaria\n\nOn Mon, Nov 23, 2026 at 9:12 AM Sam Lee <sam@zylker.example> wrote:\n> Glad to hear it, Maria.",
  },
  {
    from: { name: "Camille Durand", address: "camille@boulangerie-durand.example" },
    to: ["support@zylker.example"],
    subject: "Imprimante de tickets hors ligne",
    body: "Bonjour,\n\nNotre imprimante de tickets ne se connecte plus depuis la mise à jour d'hier. Les ventes sont bloquées en caisse. Pouvez-vous nous aider rapidement ?\n\nCordialement,\nCamille Durand\n\n--\nBoulangerie Durand, Lyon",
  },
];

export function sample(): { path: string; body: unknown } {
  const pick = EMAIL_SAMPLES[
    Math.floor(Math.random() * EMAIL_SAMPLES.length)
  ] as (typeof EMAIL_SAMPLES)[number];
  return {
    path: "/v1/hooks/flow/email-triage",
    body: {
      messageId: `<${randomUUID()}@mail.sample.example>`,
      receivedAt: new Date().toISOString(),
      ...pick,
    },
  };
}
