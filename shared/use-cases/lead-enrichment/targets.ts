/**
 * What lead enrichment writes, declared as targets (intent, field types that can hold them, required or optional);
 * the pipeline binds them to the org's live fields, so every value the model may give is one the org's field
 * accepts: its picklist values, its length. Fields move with LEAD_FIELD_MAP.
 */
import type { OutputTarget, UseCaseMapping } from "../../domain/output-targets.js";

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
    // The system prompt defines the ICP; the key and the org's values say the rest.
    describe: "",
    accepts: ["picklist"],
    create: { dataType: "picklist", picklistValues: ["Strong", "Moderate", "Weak"] },
  },
  {
    key: "intent",
    field: "AI_Intent",
    required: false,
    intent: "how strongly the lead signals intent to buy: a rating, strongest to weakest",
    describe: "",
    accepts: ["picklist"],
    create: { dataType: "picklist", picklistValues: ["High", "Medium", "Low"] },
  },
  {
    key: "buying_stage",
    field: "AI_Buying_Stage",
    required: false,
    intent: "the lead's stage in the buying process, earliest to latest",
    describe: "",
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
    // The schema's 0-100 bounds and the key say it.
    describe: "",
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
    describe: "why, citing the data",
    accepts: ["textarea", "text"],
    create: { dataType: "textarea", length: 2000 },
  },
  {
    key: "summary",
    field: "AI_Summary",
    required: false,
    intent: "a neutral two-sentence summary of the lead",
    describe: "neutral, two sentences",
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
    describe: "",
    accepts: ["picklist", "text"],
    nullable: true,
  },
  {
    key: "city",
    field: "City",
    required: false,
    intent: "the lead's city, only where the data states it, else null",
    describe: "",
    accepts: ["text"],
    nullable: true,
  },
  {
    key: "country",
    field: "Country",
    required: false,
    intent: "the lead's country, only where the data states it, else null",
    describe: "",
    accepts: ["text"],
    nullable: true,
  },
  {
    key: "designation",
    field: "Designation",
    required: false,
    intent: "the lead's job title, only where the data states it, else null",
    describe: "job title",
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

/**
 * CRM fields the mediator writes (with the default field map): a Notification API update touching only these is the
 * mediator's own write, which the ingest loop guard drops. That includes the fill-if-empty fields (Industry, City,
 * ...) it may write alongside the AI fields: a person's edit of only those fields then triggers no enrichment, the
 * lesser cost next to an update of the mediator's own write re-enriching the lead up to its daily cap.
 * `LOOP_GUARD_CRM_FIELDS` overrides the list where `LEAD_FIELD_MAP` or `AUDIT_FIELD` move the fields.
 */

/** The use case's mapping with its default fields (the pipeline applies LEAD_FIELD_MAP). */
export const LEAD_MAPPING: UseCaseMapping = {
  service: "crm",
  module: "Leads",
  targets: LEAD_TARGETS,
  partialOptional: true,
  fieldMapSetting: "LEAD_FIELD_MAP",
};
