/**
 * The deal fields a call may move, declared as targets on Deals (stage, next step, closing date) so the pipeline
 * binds them to the org's live fields: the stage the model may suggest is one of the org's own Stage picklist
 * values, in the org's order, and a field the org lacks (or made read-only) is simply not suggested. The fields
 * move with TRANSCRIPT_DEAL_FIELD_MAP; `doctor` checks the binding like any mapping.
 */
import type { OutputTarget, UseCaseMapping } from "../../domain/output-targets.js";

export const DEAL_TARGETS = [
  {
    key: "stage",
    field: "Stage",
    required: false,
    intent:
      "the deal's stage after this call, only when the call explicitly shows the deal reached it, else null",
    accepts: ["picklist"],
    nullable: true,
  },
  {
    key: "next_step",
    field: "Next_Step",
    required: false,
    intent: "the deal's agreed next step, only when both sides explicitly agreed one in the call, else null",
    accepts: ["text", "textarea"],
    nullable: true,
    // Standard on Deals, but an org may have removed it: `fields create call-transcript` adds it back.
    create: { dataType: "text", length: 255 },
  },
  {
    key: "closing_date",
    field: "Closing_Date",
    required: false,
    intent: "the deal's expected closing date, only when the call explicitly states it, else null",
    accepts: ["date"],
    nullable: true,
  },
] as const satisfies readonly OutputTarget[];

export type DealTargetKey = (typeof DEAL_TARGETS)[number]["key"];

export const DEAL_MAPPING: UseCaseMapping = {
  service: "crm",
  module: "Deals",
  targets: DEAL_TARGETS,
  // A suggestion the guard refuses is left out; the note and the other suggestions are still written.
  partialOptional: true,
  fieldMapSetting: "TRANSCRIPT_DEAL_FIELD_MAP",
};
