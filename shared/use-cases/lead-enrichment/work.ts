/**
 * Lead enrichment and qualification (CRM), the pipeline part: load the lead, ask for ICP fit, intent, buying stage,
 * a 0-100 score with its reason, a summary, and values for the record's empty fields (industry, city, country,
 * title), and plan one update of the bound fields (written by the pipeline with `"trigger": []`).
 */
import * as z from "zod";
import { type Binding, droppableFields, systemValue, withFieldMap } from "../../domain/output-targets.js";
import type { PlannedWrite } from "../../domain/planned-write.js";
import { NotFoundError } from "../../errors.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { outputShape, perBinding } from "../../prompts/output-shape.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { UseCaseSettings, UseCaseWork, WorkContext } from "../descriptor.js";
import { LEAD_MAPPING } from "./targets.js";

export const LeadInputSchema = z.looseObject({
  module: z.string().default("Leads"),
  id: ZohoIdSchema,
  /** The record's Modified_Time as the trigger saw it (the webhook's `modified_time`). */
  modifiedTime: z.string().max(64).optional(),
  /** Merge fields the workflow webhook carried (LEAD_TRIGGER_FIELDS), as Zoho rendered them. */
  fields: z.record(z.string().max(100), z.union([z.string(), z.number()])).optional(),
});
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
 * The merge fields a workflow webhook may send for lead enrichment to skip its read: what the model sees, and the
 * record's Modified_Time. A field map that moves a fill-if-empty target elsewhere makes that field needed too; a
 * trigger without it is read.
 */
export const LEAD_TRIGGER_FIELDS = [...CONTEXT_FIELDS, "Modified_Time"] as const;

/** Targets the model fills only when the record's field is empty today. */
const FILL_IF_EMPTY = new Set<string>(["industry", "city", "country", "designation"]);

interface LoadedLead {
  module: string;
  id: string;
  record: Record<string, unknown>;
  binding: Binding;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || v === "-None-";

/**
 * The output schema: the org's bound fields, the same for every lead of the org, so the system prompt and the
 * schema are a fixed prefix a provider's prompt cache can serve. A fill-if-empty target the record already has is
 * still asked for (the prompt says to answer null) and never written: `plan` skips it.
 */
const schemaOfBinding = perBinding((binding) => z.object(outputShape(binding)));
const schemaOf = (loaded: Pick<LoadedLead, "binding">) => schemaOfBinding(loaded.binding);

export function leadEnrichmentWork(settings: UseCaseSettings): UseCaseWork<LeadInput, LoadedLead> {
  const mapping = withFieldMap(LEAD_MAPPING, settings.fieldMap);
  return {
    promptVersion: "lead-enrichment/2026-11-30.2",
    inputSchema: LeadInputSchema,

    async load(ctx: WorkContext, input: LeadInput): Promise<LoadedLead> {
      const binding = ctx.binding;
      if (!binding) throw new Error("lead enrichment runs with a bound field mapping");
      // What this unit needs of the record: the model's context and the fill-if-empty fields it may write, of the
      // fields this org has (a field list naming an unknown field fails Zoho's whole list call).
      const live = new Set((await ctx.fields("crm", input.module)).map((f) => f.name));
      const needed = [
        ...new Set([
          ...CONTEXT_FIELDS,
          ...binding.bound.filter((b) => FILL_IF_EMPTY.has(b.target.key)).map((b) => b.field.name),
        ]),
      ].filter((f) => live.has(f));
      const carried = input.fields;
      // Fresh and complete: the trigger's merge fields are the record as Zoho sent it moments ago, no read needed.
      if (
        ctx.triggerFresh &&
        carried &&
        needed.length > 0 &&
        needed.every((f) => Object.hasOwn(carried, f))
      ) {
        const record = Object.fromEntries(needed.map((f) => [f, carried[f]]));
        return { module: input.module, id: input.id, record, binding };
      }
      // Otherwise the record as it is now (batched with the other units' reads by the pipeline).
      const fields = live.has("Modified_Time") ? [...needed, "Modified_Time"] : needed;
      const record = await ctx.crm.getRecord(input.module, input.id, fields);
      if (!record) throw new NotFoundError("zoho-crm", `${input.module} ${input.id} does not exist`);
      const triggerTime = input.modifiedTime ?? carried?.Modified_Time;
      if (
        triggerTime !== undefined &&
        record.Modified_Time !== undefined &&
        record.Modified_Time !== triggerTime
      )
        ctx.logger?.debug("the lead changed since its trigger: using the record as read", {
          module: input.module,
          id: input.id,
        });
      return { module: input.module, id: input.id, record, binding };
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
        system: `Qualify B2B leads for a mid-market SaaS vendor; ICP: companies of 50-5000 employees. ${DATA_RULES} Industry, city, country, title: null unless stated and empty in the record.`,
        user: dataBlock("lead record", data),
      };
    },

    plan(output: Record<string, unknown>, loaded: LoadedLead, ctx: WorkContext): PlannedWrite[] {
      const proposed: Record<string, unknown> = {};
      for (const b of loaded.binding.bound) {
        const name = b.field.name;
        if (FILL_IF_EMPTY.has(b.target.key) && !isEmpty(loaded.record[name])) continue;
        const value = b.target.source === "system" ? systemValue(b, ctx.now) : output[b.target.key];
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
