/**
 * Per document type, the versioned extraction schema the model answers (strict structured output). Every value
 * carries the model's `confidence` (0-1) and the `page` it came from (1-based; null when the document has no
 * pages, e.g. inline text), so the mediator, not the model, decides whether a value goes to a field or to the review
 * note. A schema change bumps its `version`, which is part of the use case's prompt version.
 */
import * as z from "zod";

export const DOCUMENT_TYPES = ["contract", "application-form", "bank-statement", "proposal"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

const confidence = z
  .number()
  .min(0)
  .max(1)
  .describe("how sure you are the document states this value, 0 to 1");
const page = z
  .number()
  .int()
  .min(1)
  .nullable()
  .describe("the page the value is read from, 1-based; null if unknown");

/** One extracted value: null when the document does not state it. */
const found = <T extends z.ZodType>(value: T, intent: string) =>
  z
    .object({ value: value.nullable(), confidence, page })
    .describe(`${intent}; value null when the document does not state it`);

const text = (max: number) => z.string().max(max);
const date = () => z.iso.date();
const amount = () => z.number();
/** Three letters; the plan writes only an upper-case ISO code (anything else goes to the review note). */
const currency = () => z.string().length(3).describe("ISO 4217 code, upper case");

const listOf = (intent: string, max = 20) =>
  z
    .array(z.object({ text: text(500), confidence, page }))
    .max(max)
    .describe(intent);

/** A dated obligation: becomes a CRM Task when sure enough. */
const deadlines = z
  .array(
    z.object({
      description: text(250),
      date: date().nullable().describe("the due date; null when the document gives none"),
      confidence,
      page,
    }),
  )
  .max(20)
  .describe(
    "dated obligations and deadlines the document states (notice periods, payment, renewal, submission)",
  );

/** Scalar values: each can be bound to a CRM field by the org's field map. */
export const SCALARS = {
  contract: {
    parties: found(text(500), "the contracting parties' names, comma separated"),
    effective_date: found(date(), "the contract's effective (start) date"),
    end_date: found(date(), "the contract's end date"),
    renewal_terms: found(text(1000), "renewal terms: automatic or not, period, notice"),
    amount: found(amount(), "the contract value"),
    currency: found(currency(), "the contract value's currency"),
  },
  "application-form": {
    applicant_name: found(text(200), "the applicant's full name"),
    applicant_email: found(text(200), "the applicant's e-mail address"),
    applicant_phone: found(text(50), "the applicant's phone number"),
    applicant_company: found(text(200), "the applicant's company"),
    applicant_address: found(text(500), "the applicant's postal address"),
    requested_amount: found(amount(), "the amount applied for"),
  },
  "bank-statement": {
    account_holder: found(text(200), "the account holder's name"),
    bank_name: found(text(200), "the bank's name"),
    period_start: found(date(), "the first day of the statement period"),
    period_end: found(date(), "the last day of the statement period"),
    opening_balance: found(amount(), "the balance at the start of the period"),
    closing_balance: found(amount(), "the balance at the end of the period"),
    currency: found(currency(), "the account's currency"),
  },
  proposal: {
    client: found(text(200), "the client the proposal is made to"),
    total_amount: found(amount(), "the proposal's total price"),
    currency: found(currency(), "the total's currency"),
    valid_until: found(date(), "the date the offer is valid until"),
  },
} as const satisfies Record<DocumentType, Record<string, z.ZodType>>;

/** Lists: never a field; they go to the summary note. */
const LISTS = {
  contract: {
    key_clauses: listOf("key clauses (termination, liability, exclusivity, payment terms), one line each"),
    risks: listOf(
      "terms that are a risk for us (auto-renewal, uncapped liability, penalties), one line each",
    ),
    deadlines,
  },
  "application-form": { deadlines },
  "bank-statement": {
    anomalies: listOf(
      "anomalies: returned payments, overdrafts, large unexplained transfers, gaps, one line each",
    ),
  },
  proposal: {
    deliverables: listOf("what is offered, one line each"),
    deadlines,
  },
} as const;

/** Bumped when a type's schema changes. */
export const SCHEMA_VERSIONS: Record<DocumentType, number> = {
  contract: 1,
  "application-form": 1,
  "bank-statement": 1,
  proposal: 1,
};

/** The model's answer for one document type: its scalars, its lists and a short neutral summary. */
export function extractionSchema(type: DocumentType) {
  return z.object({
    ...SCALARS[type],
    ...LISTS[type],
    summary: text(1000).describe("a neutral two- or three-sentence summary of the document"),
  });
}

export type ExtractedValue = { value: unknown; confidence: number; page: number | null };
export type ListItem = { text: string; confidence: number; page: number | null };
export type Deadline = { description: string; date: string | null; confidence: number; page: number | null };
