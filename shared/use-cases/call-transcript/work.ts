/**
 * Call transcripts, the pipeline part: load the transcript (inline, or a Zoho attachment downloaded within a byte
 * bound), split it on speaker turns into token-bounded chunks, summarise the chunks in parallel (map), merge the
 * chunk notes in one call (reduce), and plan one note on the related record, one task per action item on our side,
 * and, on a Deal, the deal-field suggestions the call explicitly supports, through the write guard.
 *
 * The mediator, not the model, decides what is written: a stage suggestion must be one of the org's Stage values
 * (the schema offers only those), must not move the deal backwards in the org's picklist order (unless the
 * deployment allows it), and every deal suggestion must quote the transcript: a quote that is not in the
 * transcript is a suggestion the call does not support, and it is left out (named in the note).
 */
import * as z from "zod";
import { type Binding, boundTarget, droppableFields, withFieldMap } from "../../domain/output-targets.js";
import type { PlannedWrite } from "../../domain/planned-write.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { ownerIdOf } from "../../ports/zoho-crm.js";
import { dataBlock } from "../../prompts/data-block.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { ModelAsk, UseCaseSettings, UseCaseWork, WorkContext } from "../descriptor.js";
import {
  type CallAnswer,
  ChunkNotesSchema,
  callSchemaFor,
  SYSTEM_MAP,
  SYSTEM_REDUCE,
  SYSTEM_SINGLE,
} from "./answer.js";
import { noteContent } from "./note.js";
import { DEFAULT_TRANSCRIPT_SETTINGS, type TranscriptSettings } from "./settings.js";
import { type Chunk, chunkText, loadTokenizer, parseTurns, splitTurns } from "./split.js";
import { DEAL_MAPPING } from "./targets.js";

export const TranscriptInputSchema = z.looseObject({
  module: z.string().min(1),
  recordId: ZohoIdSchema,
  callId: z.string().optional(),
  transcript: z.string().optional(),
  transcriptRef: z
    .object({ module: z.string(), recordId: ZohoIdSchema, attachmentId: ZohoIdSchema })
    .optional(),
  durationSeconds: z.number().optional(),
});
type TranscriptInput = z.infer<typeof TranscriptInputSchema>;

export interface LoadedTranscript {
  module: string;
  id: string;
  record: Record<string, unknown>;
  callId: string | undefined;
  /** The day of the call as the mediator knows it (for "by Friday"): the day the event is processed. */
  callDate: string;
  chunks: Chunk[];
  words: number;
  /** Whitespace-normalised lower-case transcript, to check the quotes deal suggestions give. */
  haystack: string;
  /** Deal targets bound to the org's fields; only when the related record is a deal. */
  deal: Binding | undefined;
}

/**
 * Per call: the system prompt, the response schema and the data block's JSON escaping, about 1,000 tokens (the
 * model server's counts: a 2,000-token chunk is a 2,950-3,100-token prompt). Per chunk, its notes as the reduce
 * reads them: up to about 2,300 tokens when the notes fill their schema's bounds. With these the estimate of the
 * 60-minute fixture (about 36,900) is within 1% of what its calls measured (36,686 prompt tokens).
 */
const CALL_OVERHEAD_TOKENS = 1_000;
const NOTES_TOKENS_PER_CHUNK = 2_300;
/** More tasks than this from one call is a model gone wrong, not a call: the rest are named in the note. */
const MAX_TASKS = 10;
const NOTE_MAX = 32_000;

const normalise = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0).length;

/** Tokens the event will cost at most, before any call: the map inputs, every call's overhead and the reduce. */
export function estimateTranscriptTokens(loaded: Pick<LoadedTranscript, "chunks">): number {
  const transcript = loaded.chunks.reduce((n, c) => n + c.tokens, 0);
  const n = loaded.chunks.length;
  if (n <= 1) return transcript + CALL_OVERHEAD_TOKENS;
  return transcript + n * CALL_OVERHEAD_TOKENS + n * NOTES_TOKENS_PER_CHUNK + CALL_OVERHEAD_TOKENS;
}

/** The index of a value in the org's Stage picklist, or -1. */
const stageIndex = (binding: Binding, value: unknown) =>
  (boundTarget(binding, "stage")?.field.picklist ?? []).indexOf(String(value));

/** The work with the optional parts this use case always has (tests and the bench call them directly). */
export type TranscriptWork = UseCaseWork<TranscriptInput, LoadedTranscript> &
  Required<
    Pick<UseCaseWork<TranscriptInput, LoadedTranscript>, "answer" | "tokenBudgetPerEvent" | "estimateTokens">
  >;

export function callTranscriptWork(
  settings: UseCaseSettings,
  options: TranscriptSettings = DEFAULT_TRANSCRIPT_SETTINGS,
): TranscriptWork {
  const mapping = withFieldMap(DEAL_MAPPING, settings.fieldMap);

  const singlePrompt = (loaded: LoadedTranscript) => ({
    system: SYSTEM_SINGLE,
    user: dataBlock("call transcript", {
      call_date: loaded.callDate,
      transcript: loaded.chunks.map((c) => chunkText(c.turns)).join("\n"),
    }),
  });

  return {
    promptVersion: "call-transcript/2026-11-30.1",
    inputSchema: TranscriptInputSchema,
    tokenBudgetPerEvent: options.tokenBudgetPerEvent,

    async load(ctx: WorkContext, input: TranscriptInput): Promise<LoadedTranscript> {
      const record = await ctx.crm.getRecord(input.module, input.recordId);
      if (!record) throw new NotFoundError("zoho-crm", `${input.module} ${input.recordId} does not exist`);
      let text: string;
      if (input.transcript !== undefined) text = input.transcript;
      else if (input.transcriptRef) {
        const ref = input.transcriptRef;
        const file = await ctx.crm.downloadAttachment(
          ref.module,
          ref.recordId,
          ref.attachmentId,
          options.maxAttachmentBytes,
        );
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes);
        } catch {
          throw new ValidationError(`the transcript attachment ${ref.attachmentId} is not UTF-8 text`);
        }
      } else throw new ValidationError("give exactly one of transcript or transcriptRef");
      await loadTokenizer();
      const turns = parseTurns(text);
      if (turns.length === 0) throw new ValidationError("the transcript is empty");
      // Deal suggestions go only onto a deal, and only into fields the org's Deals module binds.
      const isDeal = input.module === mapping.module;
      const bound = isDeal ? ctx.binding : undefined;
      return {
        module: input.module,
        id: input.recordId,
        record,
        callId: input.callId,
        callDate: ctx.now.toISOString().slice(0, 10),
        chunks: splitTurns(turns, options.chunkTokens),
        words: words(text),
        haystack: normalise(text),
        deal: bound && bound.bound.length > 0 ? bound : undefined,
      };
    },

    estimateTokens: estimateTranscriptTokens,

    schemaFor: callSchemaFor,

    prompt: singlePrompt,

    async answer(ask: ModelAsk, loaded: LoadedTranscript) {
      const schema = callSchemaFor(loaded);
      const n = loaded.chunks.length;
      // One chunk: one call over the whole transcript, the same as the pipeline's default path.
      if (n <= 1) return ask({ label: "call", ...singlePrompt(loaded), schema });
      const notes = await Promise.all(
        loaded.chunks.map((c, i) =>
          ask({
            label: `chunk ${i + 1}/${n}`,
            system: SYSTEM_MAP,
            user: dataBlock(`part ${i + 1} of ${n} of a call transcript`, {
              call_date: loaded.callDate,
              part: `${i + 1} of ${n}`,
              transcript: chunkText(c.turns),
            }),
            schema: ChunkNotesSchema,
          }),
        ),
      );
      // The notes derive from untrusted text: they stay data for the reduce too.
      return ask({
        label: "reduce",
        system: SYSTEM_REDUCE,
        user: dataBlock("notes of a call's parts, in order", {
          call_date: loaded.callDate,
          parts: notes.map((p, i) => ({ part: i + 1, ...p })),
        }),
        schema,
      });
    },

    plan(output: Record<string, unknown>, loaded: LoadedTranscript): PlannedWrite[] {
      const answer = callSchemaFor(loaded).parse(output) as CallAnswer;
      const writes: PlannedWrite[] = [];
      const declined: string[] = [];
      const deal = loaded.deal ? planDeal(answer, loaded, loaded.deal, options, declined) : undefined;
      if (deal && loaded.deal)
        writes.push({
          kind: "crm-update",
          module: loaded.module,
          id: loaded.id,
          proposed: deal,
          allowList: loaded.deal.bound.map((b) => b.field.name),
          droppable: droppableFields(loaded.deal, mapping),
        });
      const ours = answer.action_items.filter((a) => a.side === "ours");
      for (const item of ours.slice(0, MAX_TASKS))
        writes.push({
          kind: "crm-task",
          module: loaded.module,
          id: loaded.id,
          subject: item.description.slice(0, 255),
          // The record's owner does what our side promised (the integration user when the record has none).
          ...(ownerIdOf(loaded.record) ? { ownerId: ownerIdOf(loaded.record) } : {}),
          ...(item.due_date ? { dueDate: item.due_date } : {}),
          description: `From the call${loaded.callId ? ` ${loaded.callId}` : ""} on ${loaded.callDate}; said by ${item.owner || "our side"}.`,
        });
      if (ours.length > MAX_TASKS)
        declined.push(`${ours.length - MAX_TASKS} more action items of ours (see above)`);
      writes.unshift({
        kind: "crm-note",
        module: loaded.module,
        id: loaded.id,
        title: `Call summary${loaded.callId ? ` (${loaded.callId})` : ""} ${loaded.callDate}`.slice(0, 120),
        content: noteContent(answer, declined).slice(0, NOTE_MAX),
      });
      return writes;
    },

    auditTarget: (loaded) => ({ service: "crm", module: loaded.module, id: loaded.id }),
  };
}

/**
 * The deal fields to propose, or undefined: only values the call quotes, a stage that is the org's and not behind
 * the deal's current one (unless allowed), and nothing equal to what the deal already holds. Every suggestion left
 * out is named in `declined` (it goes into the note, so a person sees what the call said).
 */
export function planDeal(
  answer: CallAnswer,
  loaded: Pick<LoadedTranscript, "record" | "haystack">,
  binding: Binding,
  options: Pick<TranscriptSettings, "allowStageBackwards">,
  declined: string[],
): Record<string, unknown> | undefined {
  const deal = answer.deal;
  if (!deal) return undefined;
  const suggested = binding.bound
    .map((b) => ({ key: b.target.key, field: b.field.name, value: deal[b.target.key] }))
    .filter((s) => s.value !== null && s.value !== undefined && s.value !== "");
  if (suggested.length === 0) return undefined;
  const evidence = typeof deal.evidence === "string" ? normalise(deal.evidence) : "";
  if (evidence.length < 8 || !loaded.haystack.includes(evidence)) {
    declined.push(
      `deal suggestions without a quote from the transcript: ${suggested.map((s) => `${s.field} "${String(s.value)}"`).join(", ")}`,
    );
    return undefined;
  }
  const proposed: Record<string, unknown> = {};
  for (const s of suggested) {
    const current = loaded.record[s.field];
    if (current === s.value) continue;
    if (s.key === "stage") {
      const to = stageIndex(binding, s.value);
      const from = stageIndex(binding, current);
      if (to < 0) {
        declined.push(`Stage "${String(s.value)}" is not one of the org's stages`);
        continue;
      }
      if (
        !options.allowStageBackwards &&
        (from < 0 ? current !== undefined && current !== null : to < from)
      ) {
        declined.push(
          from < 0
            ? `Stage "${String(s.value)}": the deal's stage "${String(current)}" is not in the org's stage order`
            : `Stage "${String(s.value)}" would move the deal back from "${String(current)}"`,
        );
        continue;
      }
    }
    proposed[s.field] = s.value;
  }
  return Object.keys(proposed).length > 0 ? proposed : undefined;
}

/** Figures of a loaded transcript (the bench and the README use them). */
export const transcriptFigures = (loaded: Pick<LoadedTranscript, "chunks" | "words">) => ({
  words: loaded.words,
  chunks: loaded.chunks.length,
  transcript_tokens: loaded.chunks.reduce((n, c) => n + c.tokens, 0),
  max_chunk_tokens: Math.max(0, ...loaded.chunks.map((c) => c.tokens)),
  estimate_tokens: estimateTranscriptTokens(loaded),
});
