/**
 * The argument pieces every tool's zod input is built from. They are the first line of the trust boundary: a value
 * that passes them may go into a Zoho URL path or a criteria string (ids are digits only, module and field names
 * letters, digits and underscores), and every text is bounded. The same schemas become the MCP `inputSchema` and
 * the OpenAPI request bodies, so each carries a description a model reads.
 */
import * as z from "zod";
import { FIELD_NAME, MODULE_NAME } from "../domain/api-key.js";
import type { ToolContext, WriteOutcome } from "./definition.js";

/** Ceiling of any one text argument in the schema; `ToolsConfig.maxTextLength` (checked by invokeTool) is the
 * deployment's own, lower limit. Zoho's long text fields hold 32,000 characters. */
export const TEXT_CEILING = 32_000;

/** Zoho's largest search page (`per_page` at most 200); `ToolsConfig.maxPageSize` is the deployment's. */
export const PAGE_CEILING = 200;

/** Records and thread texts are cut at this many characters per string (a page of records stays small). */
export const MAX_VALUE_LENGTH = 2_000;

/** A CRM record id: 19 digits, as a string (a JSON number cannot hold 19 digits exactly). */
export const CrmIdSchema = z
  .string()
  .regex(/^\d{19}$/, "must be a CRM record id: 19 digits, as a string")
  .describe("CRM record id: 19 digits as a string");

/** A Desk id (ticket, department): 1-19 digits, as a string. */
export const DeskIdSchema = z
  .string()
  .regex(/^\d{1,19}$/, "must be a Desk id: 1-19 digits, as a string")
  .describe("Desk id: 1-19 digits as a string");

/** A CRM module's API name (`Leads`, `Deals`, a custom module's `Projects__c` is `Projects`-like). */
export const ModuleSchema = z
  .string()
  .regex(MODULE_NAME, "must be a module API name (letters, digits, underscore)")
  .describe("CRM module API name, e.g. Leads, Contacts, Deals");

/** A field's API name. */
export const FieldNameSchema = z
  .string()
  .regex(FIELD_NAME, "must be a field API name (letters, digits, underscore)");

/** A text an agent writes (note, comment, draft): bounded here and again by the deployment's limit. */
export const textSchema = (max: number, what: string) => z.string().min(1).max(max).describe(what);

/** Why the agent makes a write: kept with the audit note or the proposal, as data for a person. */
export const ReasonSchema = z
  .string()
  .min(1)
  .max(2_000)
  .describe("Why you make this change (shown to the person reviewing it; the audit note keeps 500 chars)");

/**
 * Field values to write, by API name: 1-50 entries. Values are checked later against the org's live metadata
 * (type, length, picklist values) and the key's allow-list; only what passes is written.
 */
export const FieldValuesSchema = z
  .record(
    FieldNameSchema,
    z.union([
      z.string().max(TEXT_CEILING),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.string().max(1_000)).max(100),
    ]),
  )
  .refine((v) => Object.keys(v).length >= 1 && Object.keys(v).length <= 50, "give 1 to 50 fields")
  .describe(
    "Field API name -> new value (text, number, true/false, date YYYY-MM-DD, a list for multi-select)",
  );

/** `call_...` and `prop_...` ids: `call_`/`prop_` + 20 characters `[a-z0-9]`. */
export const CALL_ID = /^call_[a-z0-9]{20}$/;
export const PROPOSAL_ID = /^prop_[a-z0-9]{20}$/;

/** The job id every tool answer carries: this call's id. */
export const JobIdOutput = z.string().describe("This call's id (call_...): ask mediator_job_status about it");

/** What a write tool answers: written (with the new record's id where one was created) or proposed. */
export const WriteStatusSchema = z.enum(["written", "proposed"]);

/**
 * A write tool's answer: its status, the proposal to ask about when a person must approve the write first, the job
 * id, and what the tool adds when written (`shape` may also narrow or widen `status`).
 */
export const writeAnswerSchema = <S extends z.ZodRawShape>(shape: S) =>
  z
    .object({
      status: WriteStatusSchema,
      proposalId: z.string().optional().describe("Set when a person must approve the write first"),
      jobId: JobIdOutput,
    })
    .extend(shape);

/** The answer to a write: proposed (its proposal id), or what `written` says of the made write; with the job id. */
export function answerWrite<W extends object>(
  ctx: Pick<ToolContext, "callId">,
  outcome: WriteOutcome,
  written: (made: Extract<WriteOutcome, { status: "written" }>) => W,
) {
  return outcome.status === "proposed"
    ? { status: "proposed" as const, proposalId: outcome.proposalId, jobId: ctx.callId }
    : { ...written(outcome), jobId: ctx.callId };
}
