/**
 * The CRM write tools. Each builds a `ToolWrite` from checked arguments and hands it to `ctx.write`, which guards
 * it against live metadata and the key's allow-list, counts it against the write budget and makes it (or stores a
 * proposal for a proposals-only key). `crm_propose_update` always proposes.
 */
import * as z from "zod";
import type { ToolDefinition } from "./definition.js";
import {
  answerWrite,
  CrmIdSchema,
  FieldValuesSchema,
  JobIdOutput,
  ModuleSchema,
  ReasonSchema,
  TEXT_CEILING,
  textSchema,
  writeAnswerSchema,
} from "./schemas.js";

const UpdateInput = z
  .object({
    module: ModuleSchema,
    id: CrmIdSchema,
    fields: FieldValuesSchema,
    reason: ReasonSchema.optional(),
  })
  .strict();

const Mapped = z.object({ field: z.string(), from: z.string(), to: z.string() });

const UpdateOutput = writeAnswerSchema({
  module: z.string().optional(),
  id: z.string().optional(),
  fields: z.array(z.string()).optional().describe("The fields written"),
  mapped: z.array(Mapped).optional().describe("Picklist values written in Zoho's spelling"),
});

export const crmUpdate: ToolDefinition<typeof UpdateInput, typeof UpdateOutput> = {
  name: "crm_update",
  title: "Update a CRM record",
  description:
    "Write fields of one CRM record (scope crm.write:<Module>; only fields on the key's allow-list), checked against the org's field types and picklists; all or nothing. May answer proposed. 403: field not allowed; 404: no such record; 422: a value refused, fix it; 429: wait retry-after.",
  scope: "crm.write",
  writes: true,
  input: UpdateInput,
  output: UpdateOutput,
  async run(ctx, input) {
    const outcome = await ctx.write(
      { kind: "crm-update", module: input.module, id: input.id, fields: input.fields },
      input.reason,
    );
    return answerWrite(ctx, outcome, (made) => ({
      status: "written" as const,
      module: input.module,
      id: input.id,
      fields: made.fields ?? [],
      mapped: made.mapped ?? [],
    }));
  },
};

const ProposeOutput = z.object({
  status: z.literal("proposed"),
  proposalId: z.string().describe("Ask mediator_job_status about it"),
  jobId: JobIdOutput,
});

export const crmProposeUpdate: ToolDefinition<typeof UpdateInput, typeof ProposeOutput> & {
  alwaysPropose: true;
} = {
  name: "crm_propose_update",
  title: "Propose a CRM update",
  description:
    "Propose field values for one CRM record for a person to approve; nothing is written now (scope crm.write:<Module>, allow-listed fields only; checked as crm_update). Counts against the write budget. 403: field not allowed; 422: a value refused; 429: wait retry-after.",
  scope: "crm.write",
  writes: true,
  alwaysPropose: true,
  input: UpdateInput,
  output: ProposeOutput,
  async run(ctx, input) {
    const outcome = await ctx.write(
      { kind: "crm-update", module: input.module, id: input.id, fields: input.fields },
      input.reason,
    );
    if (outcome.status !== "proposed") throw new Error("crm_propose_update wrote instead of proposing");
    return { status: "proposed", proposalId: outcome.proposalId, jobId: ctx.callId };
  },
};

const NoteInput = z
  .object({
    module: ModuleSchema,
    id: CrmIdSchema.describe("The record the note goes on"),
    title: z.string().min(1).max(120).optional(),
    content: textSchema(TEXT_CEILING, "The note's plain text"),
  })
  .strict();

const NoteOutput = writeAnswerSchema({ noteId: z.string().optional() });

export const crmAddNote: ToolDefinition<typeof NoteInput, typeof NoteOutput> = {
  name: "crm_add_note",
  title: "Add a note to a CRM record",
  description:
    "Add a plain-text note to one CRM record (scope crm.write:<Module>; content up to the deployment's limit, default 10,000 chars). May answer proposed. 403: key may not write the module; 422: Zoho refused it (e.g. no such record); 429: budget or rate, wait retry-after seconds.",
  scope: "crm.write",
  writes: true,
  input: NoteInput,
  output: NoteOutput,
  async run(ctx, input) {
    const outcome = await ctx.write({
      kind: "crm-note",
      module: input.module,
      id: input.id,
      content: input.content,
      ...(input.title ? { title: input.title } : {}),
    });
    return answerWrite(ctx, outcome, (made) => ({ status: "written" as const, noteId: made.recordId }));
  },
};

const isDate = (s: string) =>
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

const TaskInput = z
  .object({
    module: ModuleSchema,
    id: CrmIdSchema.describe("The record the task is about"),
    subject: z.string().min(1).max(255),
    dueDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
      .refine(isDate, "must be a real date")
      .optional(),
    description: z.string().min(1).max(TEXT_CEILING).optional(),
  })
  .strict();
const TaskOutput = writeAnswerSchema({ taskId: z.string().optional() });

export const crmCreateTask: ToolDefinition<typeof TaskInput, typeof TaskOutput> = {
  name: "crm_create_task",
  title: "Create a CRM task",
  description:
    "Create a task about one CRM record (scope crm.write:<Module>): subject up to 255 chars, optional due date YYYY-MM-DD. May answer proposed. 403: key may not write the module; 422: Zoho refused it; 429: budget or rate, wait retry-after seconds.",
  scope: "crm.write",
  writes: true,
  input: TaskInput,
  output: TaskOutput,
  async run(ctx, input) {
    const outcome = await ctx.write({
      kind: "crm-task",
      module: input.module,
      id: input.id,
      subject: input.subject,
      ...(input.dueDate ? { dueDate: input.dueDate } : {}),
      ...(input.description ? { description: input.description } : {}),
    });
    return answerWrite(ctx, outcome, (made) => ({ status: "written" as const, taskId: made.recordId }));
  },
};
