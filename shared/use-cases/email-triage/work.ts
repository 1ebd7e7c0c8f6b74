/**
 * E-mail triage, the pipeline part. The model reads the e-mail (as data) and answers what it is: the sender's
 * intent, the entities it states, a summary, the urgency, whether it belongs in CRM and whether it asks for
 * something. The mediator, not the model, decides what is written, by the rule table in `rules.ts`: it resolves the
 * sender itself (Search API, Contacts then Leads) and never updates an existing record, so a person's values are
 * never overwritten.
 */
import type { ZohoField } from "../../domain/zoho-field.js";
import { UpstreamScopeError } from "../../errors.js";
import { ownerIdOf } from "../../ports/zoho-crm.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import type { UseCaseWork, WorkContext } from "../descriptor.js";
import { emailText, loadEmailText } from "./email-text.js";
import { type EmailTriageInput, EmailTriageInputSchema, senderOf } from "./input.js";
import { EMAIL_PROMPT_VERSION, EmailTriageOutputSchema } from "./output.js";
import { planEmail, ruleFor } from "./rules.js";

export { EMAIL_PROMPT_VERSION, type EmailTriageOutput, EmailTriageOutputSchema } from "./output.js";

/** The CRM record the sender already is, with its owner. */
export interface KnownSender {
  module: "Contacts" | "Leads";
  id: string;
  ownerId: string | undefined;
}

export interface LoadedEmail {
  input: EmailTriageInput;
  sender: { name: string | undefined; address: string };
  /** The sender's words: HTML converted, quoted thread and signature trimmed. */
  text: string;
  known: KnownSender | undefined;
  /** Live Leads metadata, read only when the sender is unknown (a Lead may be created). */
  leadFields: ZohoField[] | undefined;
  /** Whether this connection reaches Desk (a support e-mail becomes a ticket only then). */
  desk: boolean;
  /** YYYY-MM-DD of the unit's processing, so "by Friday" can become a date. */
  today: string;
}

/** Tokens this use case spends at most per e-mail (prompt and answer); a longer e-mail is refused, never cut. */
export const EMAIL_TOKEN_BUDGET = 12_000;

/** Roughly three characters per token (conservative for English, closer for CJK), plus prompt and answer. */
export const estimateEmailTokens = (loaded: LoadedEmail): number =>
  Math.ceil((loaded.text.length + loaded.input.subject.length) / 3) + 1_500;

/** Contacts first (a customer), then Leads: the first record whose Email is the sender's address. */
async function resolveSender(ctx: WorkContext, address: string): Promise<KnownSender | undefined> {
  for (const module of ["Contacts", "Leads"] as const) {
    const found = (await ctx.crm.search(module, { email: address }, 5)).find(
      (r) => typeof r.Email === "string" && r.Email.toLowerCase() === address,
    );
    if (!found) continue;
    let ownerId = ownerIdOf(found);
    if (ownerId === undefined) {
      const full = await ctx.crm.getRecord(module, found.id);
      ownerId = full ? ownerIdOf(full) : undefined;
    }
    return { module, id: found.id, ownerId };
  }
  return undefined;
}

/** Whether the connection reaches Desk: a connection without a Desk org (or scope) answers UpstreamScopeError. */
async function deskReachable(ctx: WorkContext): Promise<boolean> {
  try {
    await ctx.fields("desk", "tickets");
    return true;
  } catch (error) {
    if (error instanceof UpstreamScopeError) return false;
    throw error;
  }
}

export function emailTriageWork(): UseCaseWork<EmailTriageInput, LoadedEmail> {
  return {
    promptVersion: EMAIL_PROMPT_VERSION,
    inputSchema: EmailTriageInputSchema,
    tokenBudgetPerEvent: EMAIL_TOKEN_BUDGET,
    estimateTokens: estimateEmailTokens,

    async load(ctx, input) {
      await loadEmailText();
      const sender = senderOf(input);
      const known = await resolveSender(ctx, sender.address);
      const [leadFields, desk] = await Promise.all([
        known ? undefined : ctx.fields("crm", "Leads"),
        deskReachable(ctx),
      ]);
      return {
        input,
        sender,
        text: emailText({ text: input.body, html: input.html }),
        known,
        leadFields,
        desk,
        today: ctx.now.toISOString().slice(0, 10),
      };
    },

    schemaFor: () => EmailTriageOutputSchema,

    prompt(loaded) {
      const { input, sender, text } = loaded;
      return {
        system: `You triage inbound e-mails for a company's CRM. ${DATA_RULES} Classify the sender's intent, extract only facts the e-mail states (never guess), summarise it neutrally, rate its urgency, say whether it belongs in CRM and whether the sender asks us to do something. Today is ${loaded.today}; write dates as YYYY-MM-DD.`,
        user: dataBlock("e-mail", {
          from: sender.name ? `${sender.name} <${sender.address}>` : sender.address,
          to: input.to ?? null,
          cc: input.cc ?? null,
          subject: input.subject,
          receivedAt: input.receivedAt ?? null,
          attachments: (input.attachments ?? []).map((a) => a.fileName),
          text,
        }),
      };
    },

    plan: (output, loaded) => planEmail(EmailTriageOutputSchema.parse(output), loaded),
    // The decision is kept with the job, written or not: a spam e-mail ends with nothing written and says why.
    outcome: (output, loaded) => {
      const parsed = EmailTriageOutputSchema.parse(output);
      return {
        intent: parsed.intent,
        urgency: parsed.urgency,
        rule: ruleFor(parsed, loaded),
        sender: loaded.known ? `${loaded.known.module} ${loaded.known.id}` : "unknown",
      };
    },

    auditTarget: (loaded) =>
      loaded.known
        ? { service: "crm", module: loaded.known.module, id: loaded.known.id }
        : { service: "none", key: `email:${loaded.sender.address}` },
  };
}
