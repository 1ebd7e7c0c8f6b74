/**
 * Seed profiles: what differs between the sandbox's orgs. `demo` is the Zylker org every test has used; `alt` is an
 * independently configured org (as a real customer's would be) with its own custom fields, picklist values and
 * lengths, one optional AI field missing, other Industry values, other Desk ticket fields and another mail reply
 * address, so the product is proven not to depend on the demo org's choices.
 */
import type { SandboxProfile } from "./config.js";
import type { FieldSpec } from "./metadata.js";

/** A Desk ticket custom field (`cf_*`); `maxLength: null` where Desk reports none (picklists usually). */
export interface DeskCustomFieldSpec {
  displayLabel: string;
  type: "Picklist" | "Textarea" | "Text";
  maxLength: number | null;
  values?: string[];
}

/** A Desk mail reply address; `department` indexes the profile's departments. */
export interface MailReplyAddressSeed {
  address: string;
  displayName: string;
  department: number;
  isActive: boolean;
  isDefault: boolean;
}

export interface ProfileSeed {
  profile: SandboxProfile;
  /** First seven digits of every record, module and field id (Zoho ids are per org). */
  idPrefix: string;
  crmUsers: { name: string; email: string }[];
  deskOrg: { id: string; companyName: string; portalName: string };
  /** Custom fields of Leads (the AI targets and whatever else the org added), after the standard fields. */
  leadCustomFields: FieldSpec[];
  /** The Industry picklist of Leads and Accounts; undefined keeps the standard values of the module table. */
  industries?: { leads: string[]; accounts: string[] };
  departments: string[];
  agents: { name: string; emailId: string }[];
  deskCustomFields: Record<string, DeskCustomFieldSpec>;
  mailReplyAddresses: MailReplyAddressSeed[];
}

const DEMO: ProfileSeed = {
  profile: "demo",
  idPrefix: "5545974",
  crmUsers: [
    { name: "Sandbox Admin", email: "admin@zylker.example" },
    { name: "Mediator Integration", email: "integration@zylker.example" },
  ],
  deskOrg: { id: "700000123", companyName: "Zylker Demo", portalName: "zylkerdemo" },
  leadCustomFields: [
    { api: "AI_Score", label: "AI Score", type: "integer", custom: true },
    { api: "AI_Score_Reason", label: "AI Score Reason", type: "textarea", length: 2000, custom: true },
    { api: "AI_Summary", label: "AI Summary", type: "textarea", length: 2000, custom: true },
    {
      api: "AI_ICP_Fit",
      label: "AI ICP Fit",
      type: "picklist",
      custom: true,
      picklist: ["-None-", "Strong", "Moderate", "Weak"],
    },
    {
      api: "AI_Intent",
      label: "AI Intent",
      type: "picklist",
      custom: true,
      picklist: ["-None-", "High", "Medium", "Low"],
    },
    {
      api: "AI_Buying_Stage",
      label: "AI Buying Stage",
      type: "picklist",
      custom: true,
      picklist: ["-None-", "Awareness", "Consideration", "Evaluation", "Decision", "Purchase"],
    },
    { api: "AI_Enriched_At", label: "AI Enriched At", type: "datetime", custom: true },
    { api: "AI_Audit", label: "AI Audit", type: "textarea", length: 4000, custom: true },
  ],
  departments: ["Support", "Billing"],
  agents: [
    { name: "Priya Nair", emailId: "priya@zylker.example" },
    { name: "Tom Becker", emailId: "tom@zylker.example" },
  ],
  deskCustomFields: {
    cf_ai_summary: { displayLabel: "ai summary", type: "Textarea", maxLength: 2000 },
    cf_ai_sentiment: {
      displayLabel: "ai sentiment",
      type: "Picklist",
      maxLength: 50,
      values: ["Positive", "Neutral", "Negative"],
    },
    cf_ai_urgency: {
      displayLabel: "ai urgency",
      type: "Picklist",
      maxLength: 50,
      values: ["Low", "Medium", "High", "Critical"],
    },
    cf_ai_category: {
      displayLabel: "ai category",
      type: "Picklist",
      maxLength: 50,
      values: ["Billing", "Technical", "Account", "Shipping", "Feature Request", "Other"],
    },
  },
  mailReplyAddresses: [
    {
      address: "support@zylker.example",
      displayName: "Zylker Support",
      department: 0,
      isActive: true,
      isDefault: true,
    },
  ],
};

const ALT: ProfileSeed = {
  profile: "alt",
  idPrefix: "4876213",
  crmUsers: [
    { name: "Alt Org Admin", email: "admin@alt-crm.example" },
    { name: "GPT Mediator", email: "mediator@alt-crm.example" },
  ],
  deskOrg: { id: "800000456", companyName: "Altamira Outdoor", portalName: "altamiraoutdoor" },
  leadCustomFields: [
    // The org's own non-AI custom fields come first, as an admin's older additions would.
    {
      api: "Region",
      label: "Region",
      type: "picklist",
      custom: true,
      picklist: ["-None-", "EMEA", "AMER", "APAC"],
    },
    { api: "Partner_Code", label: "Partner Code", type: "text", length: 20, custom: true },
    {
      api: "AI_ICP_Fit",
      label: "AI ICP Fit",
      type: "picklist",
      custom: true,
      picklist: ["-None-", "A - Ideal", "B - Good", "C - Poor"],
    },
    {
      api: "AI_Intent",
      label: "AI Intent",
      type: "picklist",
      custom: true,
      picklist: ["-None-", "Hot", "Warm", "Cold"],
    },
    // AI_Buying_Stage is deliberately missing: the one optional target this org never created.
    { api: "AI_Score", label: "AI Score", type: "integer", custom: true },
    { api: "AI_Score_Reason", label: "AI Score Reason", type: "text", length: 255, custom: true },
    { api: "AI_Summary", label: "AI Summary", type: "textarea", length: 1000, custom: true },
    { api: "AI_Enriched_At", label: "AI Enriched At", type: "datetime", custom: true },
    { api: "AI_Audit", label: "AI Audit", type: "textarea", length: 32000, custom: true },
  ],
  industries: {
    leads: [
      "-None-",
      "Software & SaaS",
      "Financial Services",
      "Healthcare & Life Sciences",
      "Manufacturing",
      "Retail & E-commerce",
      "Education",
      "Other",
    ],
    accounts: [
      "-None-",
      "Software & SaaS",
      "Financial Services",
      "Healthcare & Life Sciences",
      "Manufacturing",
      "Retail & E-commerce",
      "Education",
      "Other",
    ],
  },
  departments: ["Customer Care", "Accounts & Billing"],
  agents: [
    { name: "Jonas Weber", emailId: "jonas@alt-desk.example" },
    { name: "Amara Osei", emailId: "amara@alt-desk.example" },
  ],
  deskCustomFields: {
    cf_ai_sentiment: {
      displayLabel: "AI Sentiment",
      type: "Picklist",
      maxLength: null,
      values: ["Happy", "Neutral", "Unhappy"],
    },
    cf_ai_urgency: {
      displayLabel: "AI Urgency",
      type: "Picklist",
      maxLength: null,
      values: ["P1", "P2", "P3", "P4"],
    },
    cf_ai_category: {
      displayLabel: "AI Category",
      type: "Picklist",
      maxLength: null,
      values: ["Billing & Payments", "Technical Issue", "Account Access", "Feature Request", "Other"],
    },
    cf_ai_summary: { displayLabel: "AI Summary", type: "Textarea", maxLength: 500 },
    cf_order_reference: { displayLabel: "Order Reference", type: "Text", maxLength: 40 },
  },
  mailReplyAddresses: [
    {
      address: "help@alt-desk.example",
      displayName: "Altamira Help",
      department: 0,
      isActive: true,
      isDefault: true,
    },
    // A retired address: listed, but not active, so Desk will not send from it.
    {
      address: "legacy-support@alt-desk.example",
      displayName: "Altamira (old)",
      department: 0,
      isActive: false,
      isDefault: false,
    },
  ],
};

export const PROFILES: Record<SandboxProfile, ProfileSeed> = { demo: DEMO, alt: ALT };

/** The seed of a profile; an unknown name is a configuration mistake, so it throws. */
export function profileSeed(profile: SandboxProfile): ProfileSeed {
  const seed = PROFILES[profile];
  if (!seed) throw new Error(`unknown sandbox profile "${profile}" (expected demo or alt)`);
  return seed;
}
