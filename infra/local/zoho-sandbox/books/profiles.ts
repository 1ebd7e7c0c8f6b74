/**
 * What differs between the Books orgs of the sandbox's seed profiles: the org (id, name, currency, zone, numbering)
 * and its custom fields. `demo` (Zylker Books) has the AI fields the mediator's Books use cases name; `alt` is another
 * org with other api names, labels, dropdown values and lengths (and an 11-digit org id, as many real ones have,
 * where demo's is 19 digits), so a product that hard-codes demo's choices fails there. Each profile also has a
 * second org its users do not belong to (code 6041).
 */
import type { SandboxProfile } from "../config.js";
import type { BooksCustomField, BooksEntity } from "./types.js";

/** A custom field to seed; ids and indexes are given when seeding. */
export type BooksFieldSeed = Omit<
  BooksCustomField,
  "customfield_id" | "index" | "is_active" | "is_mandatory" | "show_on_pdf" | "placeholder" | "values"
> & {
  values?: string[];
  /** Dropdown values that exist but are retired (not writable). */
  inactiveValues?: string[];
  is_active?: boolean;
  is_mandatory?: boolean;
};

export interface BooksProfile {
  /** First seven digits of every Books id of the profile. */
  idPrefix: string;
  org: {
    organization_id: string;
    name: string;
    plan_name: string;
    currency_code: string;
    currency_symbol: string;
    time_zone: string;
    utc_offset_minutes: number;
    numbering: Record<Exclude<BooksEntity, "contact">, string>;
  };
  /** An org that exists but that the profile's users do not belong to. */
  foreignOrg: { organization_id: string; name: string };
  fields: BooksFieldSeed[];
  /** Values of the org's own (non-AI) custom fields on seeded entities, cycled: entity -> api name -> values. */
  seedValues: Partial<Record<BooksEntity, Record<string, string[]>>>;
}

const DEMO: BooksProfile = {
  idPrefix: "2991628",
  org: {
    organization_id: "7401155000000012407",
    name: "Zylker Books",
    plan_name: "Standard",
    currency_code: "USD",
    currency_symbol: "$",
    time_zone: "America/Phoenix",
    utc_offset_minutes: -420,
    numbering: { invoice: "INV-", estimate: "EST-", salesorder: "SO-" },
  },
  foreignOrg: { organization_id: "7401155000000099001", name: "Zylker Books (UK)" },
  seedValues: {
    invoice: { cf_po_number: ["PO-44817", "", "PO-45102", "PO-2291-B", ""] },
    contact: { cf_account_manager: ["Priya Nair", "Tom Becker"] },
  },
  fields: [
    {
      entity: "invoice",
      label: "PO Number",
      api_name: "cf_po_number",
      data_type: "string",
      value_length: 50,
    },
    {
      entity: "invoice",
      label: "AI Risk Level",
      api_name: "cf_ai_risk_level",
      data_type: "dropdown",
      values: ["Low", "Medium", "High"],
      inactiveValues: ["Critical"],
    },
    {
      entity: "invoice",
      label: "AI Risk Reason",
      api_name: "cf_ai_risk_reason",
      data_type: "string",
      value_length: 255,
    },
    {
      entity: "invoice",
      label: "AI Reminder Draft",
      api_name: "cf_ai_reminder_draft",
      data_type: "multiline",
      value_length: 2000,
    },
    {
      entity: "invoice",
      label: "AI Risk Score",
      api_name: "cf_ai_risk_score",
      data_type: "decimal",
      decimal_precision: 2,
    },
    {
      entity: "invoice",
      label: "Legacy Region",
      api_name: "cf_legacy_region",
      data_type: "string",
      value_length: 30,
      is_active: false,
    },
    {
      entity: "contact",
      label: "Account Manager",
      api_name: "cf_account_manager",
      data_type: "string",
      value_length: 100,
    },
    {
      entity: "contact",
      label: "AI Payment Behaviour",
      api_name: "cf_ai_payment_behaviour",
      data_type: "dropdown",
      values: ["Reliable", "Occasionally late", "Chronically late"],
    },
    {
      entity: "contact",
      label: "AI Notes",
      api_name: "cf_ai_notes",
      data_type: "multiline",
      value_length: 2000,
    },
    {
      entity: "estimate",
      label: "AI Win Likelihood",
      api_name: "cf_ai_win_likelihood",
      data_type: "dropdown",
      values: ["Low", "Medium", "High"],
    },
    {
      entity: "estimate",
      label: "AI Summary",
      api_name: "cf_ai_summary",
      data_type: "multiline",
      value_length: 1000,
    },
    {
      entity: "salesorder",
      label: "AI Fulfilment Risk",
      api_name: "cf_ai_fulfilment_risk",
      data_type: "dropdown",
      values: ["Low", "Medium", "High"],
    },
    {
      entity: "salesorder",
      label: "AI Summary",
      api_name: "cf_ai_summary",
      data_type: "multiline",
      value_length: 1000,
    },
  ],
};

const ALT: BooksProfile = {
  idPrefix: "8754310",
  org: {
    organization_id: "60015631847",
    name: "Altamira Outdoor Ltd",
    plan_name: "Professional",
    currency_code: "SGD",
    currency_symbol: "S$",
    time_zone: "Asia/Singapore",
    utc_offset_minutes: 480,
    numbering: { invoice: "ALT/INV/", estimate: "ALT/QT/", salesorder: "ALT/SO/" },
  },
  foreignOrg: { organization_id: "60015999321", name: "Altamira Holdings" },
  seedValues: { invoice: { cf_region: ["EMEA", "APAC", "AMER", ""] } },
  fields: [
    {
      entity: "invoice",
      label: "Region",
      api_name: "cf_region",
      data_type: "dropdown",
      values: ["EMEA", "AMER", "APAC"],
    },
    {
      entity: "invoice",
      label: "Collection Risk",
      api_name: "cf_collection_risk",
      data_type: "dropdown",
      values: ["1 - Low", "2 - Elevated", "3 - Severe"],
      inactiveValues: ["0 - Unknown"],
    },
    {
      entity: "invoice",
      label: "Risk Rationale",
      api_name: "cf_risk_rationale",
      data_type: "string",
      value_length: 120,
    },
    {
      entity: "invoice",
      label: "Dunning Text",
      api_name: "cf_dunning_text",
      data_type: "multiline",
      value_length: 1500,
    },
    {
      entity: "invoice",
      label: "Risk Probability",
      api_name: "cf_risk_probability",
      data_type: "percent",
      decimal_precision: 1,
    },
    {
      entity: "contact",
      label: "Payer Profile",
      api_name: "cf_payer_profile",
      data_type: "dropdown",
      values: ["Prompt", "Late", "Disputing"],
    },
    {
      entity: "contact",
      label: "Credit Notes (AI)",
      api_name: "cf_credit_notes_ai",
      data_type: "multiline",
      value_length: 800,
    },
    {
      entity: "estimate",
      label: "Deal Confidence",
      api_name: "cf_deal_confidence",
      data_type: "dropdown",
      values: ["Cold", "Warm", "Hot"],
    },
    {
      entity: "estimate",
      label: "Estimate Brief",
      api_name: "cf_estimate_brief",
      data_type: "multiline",
      value_length: 600,
    },
    {
      entity: "salesorder",
      label: "Delivery Risk",
      api_name: "cf_delivery_risk",
      data_type: "dropdown",
      values: ["Green", "Amber", "Red"],
    },
    {
      entity: "salesorder",
      label: "Order Brief",
      api_name: "cf_order_brief",
      data_type: "multiline",
      value_length: 600,
    },
  ],
};

export const BOOKS_PROFILES: Record<SandboxProfile, BooksProfile> = { demo: DEMO, alt: ALT };
