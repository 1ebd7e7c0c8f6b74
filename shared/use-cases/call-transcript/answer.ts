/** What the model answers about a call: the map and reduce schemas and their system prompts. */
import * as z from "zod";
import { boundShape } from "../../domain/output-targets.js";
import { DATA_RULES } from "../../prompts/data-block.js";
import type { LoadedTranscript } from "./work.js";

export const side = z
  .enum(["ours", "theirs"])
  .describe("whose side: ours (the seller, the CRM's user) or theirs (the customer)");
export const dueDate = z.iso
  .date()
  .nullable()
  .describe(
    "the due date as YYYY-MM-DD only when the call states one (resolve 'Friday' from the call date), else null",
  );
export const actionItem = z.object({
  side,
  owner: z.string().max(120).describe("who said they would do it, as the transcript names them"),
  description: z.string().min(1).max(300).describe("what will be done, one sentence"),
  due_date: dueDate,
});
export const commitment = z.object({ side, text: z.string().min(1).max(300) });
export const quote = z
  .string()
  .max(400)
  .nullable()
  .describe("the exact words of the transcript that state it, copied verbatim; null when nothing states it");

/** What one map call answers about its part of the call. */
export const ChunkNotesSchema = z.object({
  summary: z
    .string()
    .min(1)
    .max(1_500)
    .describe("what happened in this part of the call, neutral, a few sentences"),
  objections: z.array(z.string().max(300)).max(10).describe("the customer's objections raised in this part"),
  commitments: z.array(commitment).max(10),
  action_items: z.array(actionItem).max(10),
  risks: z
    .array(z.string().max(300))
    .max(10)
    .describe("risks to the deal or the relationship shown in this part"),
  deal_signals: z
    .array(z.object({ signal: z.string().max(300), quote: z.string().max(400) }))
    .max(5)
    .describe(
      "explicit statements about the deal's stage, next step or closing date, each with its verbatim quote",
    ),
});
export type ChunkNotes = z.infer<typeof ChunkNotesSchema>;

/** The final answer's schema; deal suggestions only on a deal, in the org's own Stage values. */
export function callSchemaFor(loaded: Pick<LoadedTranscript, "deal">) {
  const base = {
    summary: z
      .string()
      .min(1)
      .max(3_000)
      .describe("the call in a few sentences: who, what was discussed, outcome"),
    objections: z.array(z.string().max(300)).max(15),
    commitments: z.array(commitment).max(15),
    action_items: z.array(actionItem).max(20),
    risks: z.array(z.string().max(300)).max(15),
    next_step: z.string().max(300).nullable().describe("the next step agreed in the call, else null"),
    sentiment: z
      .enum(["positive", "neutral", "mixed", "negative"])
      .describe("the customer's overall sentiment"),
  };
  if (!loaded.deal) return z.object(base);
  const shape = boundShape(loaded.deal);
  const deal = z.object({
    ...shape,
    evidence: quote.describe(
      "the exact words of the transcript that support the suggestions, copied verbatim; null when none is supported",
    ),
  });
  return z.object({ ...base, deal });
}
export type CallAnswer = z.infer<ReturnType<typeof callSchemaFor>> & { deal?: Record<string, unknown> };

export const SYSTEM_MAP = `You take notes of one part of a sales call transcript for a CRM. ${DATA_RULES} Write only what this part says: no guesses. Our side is the seller (the CRM's user); their side is the customer. Deal signals are only explicit statements about the deal's stage, next step or closing date, each with its exact quote.`;

export const SYSTEM_REDUCE = `You merge the notes of the parts of one sales call, in order, into the call's record for a CRM. ${DATA_RULES} Keep every distinct action item, commitment, objection and risk once; merge duplicates. Our side is the seller (the CRM's user); their side is the customer. Suggest deal fields only when a part's deal signals explicitly state them, with the verbatim quote; otherwise null.`;

export const SYSTEM_SINGLE = `You take notes of a sales call transcript for a CRM. ${DATA_RULES} Write only what the call says: no guesses. Our side is the seller (the CRM's user); their side is the customer. Suggest deal fields only when the call explicitly states them, with the verbatim quote; otherwise null.`;
