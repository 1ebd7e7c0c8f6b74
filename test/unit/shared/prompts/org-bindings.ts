/**
 * Bindings of lead enrichment and ticket triage on the sandbox's seed profiles, built from the field metadata the
 * sandbox serves (`settings/fields`, `organizationFields`) through the adapters' own wire parsers, as the worker
 * binds them against a live org.
 */
import { buildTicketFields } from "../../../../infra/local/zoho-sandbox/desk-fields.js";
import { buildModules } from "../../../../infra/local/zoho-sandbox/metadata.js";
import { PROFILES } from "../../../../infra/local/zoho-sandbox/profiles.js";
import { parseCrmFields, parseDeskFields } from "../../../../shared/adapters/zoho/field-metadata-wire.js";
import { type Binding, bindMapping } from "../../../../shared/domain/output-targets.js";
import { LEAD_MAPPING } from "../../../../shared/use-cases/lead-enrichment/targets.js";
import { TICKET_MAPPING } from "../../../../shared/use-cases/ticket-triage/targets.js";

export const SANDBOX_PROFILES = ["demo", "alt"] as const;
export type Profile = (typeof SANDBOX_PROFILES)[number];

export function leadBinding(profile: Profile): Binding {
  const fields = buildModules(PROFILES[profile]).get("Leads")?.fields ?? [];
  return bindMapping("lead-enrichment", LEAD_MAPPING, parseCrmFields({ fields }));
}

export function ticketBinding(profile: Profile): Binding {
  const seed = PROFILES[profile];
  const data = buildTicketFields(seed.idPrefix, seed.deskCustomFields);
  return bindMapping("ticket-triage", TICKET_MAPPING, parseDeskFields({ data }));
}
