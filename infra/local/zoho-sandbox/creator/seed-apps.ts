/**
 * The Creator apps each seed profile holds. `demo` is Zylker's service desk (`zylker/service-desk`: a
 * Service_Request form with the AI targets, a Customer form it looks up, and the AI_Audit_Log form); `alt` is
 * another account configured its own way (owner, app, form and report link names, dropdown values, lengths,
 * precision, a mandatory Region, a US date format with a 12-hour clock, Berlin time), so a client that hard-codes the
 * demo app fails against it. Records are written in canonical form (see types.ts); seed.ts stores them.
 */
import type { SandboxProfile } from "../config.js";
import { PEOPLE, TICKETS } from "../seed-data.js";
import type { CreatorEnv, CreatorFieldSpec, CreatorFormSpec, CreatorReportSpec } from "./types.js";

/** The Creator scopes the demo client's grant codes carry (records read and update, form add, field metadata). */
export const CREATOR_SCOPES = [
  "ZohoCreator.report.READ",
  "ZohoCreator.report.UPDATE",
  "ZohoCreator.form.CREATE",
  "ZohoCreator.meta.form.READ",
];

/** An app before it has records: its settings and specs. */
export interface CreatorAppSeed {
  owner: string;
  link_name: string;
  display_name: string;
  date_format: string;
  time_format: string;
  time_zone: string;
  forms: CreatorFormSpec[];
  reports: CreatorReportSpec[];
  /** The form the mediator's workflow hooks sit on, and the audit form. */
  mainForm: string;
  auditForm: string;
  /** Records per environment and form; `Customer` values name a customer record by its index. */
  records: Partial<Record<CreatorEnv, Record<string, SeedRow[]>>>;
}

/** A record as seeded: canonical values, `daysAgo` for its Added_Time, `customer` indexing the lookup form. */
export type SeedRow = Record<string, unknown> & { daysAgo?: number; customer?: number };

const text = (
  link_name: string,
  max_char: number,
  extra: Partial<CreatorFieldSpec> = {},
): CreatorFieldSpec => ({
  link_name,
  display_name: link_name.replace(/_/g, " "),
  kind: "single_line",
  max_char,
  ...extra,
});
const area = (link_name: string, max_char: number): CreatorFieldSpec => ({
  ...text(link_name, max_char),
  kind: "multi_line",
});
const pick = (
  link_name: string,
  choices: string[],
  extra: Partial<CreatorFieldSpec> = {},
): CreatorFieldSpec => ({
  link_name,
  display_name: link_name.replace(/_/g, " "),
  kind: "dropdown",
  choices,
  ...extra,
});
const field = (link_name: string, kind: CreatorFieldSpec["kind"], extra: Partial<CreatorFieldSpec> = {}) => ({
  link_name,
  display_name: link_name.replace(/_/g, " "),
  kind,
  ...extra,
});

const email = (first: string, last: string, company: string) =>
  `${`${first}.${last}`
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z.]/g, "")}@${company.toLowerCase().replace(/[^a-z]+/g, "")}.example`;

const demoCategory = (subject: string) =>
  /charg|invoice|billing|VAT|subscription/i.test(subject)
    ? "Billing"
    : /log in|user|account/i.test(subject)
      ? "Account"
      : /API|sync|crash|500|feature|damaged/i.test(subject)
        ? "Technical"
        : "Other";

const DEMO_REQUESTS: SeedRow[] = TICKETS.map(([subject, description, priority], i) => {
  const [first, last, company] = PEOPLE[i % 6] ?? PEOPLE[0];
  return {
    Subject: subject,
    Description: description,
    Customer_Email: email(first, last, company),
    customer: i % 6,
    Category: demoCategory(subject),
    Priority: priority === "High" && i % 3 === 0 ? "Urgent" : priority,
    Tags: i % 2 === 0 ? ["Web"] : ["Mobile", "API"],
    Escalated: priority === "High",
    Requested_On: `2026-0${(i % 6) + 1}-1${i % 9}`,
    Estimated_Minutes: String(30 + i * 15),
    Updates:
      i % 4 === 0
        ? [{ Note: "Customer contacted by phone; awaiting logs.", Logged_At: Date.UTC(2026, 2, 3, 9, 15) }]
        : [],
    daysAgo: 30 - i,
  };
});

const DEMO: CreatorAppSeed = {
  owner: "zylker",
  link_name: "service-desk",
  display_name: "Service Desk",
  date_format: "dd-MMM-yyyy",
  time_format: "HH:mm:ss",
  time_zone: "America/New_York",
  mainForm: "Service_Request",
  auditForm: "AI_Audit_Log",
  forms: [
    {
      link_name: "Customer",
      display_name: "Customer",
      fields: [
        text("Company", 120, { mandatory: true, unique: true }),
        field("Contact_Email", "email", { max_char: 255 }),
        pick("Tier", ["Standard", "Gold", "Platinum"]),
      ],
    },
    {
      link_name: "Service_Request",
      display_name: "Service Request",
      fields: [
        field("Request_No", "auto_number", { prefix: "SR-", start: 1001 }),
        text("Subject", 255, { mandatory: true }),
        area("Description", 10_000),
        field("Customer_Email", "email", { mandatory: true, max_char: 255 }),
        field("Customer", "lookup", { lookup: { form: "Customer", display: "Company" } }),
        pick("Category", ["Billing", "Technical", "Account", "Other"]),
        pick("Priority", ["Low", "Medium", "High", "Urgent"]),
        field("Tags", "multi_select", {
          choices: ["Web", "Mobile", "API", "Invoice", "Login", "Integration"],
        }),
        field("Escalated", "decision"),
        field("Requested_On", "date"),
        field("Estimated_Minutes", "decimal", { decimals: 0, max_digits: 5 }),
        area("AI_Summary", 2000),
        text("Next_Action", 255),
        field("AI_Risk_Score", "decimal", { decimals: 2, max_digits: 1 }),
        field("Updates", "subform", {
          subform: [area("Note", 1000), field("Logged_At", "datetime")],
        }),
      ],
    },
    {
      link_name: "AI_Audit_Log",
      display_name: "AI Audit Log",
      fields: [
        text("Record_ID", 30, { mandatory: true }),
        text("Use_Case", 100),
        area("Summary", 5000),
        field("Written_At", "datetime"),
        text("Model", 100),
      ],
    },
  ],
  reports: [
    {
      link_name: "All_Customers",
      display_name: "All Customers",
      form: "Customer",
      quick_view: ["Company", "Tier"],
    },
    {
      link_name: "All_Service_Requests",
      display_name: "All Service Requests",
      form: "Service_Request",
      quick_view: ["Request_No", "Subject", "Customer_Email", "Category", "Priority", "Requested_On"],
    },
    {
      link_name: "All_AI_Audit_Logs",
      display_name: "All AI Audit Logs",
      form: "AI_Audit_Log",
      quick_view: ["Record_ID", "Use_Case", "Written_At", "Model"],
    },
  ],
  records: {
    production: {
      Customer: PEOPLE.slice(0, 6).map(([first, last, company], i) => ({
        Company: company,
        Contact_Email: email(first, last, company),
        Tier: ["Standard", "Gold", "Platinum"][i % 3],
        daysAgo: 90,
      })),
      Service_Request: DEMO_REQUESTS,
    },
    development: {
      Service_Request: [
        {
          Subject: "[DEV] Test request from the app builder",
          Customer_Email: "qa@zylker.example",
          Priority: "Low",
          daysAgo: 2,
        },
        {
          Subject: "[DEV] Second test request",
          Customer_Email: "qa@zylker.example",
          Priority: "Medium",
          daysAgo: 1,
        },
      ],
    },
    stage: {
      Service_Request: [
        {
          Subject: "[STAGE] Pre-release check",
          Customer_Email: "uat@zylker.example",
          Priority: "High",
          daysAgo: 1,
        },
      ],
    },
  },
};

const altPriority = { High: "P1", Medium: "P3", Low: "P4" } as const;
const ALT: CreatorAppSeed = {
  owner: "altamira",
  link_name: "care-desk",
  display_name: "Care Desk",
  date_format: "MM/dd/yyyy",
  time_format: "hh:mm:ss a",
  time_zone: "Europe/Berlin",
  mainForm: "Support_Case",
  auditForm: "Mediator_Audit",
  forms: [
    {
      link_name: "Support_Case",
      display_name: "Support Case",
      fields: [
        field("Case_Number", "auto_number", { prefix: "CASE-", start: 1 }),
        text("Subject", 120, { mandatory: true }),
        area("Description", 4000),
        field("Customer_Email", "email", { mandatory: true, max_char: 120 }),
        pick("Region", ["EMEA", "AMER", "APAC"], { mandatory: true }),
        pick("Category", [
          "Billing & Payments",
          "Technical Issue",
          "Account Access",
          "Feature Request",
          "Other",
        ]),
        pick("Priority", ["P1", "P2", "P3", "P4"]),
        area("AI_Summary", 500),
        text("Next_Action", 100),
        field("AI_Risk_Score", "decimal", { decimals: 1, max_digits: 2 }),
      ],
    },
    {
      link_name: "Mediator_Audit",
      display_name: "Mediator Audit",
      fields: [
        text("Record_ID", 19, { mandatory: true }),
        text("Use_Case", 60),
        area("Summary", 2000),
        field("Written_At", "datetime"),
        text("Model", 60),
      ],
    },
  ],
  reports: [
    {
      link_name: "Support_Cases",
      display_name: "Support Cases",
      form: "Support_Case",
      quick_view: ["Case_Number", "Subject", "Region", "Priority"],
    },
    {
      link_name: "Mediator_Audit_Report",
      display_name: "Mediator Audit Report",
      form: "Mediator_Audit",
      quick_view: ["Record_ID", "Use_Case", "Written_At"],
    },
  ],
  records: {
    production: {
      Support_Case: TICKETS.slice(0, 8).map(([subject, description, priority], i) => {
        const [first, last, company] = PEOPLE[(i + 10) % PEOPLE.length] ?? PEOPLE[0];
        return {
          Subject: subject.slice(0, 120),
          Description: description,
          Customer_Email: email(first, last, company),
          Region: (["EMEA", "AMER", "APAC"] as const)[i % 3],
          Priority: altPriority[priority],
          daysAgo: 20 - i,
        };
      }),
    },
    development: {
      Support_Case: [
        {
          Subject: "[DEV] Builder test case",
          Customer_Email: "dev@alt-desk.example",
          Region: "EMEA",
          daysAgo: 1,
        },
      ],
    },
  },
};

export const CREATOR_SEEDS: Record<SandboxProfile, CreatorAppSeed[]> = { demo: [DEMO], alt: [ALT] };
