/**
 * Lead enrichment and qualification (CRM): industry, ICP fit, intent, buying stage, a 0-100 score with its reason,
 * a summary, and suggestions for empty fields, written to configurable CRM fields with `"trigger": []`.
 */
import * as z from "zod";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { PlannedWrite, UseCaseEnv, WorkerUseCase } from "./types.js";

export const LeadInputSchema = z.looseObject({ module: z.string().default("Leads"), id: ZohoIdSchema });
type LeadInput = z.infer<typeof LeadInputSchema>;

/** Lead fields the model sees. Nothing else of the record leaves Zoho. */
const CONTEXT_FIELDS = [
  "First_Name",
  "Last_Name",
  "Company",
  "Designation",
  "Email",
  "Website",
  "City",
  "Country",
  "Lead_Source",
  "Lead_Status",
  "Industry",
  "No_of_Employees",
  "Annual_Revenue",
  "Description",
];

/** The output schema; `industries` (the org's live Industry picklist) turns `industry` into an enum of them. */
export function leadEnrichmentSchema(industries?: [string, ...string[]]) {
  return LeadEnrichmentSchema.extend({
    industry: (industries ? z.enum(industries) : z.string())
      .nullable()
      .describe("The lead's industry in the CRM's own industry vocabulary, or null if unclear"),
  });
}

export const LeadEnrichmentSchema = z.object({
  industry: z
    .string()
    .nullable()
    .describe("The lead's industry in the CRM's own industry vocabulary, or null if unclear"),
  icp_fit: z.enum(["Strong", "Moderate", "Weak"]).describe("Fit with the ideal customer profile"),
  intent: z.enum(["High", "Medium", "Low"]).describe("How strongly the lead signals intent to buy"),
  buying_stage: z.enum(["Awareness", "Consideration", "Evaluation", "Decision", "Purchase"]),
  score: z.number().int().min(0).max(100).describe("Qualification score"),
  score_reason: z.string().max(2000).describe("One or two sentences explaining the score, citing the data"),
  summary: z.string().max(2000).describe("A neutral two-sentence summary of the lead"),
  suggestions: z
    .array(z.object({ field: z.enum(["City", "Country", "Designation"]), value: z.string().max(100) }))
    .describe("Values for fields that are empty today, only where the data states them"),
});
type LeadOutput = z.infer<typeof LeadEnrichmentSchema>;

/** Where each output goes in the CRM; override per deployment with LEAD_FIELD_MAP. */
export const DEFAULT_LEAD_FIELDS = {
  icp_fit: "AI_ICP_Fit",
  intent: "AI_Intent",
  buying_stage: "AI_Buying_Stage",
  score: "AI_Score",
  score_reason: "AI_Score_Reason",
  summary: "AI_Summary",
  enriched_at: "AI_Enriched_At",
  industry: "Industry",
} as const;
export type LeadFieldMap = Record<keyof typeof DEFAULT_LEAD_FIELDS, string>;

/**
 * CRM fields only the mediator writes (with the default field map): a Notification API update touching only these
 * is the mediator's own write, which the ingest loop guard drops.
 */
export const MEDIATOR_WRITTEN_FIELDS = [
  ...Object.values(DEFAULT_LEAD_FIELDS).filter((f) => f !== DEFAULT_LEAD_FIELDS.industry),
  "AI_Audit",
];

/** Fields the model may fill only when they are empty today. */
const FILL_IF_EMPTY = ["Industry", "City", "Country", "Designation"];

interface LoadedLead {
  module: string;
  id: string;
  record: Record<string, unknown>;
  /** The org's Industry picklist values, when the industry field is a picklist. */
  industries?: [string, ...string[]];
}

export function makeLeadEnrichment(
  fieldMap: LeadFieldMap = DEFAULT_LEAD_FIELDS,
): WorkerUseCase<LeadInput, LoadedLead, typeof LeadEnrichmentSchema> {
  const allowList = [...new Set([...Object.values(fieldMap), ...FILL_IF_EMPTY])];
  return {
    name: "lead-enrichment",
    promptVersion: "lead-enrichment/2026-11-25.1",
    inputSchema: LeadInputSchema,
    outputSchema: LeadEnrichmentSchema,

    async load(env: UseCaseEnv, input: LeadInput): Promise<LoadedLead> {
      const res = await env.zoho.request<{ data: Record<string, unknown>[] }>({
        service: "crm",
        method: "GET",
        path: `/crm/v8/${input.module}/${input.id}`,
      });
      const record = res.data?.data?.[0];
      if (!record) {
        const { NotFoundError } = await import("../../errors.js");
        throw new NotFoundError("zoho-crm", `${input.module} ${input.id} does not exist`);
      }
      const industry = (await env.crmFields(input.module)).find((f) => f.name === fieldMap.industry);
      const values = (industry?.picklist ?? []).filter((v) => v !== "-None-");
      return {
        module: input.module,
        id: input.id,
        record,
        ...(values.length ? { industries: values as [string, ...string[]] } : {}),
      };
    },

    schemaFor: (loaded) => leadEnrichmentSchema(loaded.industries),

    prompt(loaded) {
      const data = Object.fromEntries(
        CONTEXT_FIELDS.filter((f) => loaded.record[f] !== undefined && loaded.record[f] !== null).map((f) => [
          f,
          loaded.record[f],
        ]),
      );
      return {
        system: `You qualify B2B sales leads for a CRM. ${DATA_RULES} Judge ICP fit for a mid-market SaaS vendor selling to companies of 50-5000 employees. Suggest values only for fields that are empty in the data.`,
        user: dataBlock("lead record", data),
      };
    },

    plan(output: LeadOutput, loaded: LoadedLead, env: UseCaseEnv): PlannedWrite[] {
      const empty = (f: string) =>
        loaded.record[f] === undefined ||
        loaded.record[f] === null ||
        loaded.record[f] === "" ||
        loaded.record[f] === "-None-";
      const proposed: Record<string, unknown> = {
        [fieldMap.icp_fit]: output.icp_fit,
        [fieldMap.intent]: output.intent,
        [fieldMap.buying_stage]: output.buying_stage,
        [fieldMap.score]: output.score,
        [fieldMap.score_reason]: output.score_reason,
        [fieldMap.summary]: output.summary,
        [fieldMap.enriched_at]: env.now.toISOString(),
      };
      if (output.industry && empty(fieldMap.industry)) proposed[fieldMap.industry] = output.industry;
      for (const s of output.suggestions)
        if (empty(s.field) && proposed[s.field] === undefined) proposed[s.field] = s.value;
      return [{ kind: "crm-update", module: loaded.module, id: loaded.id, proposed, allowList }];
    },

    auditTarget: (loaded) => ({ service: "crm", module: loaded.module, id: loaded.id }),
  };
}
