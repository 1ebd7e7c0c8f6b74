/**
 * The seeded org (profile `demo` or `alt`, see profiles.ts): users, an API client, a few dozen CRM records and Desk tickets with realistic text, and (when
 * the mediator's URL is known) the workflow rules and Desk webhook that call it.
 */

import { LEAD_TRIGGER_FIELDS } from "../../../shared/use-cases/lead-enrichment/work.js";
import type { Accounts, OAuthClient } from "./accounts.js";
import type { Automation } from "./automation.js";
import { BOOKS_SCOPES } from "./books/seed.js";
import { CREATOR_SCOPES } from "./creator/seed-apps.js";
import type { Crm } from "./crm.js";
import type { Desk } from "./desk.js";
import { LEAD_NOTES, PEOPLE, TICKETS } from "./seed-data.js";
import type { SandboxContext } from "./state.js";

export const DEMO_SCOPES = [
  "ZohoCRM.modules.ALL",
  "ZohoCRM.settings.ALL",
  "ZohoCRM.coql.READ",
  "ZohoCRM.notifications.ALL",
  "ZohoCRM.users.READ",
  "ZohoCRM.org.READ",
  "Desk.tickets.ALL",
  "Desk.contacts.READ",
  "Desk.basic.READ",
  "Desk.settings.ALL",
  "Desk.events.ALL",
  ...BOOKS_SCOPES,
  ...CREATOR_SCOPES,
];

/**
 * Fills the sandbox with the profile's org; returns its API client (registered in the US data centre). Both profiles
 * get the same people and tickets; what an admin configures (fields, values, addresses, ids) is the profile's.
 */
export function seedDemoOrg(
  ctx: SandboxContext,
  accounts: Accounts,
  crm: Crm,
  desk: Desk,
  automation: Automation,
): OAuthClient {
  const profile = desk.seed;
  for (const user of profile.crmUsers) crm.users.push({ id: ctx.ids.next(), ...user });
  const admin = crm.users[0]?.id as string;
  const client = accounts.registerClient("us", admin);
  if (!ctx.options.seed) return client;

  const accountIds = new Map<string, string>();
  const industries = new Set(
    crm.modules
      .get("Accounts")
      ?.fields.find((f) => f.api_name === "Industry")
      ?.pick_list_values.map((p) => p.actual_value) ?? [],
  );
  PEOPLE.slice(0, 12).forEach(([, , company, , industry, employees]) => {
    const reply = crm.write(
      "Accounts",
      "insert",
      {
        data: [
          {
            Account_Name: company,
            Industry: industries.has(industry) ? industry : "-None-",
            Employees: employees,
            Website: `https://www.${company.toLowerCase().replace(/[^a-z]+/g, "")}.example`,
          },
        ],
        trigger: [],
      },
      admin,
      "ui",
    );
    const id = (reply.body as { data: { details: { id: string } }[] }).data[0]?.details.id as string;
    accountIds.set(company, id);
  });
  const sources = [
    "Web Download",
    "Trade Show",
    "Chat",
    "External Referral",
    "Web Research",
    "Advertisement",
  ];
  crm.write(
    "Leads",
    "insert",
    {
      data: PEOPLE.map(([first, last, company, title, , employees], i) => ({
        First_Name: first,
        Last_Name: last,
        Company: company,
        Designation: title,
        Email: `${`${first}.${last}`
          .toLowerCase()
          .normalize("NFD")
          .replace(/[^a-z.]/g, "")}@${company.toLowerCase().replace(/[^a-z]+/g, "")}.example`,
        Phone: `+1 555 01${String(i).padStart(2, "0")} ${1000 + i * 7}`,
        Lead_Source: sources[i % sources.length],
        Lead_Status: "Not Contacted",
        No_of_Employees: employees,
        Description: LEAD_NOTES[i % LEAD_NOTES.length],
      })),
      trigger: [],
    },
    admin,
    "ui",
  );
  const contactIds: string[] = [];
  PEOPLE.slice(0, 15).forEach(([first, last, company, title]) => {
    const reply = crm.write(
      "Contacts",
      "insert",
      {
        data: [
          {
            First_Name: first,
            Last_Name: last,
            Title: title,
            Email: `${`${first[0]}${last}`.toLowerCase().replace(/[^a-z]/g, "")}@customer.example`,
            Account_Name: accountIds.get(company) ? { id: accountIds.get(company) } : null,
          },
        ],
        trigger: [],
      },
      admin,
      "ui",
    );
    contactIds.push((reply.body as { data: { details: { id: string } }[] }).data[0]?.details.id as string);
  });
  const stages = [
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
  ];
  PEOPLE.slice(0, 10).forEach(([, , company], i) => {
    crm.write(
      "Deals",
      "insert",
      {
        data: [
          {
            Deal_Name: `${company} - platform rollout`,
            Stage: stages[i % stages.length],
            Closing_Date: `2027-0${(i % 9) + 1}-15`,
            Amount: 12_000 + i * 4_500,
            Account_Name: { id: accountIds.get(company) },
            Contact_Name: { id: contactIds[i] },
          },
        ],
        trigger: [],
      },
      admin,
      "ui",
    );
  });

  // Desk: departments, agents, contacts, tickets with their first inbound email.
  for (const name of profile.departments) desk.departments.push({ id: ctx.ids.next(), name });
  for (const agent of profile.agents) desk.agents.push({ id: ctx.ids.next(), ...agent });
  for (const a of profile.mailReplyAddresses)
    desk.mailReplyAddresses.push({
      id: ctx.ids.next(),
      address: a.address,
      displayName: a.displayName,
      departmentId: desk.departments[a.department]?.id ?? "",
      isActive: a.isActive,
      isVerified: true,
      isDefault: a.isDefault,
      isSmtpEnabled: false,
      serviceProviderType: "ZohoSMTP",
      createdTime: new Date(ctx.clock.now()).toISOString(),
    });
  PEOPLE.slice(0, 12).forEach(([first, last]) => {
    desk.contacts.push({
      id: ctx.ids.next(),
      firstName: first,
      lastName: last,
      email: `${`${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, "")}@customer.example`,
    });
  });
  TICKETS.forEach(([subject, text, priority], i) => {
    const contact = desk.contacts[i % desk.contacts.length];
    const dept = subject.match(/charg|invoice|billing|VAT|subscription/i)
      ? desk.departments[1]
      : desk.departments[0];
    desk.createTicket(
      {
        subject,
        description: text,
        priority,
        contactId: contact?.id,
        departmentId: dept?.id,
        channel: "Email",
      },
      undefined,
      { from: contact?.email ?? "", content: text },
    );
  });

  if (ctx.options.hooksBaseUrl)
    seedMediatorHooks(ctx, automation, desk, ctx.options.hooksBaseUrl, ctx.options.hooksToken);
  return client;
}

/**
 * The workflow webhook's raw JSON body: the record id, its Modified Time and, as merge fields by api name, the
 * fields lead enrichment declares it takes from its trigger (LEAD_TRIGGER_FIELDS), so a fresh event is enriched
 * without a read. Every value quoted: an unquoted number merge field can break the JSON (fact sheet 4.1).
 */
export function leadWebhookTemplate(): string {
  const merge = LEAD_TRIGGER_FIELDS.map((f) => `"${f}":"\${Leads.${f}}"`).join(",");
  return `{"module":"Leads","id":"\${Leads.Lead Id}","email":"\${Leads.Email}","modified_time":"\${Leads.Modified Time}",${merge}}`;
}

/** The automation a Zoho admin would set up for the mediator: a lead workflow webhook and a Desk webhook. */
export function seedMediatorHooks(
  ctx: SandboxContext,
  automation: Automation,
  desk: Desk,
  base: string,
  token?: string,
): void {
  const headers: Record<string, string> = token ? { "X-Mediator-Token": token } : {};
  automation.rules.push({
    id: ctx.ids.next(),
    name: "AI lead enrichment",
    module: "Leads",
    on: "create_or_edit",
    fields: ["Description", "Company", "Email", "Lead_Status"],
    webhook: {
      url: `${base}/v1/hooks/crm/lead-enrichment`,
      headers,
      body: {
        type: "raw",
        template: leadWebhookTemplate(),
      },
    },
  });
  desk.webhooks.set("desk-mediator", {
    id: "desk-mediator",
    name: "AI ticket triage",
    url: `${base}/v1/hooks/desk${token ? `?token=${encodeURIComponent(token)}` : ""}`,
    isEnabled: true,
    ignoreSourceId: "5d3c8a3e-6b1f-4c9a-9d8e-mediator0001",
    subscriptions: { Ticket_Add: null, Ticket_Thread_Add: { direction: "in" } },
    createdTime: new Date(ctx.clock.now()).toISOString(),
  });
}
