/**
 * Lead enrichment and qualification (CRM): ICP fit, intent, buying stage, a 0-100 score with its reason, a summary,
 * and values for empty fields (industry, city, country, title), written with `"trigger": []`.
 *
 * The outputs are declared as targets (intent, field types that can hold them, required or optional); the field
 * mapping binds them to the org's live fields, so every value the model may give is one the org's field accepts:
 * its picklist values, its length. Fields are configurable with LEAD_FIELD_MAP.
 */
import * as z from "zod";
import { NotFoundError } from "../../errors.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import {
  type Binding,
  boundShape,
  droppableFields,
  type OutputTarget,
  systemValue,
  type UseCaseMapping,
} from "../../worker/field-mapping.js";
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

/**
 * What lead enrichment writes. Required: the ICP fit and the score (without them enrichment means nothing);
 * the rest is written where the org has a field for it. The `create` specs are what `fields create` suggests.
 */
export const LEAD_TARGETS = [
  {
    key: "icp_fit",
    field: "AI_ICP_Fit",
    required: true,
    intent:
      "fit with the ideal customer profile (a mid-market SaaS vendor selling to companies of 50-5000 employees): a fit rating, best to worst",
    accepts: ["picklist"],
    create: { dataType: "picklist", picklistValues: ["Strong", "Moderate", "Weak"] },
  },
  {
    key: "intent",
    field: "AI_Intent",
    required: false,
    intent: "how strongly the lead signals intent to buy: a rating, strongest to weakest",
    accepts: ["picklist"],
    create: { dataType: "picklist", picklistValues: ["High", "Medium", "Low"] },
  },
  {
    key: "buying_stage",
    field: "AI_Buying_Stage",
    required: false,
    intent: "the lead's stage in the buying process, earliest to latest",
    accepts: ["picklist"],
    create: {
      dataType: "picklist",
      picklistValues: ["Awareness", "Consideration", "Evaluation", "Decision", "Purchase"],
    },
  },
  {
    key: "score",
    field: "AI_Score",
    required: true,
    intent: "qualification score, 0 (no fit) to 100 (ideal)",
    accepts: ["integer", "double"],
    min: 0,
    max: 100,
    create: { dataType: "integer" },
  },
  {
    key: "score_reason",
    field: "AI_Score_Reason",
    required: false,
    intent: "one or two sentences explaining the score, citing the data",
    accepts: ["textarea", "text"],
    create: { dataType: "textarea", length: 2000 },
  },
  {
    key: "summary",
    field: "AI_Summary",
    required: false,
    intent: "a neutral two-sentence summary of the lead",
    accepts: ["textarea", "text"],
    create: { dataType: "textarea", length: 2000 },
  },
  {
    key: "enriched_at",
    field: "AI_Enriched_At",
    required: false,
    intent: "when the lead was enriched",
    accepts: ["datetime", "date"],
    source: "system",
    create: { dataType: "datetime" },
  },
  {
    key: "industry",
    field: "Industry",
    required: false,
    intent: "the lead's industry in the CRM's own industry vocabulary, or null if unclear",
    accepts: ["picklist", "text"],
    nullable: true,
  },
  {
    key: "city",
    field: "City",
    required: false,
    intent: "the lead's city, only where the data states it, else null",
    accepts: ["text"],
    nullable: true,
  },
  {
    key: "country",
    field: "Country",
    required: false,
    intent: "the lead's country, only where the data states it, else null",
    accepts: ["text"],
    nullable: true,
  },
  {
    key: "designation",
    field: "Designation",
    required: false,
    intent: "the lead's job title, only where the data states it, else null",
    accepts: ["text"],
    nullable: true,
  },
] as const satisfies readonly OutputTarget[];

export type LeadTargetKey = (typeof LEAD_TARGETS)[number]["key"];
export const LEAD_TARGET_KEYS = LEAD_TARGETS.map((t) => t.key) as [LeadTargetKey, ...LeadTargetKey[]];
/** Target -> field api name, over the defaults (LEAD_FIELD_MAP). */
export type LeadFieldMap = Partial<Record<LeadTargetKey, string>>;

/** The default field of each target. */
export const DEFAULT_LEAD_FIELDS = Object.fromEntries(LEAD_TARGETS.map((t) => [t.key, t.field])) as Record<
  LeadTargetKey,
  string
>;

/** Targets the model fills only when the record's field is empty today. */
const FILL_IF_EMPTY = new Set<string>(["industry", "city", "country", "designation"]);

/**
 * CRM fields the mediator writes (with the default field map): a Notification API update touching only these is the
 * mediator's own write, which the ingest loop guard drops. That includes the fill-if-empty fields (Industry, City,
 * ...) it may write alongside the AI fields: a person's edit of only those fields then triggers no enrichment, the
 * lesser cost next to an update of the mediator's own write re-enriching the lead up to its daily cap.
 * `LOOP_GUARD_CRM_FIELDS` overrides the list where `LEAD_FIELD_MAP` or `AUDIT_FIELD` move the fields.
 */
export const MEDIATOR_WRITTEN_FIELDS = [...LEAD_TARGETS.map((t) => t.field), "AI_Audit"];

/** The use case's mapping with the deployment's field map applied. */
export function leadMapping(fieldMap: LeadFieldMap = {}): UseCaseMapping {
  return {
    service: "crm",
    module: "Leads",
    targets: LEAD_TARGETS.map((t) => ({ ...t, field: fieldMap[t.key] ?? t.field })),
    partialOptional: true,
    fieldMapSetting: "LEAD_FIELD_MAP",
  };
}

interface LoadedLead {
  module: string;
  id: string;
  record: Record<string, unknown>;
  binding: Binding;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || v === "-None-";

/** The per-unit output schema: the org's bound fields, minus fill-if-empty targets the record already has. */
function schemaOf(loaded: LoadedLead) {
  const shape = boundShape(loaded.binding);
  for (const b of loaded.binding.bound)
    if (FILL_IF_EMPTY.has(b.target.key) && !isEmpty(loaded.record[b.field.name])) delete shape[b.target.key];
  return z.object(shape);
}

export function makeLeadEnrichment(
  fieldMap: LeadFieldMap = {},
): WorkerUseCase<LeadInput, LoadedLead, z.ZodType<Record<string, unknown>>> {
  const mapping = leadMapping(fieldMap);
  return {
    name: "lead-enrichment",
    promptVersion: "lead-enrichment/2026-11-30.1",
    inputSchema: LeadInputSchema,
    // The real schema is per org and unit (schemaFor); this is its widest form.
    outputSchema: z.record(z.string(), z.unknown()),
    mapping,

    async load(env: UseCaseEnv, input: LeadInput): Promise<LoadedLead> {
      if (!env.binding) throw new Error("lead enrichment runs with a bound field mapping");
      const res = await env.zoho.request<{ data: Record<string, unknown>[] }>({
        service: "crm",
        method: "GET",
        path: `/crm/v8/${input.module}/${input.id}`,
      });
      const record = res.data?.data?.[0];
      if (!record) throw new NotFoundError("zoho-crm", `${input.module} ${input.id} does not exist`);
      return { module: input.module, id: input.id, record, binding: env.binding };
    },

    schemaFor: schemaOf,

    prompt(loaded) {
      const data = Object.fromEntries(
        CONTEXT_FIELDS.filter((f) => loaded.record[f] !== undefined && loaded.record[f] !== null).map((f) => [
          f,
          loaded.record[f],
        ]),
      );
      return {
        system: `You qualify B2B sales leads for a CRM. ${DATA_RULES} Judge ICP fit for a mid-market SaaS vendor selling to companies of 50-5000 employees. Each answer field describes what it means; ratings use the CRM's own values. Give values for the record's empty fields only where the data states them.`,
        user: dataBlock("lead record", data),
      };
    },

    plan(output: Record<string, unknown>, loaded: LoadedLead, env: UseCaseEnv): PlannedWrite[] {
      const proposed: Record<string, unknown> = {};
      for (const b of loaded.binding.bound) {
        const name = b.field.name;
        if (FILL_IF_EMPTY.has(b.target.key) && !isEmpty(loaded.record[name])) continue;
        const value = b.target.source === "system" ? systemValue(b, env.now) : output[b.target.key];
        if (value !== undefined && value !== null) proposed[name] = value;
      }
      return [
        {
          kind: "crm-update",
          module: loaded.module,
          id: loaded.id,
          proposed,
          allowList: loaded.binding.bound.map((b) => b.field.name),
          droppable: droppableFields(loaded.binding, mapping),
        },
      ];
    },

    auditTarget: (loaded) => ({ service: "crm", module: loaded.module, id: loaded.id }),
  };
}
