/**
 * The stored plan of a job, as the job store keeps it between attempts: the guarded writes, which of them are done,
 * the audit trail's own step, and the per-record write-cap slot the plan holds. Parsed with zod when read back
 * (the job table is a boundary: an older worker may have written the item).
 */
import * as z from "zod";
import type { PlannedWrite } from "../domain/planned-write.js";
import { BOOKS_ENTITIES } from "../domain/zoho-products.js";

const RecordRefSchema = z.union([z.string(), z.object({ fromStep: z.number().int().nonnegative() })]);

const PlannedWriteSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("crm-create"),
    module: z.string(),
    proposed: z.record(z.string(), z.unknown()),
    allowList: z.array(z.string()),
    existsBy: z.object({ field: z.string(), value: z.string() }).optional(),
  }),
  z.object({
    kind: z.literal("crm-update"),
    module: z.string(),
    id: z.string(),
    proposed: z.record(z.string(), z.unknown()),
    allowList: z.array(z.string()),
    droppable: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal("crm-note"),
    module: z.string(),
    id: RecordRefSchema,
    title: z.string(),
    content: z.string(),
  }),
  z.object({
    kind: z.literal("crm-task"),
    module: z.string(),
    id: RecordRefSchema,
    subject: z.string(),
    dueDate: z.string().optional(),
    description: z.string().optional(),
    ownerId: z.string().optional(),
  }),
  z.object({
    kind: z.literal("desk-ticket-update"),
    ticketId: z.string(),
    proposed: z.record(z.string(), z.unknown()),
    allowList: z.array(z.string()),
    droppable: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal("desk-comment"), ticketId: z.string(), content: z.string() }),
  z.object({
    kind: z.literal("desk-ticket-create"),
    subject: z.string(),
    description: z.string(),
    email: z.string(),
    contactName: z.string().optional(),
  }),
  z.object({
    kind: z.literal("desk-reply"),
    ticketId: z.string(),
    content: z.string(),
    to: z.string().nullable(),
    departmentId: z.string().nullable().optional(),
    fromEmailAddress: z.string().optional(),
  }),
  z.object({
    kind: z.literal("creator-update"),
    app: z.string(),
    form: z.string(),
    report: z.string(),
    id: z.string(),
    proposed: z.record(z.string(), z.unknown()),
    allowList: z.array(z.string()),
    droppable: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal("creator-audit"),
    app: z.string(),
    form: z.string(),
    report: z.string(),
    fields: z.object({ recordId: z.string(), useCase: z.string(), text: z.string() }),
    recordId: z.string(),
    quote: z.array(z.string()),
  }),
  z.object({
    kind: z.literal("books-update"),
    entity: z.enum(BOOKS_ENTITIES),
    id: z.string(),
    proposed: z.record(z.string(), z.unknown()),
    allowList: z.array(z.string()),
    droppable: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal("books-comment"),
    entity: z.enum(BOOKS_ENTITIES),
    id: z.string(),
    quote: z.array(z.string()),
  }),
]);

/** The schema reads back exactly the writes a use case can plan (a kind added to one must be added to the other). */
type ReadBack = z.infer<typeof PlannedWriteSchema>;
const _readBackIsPlannedWrite = (w: ReadBack): PlannedWrite => w;
const _everyKindReadBack = (k: PlannedWrite["kind"]): ReadBack["kind"] => k;
void _readBackIsPlannedWrite;
void _everyKindReadBack;

/** What every audit entry records about an AI write. */
export const AuditInfoSchema = z.object({
  model: z.string(),
  promptVersion: z.string(),
  jobId: z.string(),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }),
  /** Each model call of the unit (a use case's `answer` makes several), failed attempts included. */
  calls: z
    .array(
      z.object({
        label: z.string(),
        promptTokens: z.number(),
        completionTokens: z.number(),
        costMicros: z.number(),
      }),
    )
    .optional(),
  /** What the use case decided beyond its writes (UseCaseWork.outcome), e.g. an e-mail's intent and rule. */
  outcome: z.record(z.string(), z.unknown()).optional(),
  mappings: z.array(z.string()),
  /** Optional targets left out of the write because Zoho would refuse their value (partial writes). */
  dropped: z.array(z.string()).optional(),
});
export type AuditInfo = z.infer<typeof AuditInfoSchema>;

/**
 * The audit trail as a step of the plan. `crm-note`: a note on the record, written after the update and retried
 * like any write until `done`. `in-write`: carried inside a write step (the `AUDIT_MODE=field` update, the Desk
 * private comment), so it exists exactly when that step is done.
 */
export const AuditStepSchema = z.discriminatedUnion("kind", [
  /** `id` may name the record a `crm-create` step of the plan creates (`{ fromStep }`). */
  z.object({ kind: z.literal("crm-note"), module: z.string(), id: RecordRefSchema, done: z.boolean() }),
  z.object({ kind: z.literal("in-write") }),
]);
export type AuditStep = z.infer<typeof AuditStepSchema>;

/** A slot of the per-record daily AI write cap, taken before the model call. */
export const CapSlotSchema = z.object({ recordKey: z.string(), day: z.string() });
export type CapSlot = z.infer<typeof CapSlotSchema>;

/** Marks, in a plan written by an older worker, that its audit note was written. */
const LEGACY_AUDIT_NOTE_STEP = -1;

const StoredPlanObject = z.object({
  writes: z.array(PlannedWriteSchema),
  /** Indexes into `writes` of the steps already done. */
  done: z.array(z.number().int().nonnegative()),
  /** Ids created by the plan's `crm-create` (and `desk-ticket-create`) steps, by step index. */
  created: z.record(z.string(), z.string()).optional(),
  audit: AuditInfoSchema,
  auditStep: AuditStepSchema,
  /** The write-cap slot this plan holds; given back if the job ends with nothing written. */
  capSlot: CapSlotSchema.nullable(),
});

export const StoredPlanSchema = z.preprocess((raw) => {
  // Plans stored before the audit step existed: `done` held -1 once the note was written.
  if (typeof raw !== "object" || raw === null || "auditStep" in raw) return raw;
  const old = raw as { writes?: { kind?: string; module?: string; id?: string }[]; done?: number[] };
  const crm = old.writes?.find((w) => w.kind === "crm-update");
  const done = old.done ?? [];
  return {
    ...raw,
    done: done.filter((d) => d !== LEGACY_AUDIT_NOTE_STEP),
    auditStep: crm
      ? { kind: "crm-note", module: crm.module, id: crm.id, done: done.includes(LEGACY_AUDIT_NOTE_STEP) }
      : { kind: "in-write" },
    capSlot: null,
  };
}, StoredPlanObject);

export type StoredPlan = Omit<z.infer<typeof StoredPlanObject>, "writes"> & { writes: PlannedWrite[] };

/** True when some write of the plan reached Zoho (so a replay must resume it, never start over). */
export const anyStepDone = (plan: StoredPlan): boolean =>
  plan.done.length > 0 || (plan.auditStep.kind === "crm-note" && plan.auditStep.done);
