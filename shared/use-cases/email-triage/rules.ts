/**
 * The mediator's rule table for a triaged e-mail: what is written follows from who the sender is (resolved by the
 * mediator through the Search API, never by the model) and the model's classification.
 *
 * | sender  | intent                              | writes                                               |
 * |---------|-------------------------------------|------------------------------------------------------|
 * | any     | spam, other                         | none (the job records the e-mail as triaged)         |
 * | any     | support                             | a Desk ticket; none when the connection has no Desk  |
 * | known   | new-business, deal-update, billing  | a Note on the Contact/Lead; a Task (owner = record    |
 * |         |                                     | owner) when the e-mail asks for something            |
 * | unknown | business, belongs in CRM            | a Lead (mandatory fields, source "Email" when the    |
 * |         |                                     | org's picklist has it), its Note, its Task as above  |
 * | unknown | business, not for CRM               | none                                                 |
 *
 * Existing records are never updated: a known sender gets a note and a task, so a person's values stay as they are.
 */
import type { PlannedWrite } from "../../domain/planned-write.js";
import type { ZohoField } from "../../domain/zoho-field.js";
import { BUSINESS_INTENTS, EMAIL_PROMPT_VERSION, type EmailTriageOutput } from "./output.js";
import type { LoadedEmail } from "./work.js";

/** Mail providers whose domain names no company: the Lead's company then comes from the e-mail or the name. */
const FREE_MAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "yahoo.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.ru",
  "yandex.ru",
  "qq.com",
  "163.com",
  "126.com",
]);

/** Zoho's Desk description is long text; this keeps a ticket well within any limit an org could meet. */
const MAX_TICKET_DESCRIPTION = 30_000;
const MAX_NOTE_TITLE = 120;

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Why an e-mail led to no write (what the unit's plan shows as empty). */
export type Skip = "spam-or-other" | "support-without-desk" | "not-for-crm";

/** The rule table's decision, before it becomes planned writes (exported for tests and the README). */
export function ruleFor(
  output: Pick<EmailTriageOutput, "intent" | "belongsInCrm">,
  loaded: Pick<LoadedEmail, "known" | "desk">,
): "note" | "lead" | "ticket" | Skip {
  if (output.intent === "spam" || output.intent === "other") return "spam-or-other";
  if (output.intent === "support") return loaded.desk ? "ticket" : "support-without-desk";
  if (!BUSINESS_INTENTS.has(output.intent)) return "spam-or-other";
  if (loaded.known) return "note";
  return output.belongsInCrm ? "lead" : "not-for-crm";
}

/** The note's text: the e-mail's triage, with where it came from; written as plain text. */
export function noteContent(output: EmailTriageOutput, loaded: LoadedEmail): string {
  const { sender, input } = loaded;
  const e = output.entities;
  const stated = [
    e.company && `company: ${e.company}`,
    e.phone && `phone: ${e.phone}`,
    e.website && `website: ${e.website}`,
    e.dealAmount !== null && `amount: ${e.dealAmount}${e.currency ? ` ${e.currency}` : ""}`,
    ...e.dates.map((d) => `${d.what}: ${d.date ?? "date not stated as a day"}`),
  ].filter((s): s is string => typeof s === "string" && s.length > 0);
  return [
    `AI e-mail triage by zoho-gpt-mediator (prompt ${EMAIL_PROMPT_VERSION})`,
    `From: ${sender.name ? `${sender.name} <${sender.address}>` : sender.address}`,
    `Subject: ${input.subject || "(none)"}`,
    ...(input.receivedAt ? [`Received: ${input.receivedAt}`] : []),
    `Intent: ${output.intent}; urgency: ${output.urgency}`,
    "",
    output.summary,
    ...(stated.length ? ["", `Stated in the e-mail: ${stated.join("; ")}`] : []),
    ...(input.attachments?.length
      ? [`Attachments: ${input.attachments.map((a) => a.fileName).join(", ")}`]
      : []),
  ].join("\n");
}

/** First and last name from the sender's display name (the header), else the model's, else the address. */
function nameParts(output: EmailTriageOutput, loaded: LoadedEmail): { first?: string; last: string } {
  // Display names carry quotes, a second script in brackets ("Aiko Tanaka (田中 愛子)") or a role ("Sam | Acme").
  const clean = (s: string | null | undefined) =>
    (s ?? "")
      .replace(/\([^)]*\)|\[[^\]]*\]|["'“”]/g, " ")
      .split(/\s[|/]\s/)[0]
      ?.replace(/\s+/g, " ")
      .trim() ?? "";
  const full = clean(loaded.sender.name) || clean(output.entities.person);
  if (full) {
    // "Tanaka, Aiko" is last-name first; a single word (or a CJK name without spaces) is all last name.
    const comma = /^([^,]+),\s*(.+)$/.exec(full);
    if (comma) return { first: comma[2] as string, last: comma[1] as string };
    const parts = full.split(" ");
    const last = parts.pop() as string;
    return parts.length ? { first: parts.join(" "), last } : { last };
  }
  return { last: loaded.sender.address.split("@")[0] as string };
}

function companyOf(output: EmailTriageOutput, loaded: LoadedEmail, name: string): string {
  if (output.entities.company) return output.entities.company;
  const domain = loaded.sender.address.split("@")[1] ?? "";
  return domain && !FREE_MAIL.has(domain) ? domain : name;
}

/**
 * The Lead for an unknown sender: only fields the org's live Leads layout has and the mediator may write. A
 * mandatory field this cannot fill is left to the guard, which refuses the write with its name (never a guess).
 */
export function leadFor(
  output: EmailTriageOutput,
  loaded: LoadedEmail,
): { proposed: Record<string, unknown>; allowList: string[] } {
  const fields = new Map<string, ZohoField>((loaded.leadFields ?? []).map((f) => [f.name, f]));
  const writable = (name: string) => {
    const f = fields.get(name);
    return f !== undefined && !f.readOnly;
  };
  const { first, last } = nameParts(output, loaded);
  const wanted: Record<string, unknown> = {
    Last_Name: last,
    First_Name: first,
    Email: loaded.sender.address,
    Company: companyOf(output, loaded, first ? `${first} ${last}` : last),
    Phone: output.entities.phone ?? undefined,
    Website: output.entities.website ?? undefined,
    Description: output.summary,
  };
  // "Email" as the lead source only where the org's picklist has it, in the org's spelling ("Email", "E-Mail").
  const source = fields
    .get("Lead_Source")
    ?.picklist?.find((v) => v.toLowerCase().replace(/[^a-z]/g, "") === "email");
  if (source) wanted.Lead_Source = source;
  const proposed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(wanted))
    if (value !== undefined && value !== null && value !== "" && writable(name)) proposed[name] = value;
  return { proposed, allowList: Object.keys(wanted) };
}

/** The planned writes for one triaged e-mail (none for spam, a Desk-less support e-mail, or one not for CRM). */
export function planEmail(output: EmailTriageOutput, loaded: LoadedEmail): PlannedWrite[] {
  const rule = ruleFor(output, loaded);
  const { input, sender } = loaded;
  const title = clip(`E-mail: ${input.subject || "(no subject)"}`, MAX_NOTE_TITLE);
  const content = noteContent(output, loaded);
  const task = (
    id: string | { fromStep: number },
    module: string,
    ownerId: string | undefined,
  ): PlannedWrite[] =>
    output.request.asks
      ? [
          {
            kind: "crm-task",
            module,
            id,
            subject: clip(output.request.task?.trim() || `Reply to: ${input.subject || sender.address}`, 255),
            ...(output.request.dueDate ? { dueDate: output.request.dueDate } : {}),
            description: output.summary,
            ...(ownerId ? { ownerId } : {}),
          },
        ]
      : [];

  switch (rule) {
    case "ticket":
      return [
        {
          kind: "desk-ticket-create",
          subject: clip(input.subject || `E-mail from ${sender.address}`, 255),
          description: clip(`${output.summary}\n\n---\n${loaded.text}`, MAX_TICKET_DESCRIPTION),
          email: sender.address,
          ...(sender.name ? { contactName: sender.name } : {}),
        },
      ];
    case "note": {
      const known = loaded.known as NonNullable<LoadedEmail["known"]>;
      return [
        { kind: "crm-note", module: known.module, id: known.id, title, content },
        ...task(known.id, known.module, known.ownerId),
      ];
    }
    case "lead": {
      const lead = leadFor(output, loaded);
      return [
        {
          kind: "crm-create",
          module: "Leads",
          proposed: lead.proposed,
          allowList: lead.allowList,
          existsBy: { field: "Email", value: sender.address },
        },
        { kind: "crm-note", module: "Leads", id: { fromStep: 0 }, title, content },
        ...task({ fromStep: 0 }, "Leads", undefined),
      ];
    }
    default:
      return [];
  }
}
