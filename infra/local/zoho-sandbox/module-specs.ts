/**
 * The org's standard CRM modules and fields as the seed declares them (Leads, Contacts, Accounts, Deals, Notes,
 * Tasks, and the system fields every module has). metadata.ts turns them into Zoho's field metadata; each profile
 * adds its own custom fields and Industry values (profiles.ts).
 */
import type { FieldSpec } from "./metadata.js";

/** One module as declared: its API name, singular label and fields. */
export interface ModuleSpec {
  api: string;
  singular: string;
  fields: FieldSpec[];
}

/** Fields every module has, after its own. */
export const SYSTEM_FIELDS: FieldSpec[] = [
  { api: "Owner", label: "Owner", type: "ownerlookup" },
  { api: "Created_Time", label: "Created Time", type: "datetime", readOnly: true },
  { api: "Modified_Time", label: "Modified Time", type: "datetime", readOnly: true },
  { api: "Created_By", label: "Created By", type: "ownerlookup", readOnly: true },
  { api: "Modified_By", label: "Modified By", type: "ownerlookup", readOnly: true },
];

/** The standard modules of a Zoho CRM org and their standard fields. */
export const MODULE_SPECS: ModuleSpec[] = [
  {
    api: "Leads",
    singular: "Lead",
    fields: [
      { api: "First_Name", type: "text", length: 40 },
      { api: "Last_Name", type: "text", length: 80, mandatory: true },
      { api: "Full_Name", type: "text", readOnly: true },
      { api: "Company", type: "text", length: 200 },
      { api: "Designation", label: "Title", type: "text", length: 100 },
      { api: "Email", type: "email", unique: true },
      { api: "Phone", type: "phone" },
      { api: "Mobile", type: "phone" },
      { api: "Website", type: "website" },
      { api: "City", type: "text", length: 100 },
      { api: "Country", type: "text", length: 100 },
      {
        api: "Lead_Source",
        type: "picklist",
        picklist: [
          "-None-",
          "Advertisement",
          "Cold Call",
          "Employee Referral",
          "External Referral",
          "Online Store",
          "Partner",
          "Public Relations",
          "Sales Email Alias",
          "Seminar Partner",
          "Trade Show",
          "Web Download",
          "Web Research",
          "Chat",
        ],
      },
      {
        api: "Lead_Status",
        type: "picklist",
        picklist: [
          "-None-",
          "Attempted to Contact",
          "Contact in Future",
          "Contacted",
          "Junk Lead",
          "Lost Lead",
          "Not Contacted",
          "Pre-Qualified",
          "Not Qualified",
        ],
      },
      {
        api: "Industry",
        type: "picklist",
        picklist: [
          "-None-",
          "ASP (Application Service Provider)",
          "Data/Telecom OEM",
          "ERP (Enterprise Resource Planning)",
          "Government/Military",
          "Large Enterprise",
          "ManagementISV",
          "MSP (Management Service Provider)",
          "Network Equipment Enterprise",
          "Non-management ISV",
          "Optical Networking",
          "Service Provider",
          "Small/Medium Enterprise",
          "Storage Equipment",
          "Storage Service Provider",
          "Systems Integrator",
          "Wireless Industry",
        ],
      },
      { api: "Annual_Revenue", type: "currency" },
      { api: "No_of_Employees", label: "No. of Employees", type: "integer" },
      {
        api: "Rating",
        type: "picklist",
        picklist: ["-None-", "Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down"],
      },
      { api: "Email_Opt_Out", type: "boolean" },
      { api: "Description", type: "textarea", length: 32000 },
      // The org's custom fields (AI targets included) come from the seed profile (profiles.ts).
    ],
  },
  {
    api: "Contacts",
    singular: "Contact",
    fields: [
      { api: "First_Name", type: "text", length: 40 },
      { api: "Last_Name", type: "text", length: 80, mandatory: true },
      { api: "Full_Name", type: "text", readOnly: true },
      { api: "Email", type: "email" },
      { api: "Phone", type: "phone" },
      { api: "Title", type: "text", length: 100 },
      { api: "Account_Name", type: "lookup", lookup: "Accounts" },
      { api: "Mailing_City", type: "text", length: 100 },
      { api: "Description", type: "textarea", length: 32000 },
    ],
  },
  {
    api: "Accounts",
    singular: "Account",
    fields: [
      { api: "Account_Name", type: "text", length: 200, mandatory: true, unique: true },
      { api: "Website", type: "website" },
      { api: "Phone", type: "phone" },
      {
        api: "Industry",
        type: "picklist",
        picklist: [
          "-None-",
          "Communications",
          "Consulting",
          "Education",
          "Financial Services",
          "Government",
          "Healthcare",
          "Manufacturing",
          "Retail",
          "Technology",
          "Transportation",
        ],
      },
      { api: "Employees", type: "integer" },
      { api: "Annual_Revenue", type: "currency" },
      { api: "Description", type: "textarea", length: 32000 },
    ],
  },
  {
    api: "Deals",
    singular: "Deal",
    fields: [
      { api: "Deal_Name", type: "text", length: 120, mandatory: true },
      {
        api: "Stage",
        type: "picklist",
        mandatory: true,
        picklist: [
          "Qualification",
          "Needs Analysis",
          "Value Proposition",
          "Id. Decision Makers",
          "Perception Analysis",
          "Proposal/Price Quote",
          "Negotiation/Review",
          "Closed Won",
          "Closed Lost",
          "Closed Lost to Competition",
        ],
      },
      { api: "Closing_Date", type: "date", mandatory: true },
      { api: "Amount", type: "currency" },
      { api: "Probability", label: "Probability (%)", type: "integer" },
      { api: "Account_Name", type: "lookup", lookup: "Accounts" },
      { api: "Contact_Name", type: "lookup", lookup: "Contacts" },
      { api: "Description", type: "textarea", length: 32000 },
    ],
  },
  {
    api: "Notes",
    singular: "Note",
    fields: [
      { api: "Note_Title", type: "text", length: 120 },
      { api: "Note_Content", type: "textarea", length: 32000, mandatory: true },
      { api: "Parent_Id", type: "lookup" },
    ],
  },
  {
    api: "Tasks",
    singular: "Task",
    fields: [
      { api: "Subject", type: "text", length: 300, mandatory: true },
      { api: "Due_Date", type: "date" },
      {
        api: "Status",
        type: "picklist",
        picklist: ["Not Started", "Deferred", "In Progress", "Completed", "Waiting for Input"],
      },
      { api: "Priority", type: "picklist", picklist: ["High", "Highest", "Low", "Lowest", "Normal"] },
      { api: "Description", type: "textarea", length: 32000 },
      { api: "What_Id", type: "lookup" },
      { api: "Who_Id", type: "lookup", lookup: "Contacts" },
    ],
  },
];
