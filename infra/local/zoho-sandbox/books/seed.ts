/**
 * Builds the sandbox's Books side for the profile: the org its users belong to and one they do not, the profile's
 * custom fields (profiles.ts), and, when seeding, customers, invoices (some overdue relative to the sandbox clock),
 * estimates and sales orders with their system comments (seed-data.ts). Seeding writes are not traffic: they neither
 * log nor fire rules.
 */

import { PEOPLE } from "../seed-data.js";
import type { SandboxContext } from "../state.js";
import { BOOKS_PROFILES, type BooksProfile } from "./profiles.js";
import { addDays, round2 } from "./render.js";
import { ESTIMATES, INVOICES, ITEMS, PAYMENT_NOTES, SALES_ORDERS } from "./seed-data.js";
import { Books } from "./store.js";
import type { BooksCustomField, BooksEntity, BooksModule, BooksOrg, BooksRecord } from "./types.js";

/**
 * The Books scopes the demo client's grant carries (checklist item 17): read everything, update entities and their
 * custom fields, add comments, read and create custom fields.
 */
export const BOOKS_SCOPES = [
  "ZohoBooks.settings.READ",
  "ZohoBooks.settings.CREATE",
  "ZohoBooks.contacts.READ",
  "ZohoBooks.contacts.UPDATE",
  ...["invoices", "estimates", "salesorders"].flatMap((m) =>
    ["READ", "UPDATE", "CREATE"].map((op) => `ZohoBooks.${m}.${op}`),
  ),
];

const DAY = 86_400_000;

function createOrg(
  books: Books,
  profile: BooksProfile,
  identity: { organization_id: string; name: string },
  members: string[],
): BooksOrg {
  const perEntity = new Map<BooksEntity, number>();
  const fields: BooksCustomField[] = profile.fields.map((f) => {
    const index = (perEntity.get(f.entity) ?? 0) + 1;
    perEntity.set(f.entity, index);
    const { values, inactiveValues, ...rest } = f;
    return {
      ...rest,
      customfield_id: books.nextId(),
      index,
      is_active: f.is_active ?? true,
      is_mandatory: f.is_mandatory ?? false,
      show_on_pdf: false,
      placeholder: `cf_${f.label.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`,
      ...(values
        ? {
            values: [
              ...values.map((name) => ({ name, is_active: true })),
              ...(inactiveValues ?? []).map((name) => ({ name, is_active: false })),
            ].map((v, i) => ({ ...v, order: i + 1 })),
          }
        : {}),
    };
  });
  const org: BooksOrg = {
    ...profile.org,
    ...identity,
    dc: "us",
    members,
    fields,
    records: { contacts: new Map(), invoices: new Map(), estimates: new Map(), salesorders: new Map() },
    comments: new Map(),
    counters: { invoice: 0, estimate: 0, salesorder: 0 },
  };
  books.orgs.set(org.organization_id, org);
  return org;
}

/** Line items as Books stores them, with ids and totals. */
function lines(books: Books, itemIds: string[], plan: readonly (readonly [number, number])[]) {
  return plan.map(([item, quantity], i) => {
    const [name, description, rate] = ITEMS[item] ?? ITEMS[0];
    return {
      line_item_id: books.nextId(),
      item_id: itemIds[item] ?? "",
      name,
      description,
      rate,
      quantity,
      item_order: i + 1,
      item_total: round2(rate * quantity),
    };
  });
}

/** Custom values by field id for the profile's seed values of `entity`, the `n`-th of each cycle. */
function seedCustom(org: BooksOrg, profile: BooksProfile, entity: BooksEntity, n: number) {
  const out: Record<string, unknown> = {};
  for (const [api, values] of Object.entries(profile.seedValues[entity] ?? {})) {
    const field = org.fields.find((f) => f.entity === entity && f.api_name === api);
    const value = values[n % values.length];
    if (field && value) out[field.customfield_id] = value;
  }
  return out;
}

const sum = (items: { item_total: number }[]) => round2(items.reduce((n, l) => n + l.item_total, 0));

function seedRecords(books: Books, org: BooksOrg, profile: BooksProfile, admin: string): void {
  const now = books.now();
  const today = books.today(org);
  const money = (n: number) => `${org.currency_symbol}${n.toFixed(2)}`;
  const system = (module: BooksModule, id: string, description: string, at: number, operation = "Added") =>
    books.addComment(org, module, id, {
      description,
      comment_type: "system",
      operation_type: operation,
      by: admin,
      at,
    });
  const itemIds = ITEMS.map(() => books.nextId());
  const customers: BooksRecord[] = PEOPLE.slice(0, 12).map(([first, last, company], i) => {
    const domain = company.toLowerCase().replace(/[^a-z]+/g, "");
    const at = now - (400 - i * 7) * DAY;
    const rec = books.insert(
      org,
      "contacts",
      {
        data: {
          contact_name: company,
          company_name: company,
          contact_type: "customer",
          customer_sub_type: "business",
          status: "active",
          email: `accounts@${domain}.example`,
          phone: `+1 555 02${String(i).padStart(2, "0")} ${2000 + i * 13}`,
          payment_terms: 30,
          payment_terms_label: "Net 30",
          currency_code: org.currency_code,
          notes: PAYMENT_NOTES[i % PAYMENT_NOTES.length],
          contact_persons: [
            {
              contact_person_id: books.nextId(),
              first_name: first,
              last_name: last,
              email: `${`${first[0]}${last}`.toLowerCase().replace(/[^a-z]/g, "")}@${domain}.example`,
              is_primary_contact: true,
            },
          ],
        },
        custom: seedCustom(org, profile, "contact", i),
      },
      undefined,
      at,
    );
    system("contacts", rec.data.contact_id as string, "Contact added.", at);
    return rec;
  });
  const customer = (i: number) => customers[i % customers.length] as BooksRecord;

  INVOICES.forEach((plan, i) => {
    const c = customer(plan.customer);
    const at = now - plan.age * DAY;
    const date = addDays(today, -plan.age);
    const items = lines(books, itemIds, plan.lines);
    const total = sum(items);
    const rec = books.insert(
      org,
      "invoices",
      {
        data: {
          customer_id: c.data.contact_id,
          date,
          due_date: addDays(date, plan.terms),
          payment_terms: plan.terms,
          payment_terms_label: `Net ${plan.terms}`,
          status: plan.draft ? "draft" : "sent",
          reference_number: "",
          line_items: items,
          payment_made: round2(total * plan.paid),
          notes: "Thank you for your business.",
          terms: "Payment by bank transfer within the agreed terms.",
        },
        custom: seedCustom(org, profile, "invoice", i),
      },
      undefined,
      at,
    );
    const id = rec.data.invoice_id as string;
    const number = rec.data.invoice_number as string;
    system("invoices", id, `Invoice created for ${money(total)}.`, at);
    if (!plan.draft) system("invoices", id, `Invoice emailed to ${c.data.email}.`, at + 60_000, "Emailed");
    if (plan.paid > 0)
      system(
        "invoices",
        id,
        `Payment of amount ${money(round2(total * plan.paid))} received and applied for ${number}.`,
        at + (plan.terms / 2) * DAY,
      );
    if (i === 0)
      books.addComment(org, "invoices", id, {
        description: "Called their AP team: they promised payment by the end of the week.",
        comment_type: "internal",
        operation_type: "Added",
        by: admin,
        at: now - 3 * DAY,
      });
  });

  for (const [list, module, word] of [
    [ESTIMATES, "estimates", "Estimate"],
    [SALES_ORDERS, "salesorders", "Sales Order"],
  ] as const) {
    for (const plan of list) {
      const at = now - plan.age * DAY;
      const date = addDays(today, -plan.age);
      const items = lines(books, itemIds, plan.lines);
      const rec = books.insert(
        org,
        module,
        {
          data: {
            customer_id: customer(plan.customer).data.contact_id,
            date,
            ...(module === "estimates"
              ? { expiry_date: addDays(date, 30) }
              : { shipment_date: addDays(date, 14) }),
            status: plan.status,
            reference_number: "",
            line_items: items,
            notes: "",
          },
        },
        undefined,
        at,
      );
      const id = rec.data[module === "estimates" ? "estimate_id" : "salesorder_id"] as string;
      system(module, id, `${word} created for ${money(sum(items))}.`, at);
    }
  }
}

/**
 * The Books side for the sandbox's profile (`ctx.options.profile`): orgs and custom fields always, entities when
 * `ctx.options.seed`; `users` are the sandbox's users (the first is the admin), all members of the main org.
 */
export function buildBooks(ctx: SandboxContext, users: { id: string; name: string; email: string }[]): Books {
  const profile = BOOKS_PROFILES[ctx.options.profile];
  const books = new Books(ctx, profile.idPrefix);
  books.users.push(...users.map(({ id, name, email }) => ({ id, name, email })));
  const org = createOrg(
    books,
    profile,
    profile.org,
    books.users.map((u) => u.id),
  );
  createOrg(books, profile, profile.foreignOrg, []);
  if (ctx.options.seed) seedRecords(books, org, profile, books.users[0]?.id ?? "");
  return books;
}

/** The org the profile's users belong to. */
export const mainBooksOrgId = (ctx: SandboxContext): string =>
  BOOKS_PROFILES[ctx.options.profile].org.organization_id;
