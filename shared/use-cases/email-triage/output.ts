/** E-mail triage's model answer: the versioned prompt's strict output schema and the intents it classifies into. */
import * as z from "zod";

export const EMAIL_PROMPT_VERSION = "email-triage/2026-11-30.2";

/** What an e-mail may be about; the business intents are the ones a Lead may be created for. */
export const INTENTS = ["new-business", "support", "deal-update", "billing", "spam", "other"] as const;
export const BUSINESS_INTENTS: ReadonlySet<string> = new Set(["new-business", "deal-update", "billing"]);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The model's answer (strict structured output: every key present, unknowns null). */
export const EmailTriageOutputSchema = z.object({
  intent: z
    .enum(INTENTS)
    .describe(
      "the sender's intent: new-business (wants to buy, a quote, a demo), support (a problem with the product), deal-update (news on an ongoing deal), billing (invoices, payments), spam (unsolicited, phishing, marketing), other",
    ),
  entities: z
    .object({
      person: z
        .string()
        .max(200)
        .nullable()
        .describe("the sender's full name as the e-mail states it, else null"),
      company: z
        .string()
        .max(200)
        .nullable()
        .describe("the sender's company as the e-mail states it, else null"),
      phone: z.string().max(50).nullable().describe("a phone number the e-mail states, else null"),
      website: z.string().max(255).nullable().describe("the sender's company website as stated, else null"),
      dealAmount: z
        .number()
        .nonnegative()
        .nullable()
        .describe("an amount of money the e-mail states, else null"),
      currency: z.string().max(3).nullable().describe("the ISO currency of that amount, else null"),
      dates: z
        // A date the text gives only in words ("next Friday") that cannot be written as a day is null.
        .array(z.object({ what: z.string().max(200), date: isoDate.nullable() }))
        .max(10)
        .describe("dates the e-mail states (YYYY-MM-DD) and what they are"),
    })
    .describe("facts the e-mail states; never guessed"),
  summary: z.string().min(1).max(1_000).describe("a neutral summary of the e-mail in two or three sentences"),
  urgency: z.enum(["high", "normal", "low"]).describe("how soon someone should act"),
  belongsInCrm: z
    .boolean()
    .describe("whether this e-mail is sales or customer business worth keeping in CRM"),
  request: z
    .object({
      asks: z.boolean().describe("whether the sender asks us to do something"),
      task: z.string().max(255).nullable().describe("what we should do, as a short task subject, else null"),
      dueDate: isoDate.nullable().describe("when the sender needs it (YYYY-MM-DD) if stated, else null"),
    })
    .describe("what the sender asks for"),
});
export type EmailTriageOutput = z.infer<typeof EmailTriageOutputSchema>;
