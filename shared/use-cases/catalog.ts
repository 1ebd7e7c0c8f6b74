/**
 * The use cases of this release. Adding one: its folder `shared/use-cases/<name>/` (an `index.ts` exporting its
 * UseCaseDescriptor) and one line here. Routes, the work message, the pipeline's registry, the loop guard, the CDK
 * routes, `doctor` and the README's table derive from this list.
 */
import { callTranscript } from "./call-transcript/index.js";
import type { UseCaseDescriptor } from "./descriptor.js";
import { documentExtraction } from "./document-extraction/index.js";
import { emailTriage } from "./email-triage/index.js";
import { leadEnrichment } from "./lead-enrichment/index.js";
import { ticketTriage } from "./ticket-triage/index.js";

export const USE_CASE_CATALOG: readonly UseCaseDescriptor[] = [
  leadEnrichment,
  ticketTriage,
  emailTriage,
  callTranscript,
  documentExtraction,
];
