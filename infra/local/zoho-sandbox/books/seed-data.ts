/**
 * The Books org's content, the same for both profiles (seed.ts): what the org sells, its invoices (some overdue,
 * some partly paid, paid, sent and draft, dated relative to the sandbox clock), estimates and sales orders, and what
 * the finance team noted about each customer's paying habits. Customers are the companies of ../seed-data.ts.
 */

/** Items: name, description, rate. */
export const ITEMS = [
  ["Platform subscription (annual)", "Annual licence, 25 seats", 4800],
  ["Additional seats", "Per seat, per year", 180],
  ["Implementation services", "Onboarding and data migration, per day", 1150],
  ["Premium support plan", "Priority response, 12 months", 1900],
  ["Training workshop", "On-site, one day, up to 12 people", 950],
  ["Integration connector", "ERP connector licence", 1250],
  ["Hardware scanner kit", "Handheld scanner with cradle", 320],
] as const;

export interface InvoicePlan {
  /** Index into the seeded customers. */
  customer: number;
  /** Days between the invoice date and the sandbox's today. */
  age: number;
  /** Payment terms in days (due date = date + terms). */
  terms: number;
  /** [item index, quantity]. */
  lines: readonly (readonly [number, number])[];
  /** Share of the total paid. */
  paid: number;
  draft?: boolean;
}

/** Seven are overdue on the seeding day (past due, balance above zero); two of those are partly paid. */
export const INVOICES: readonly InvoicePlan[] = [
  {
    customer: 0,
    age: 75,
    terms: 30,
    lines: [
      [0, 1],
      [1, 5],
    ],
    paid: 0,
  },
  { customer: 1, age: 48, terms: 30, lines: [[2, 3]], paid: 0 },
  {
    customer: 2,
    age: 95,
    terms: 45,
    lines: [
      [0, 1],
      [3, 1],
    ],
    paid: 0.5,
  },
  { customer: 3, age: 40, terms: 15, lines: [[6, 12]], paid: 0 },
  { customer: 4, age: 35, terms: 30, lines: [[4, 2]], paid: 0 },
  {
    customer: 5,
    age: 130,
    terms: 60,
    lines: [
      [5, 1],
      [2, 2],
    ],
    paid: 0.2,
  },
  { customer: 6, age: 20, terms: 30, lines: [[0, 1]], paid: 0 },
  { customer: 7, age: 10, terms: 30, lines: [[1, 10]], paid: 0 },
  { customer: 8, age: 60, terms: 30, lines: [[3, 1]], paid: 1 },
  { customer: 9, age: 45, terms: 30, lines: [[2, 5]], paid: 1 },
  { customer: 10, age: 5, terms: 30, lines: [[0, 2]], paid: 0 },
  { customer: 11, age: 2, terms: 30, lines: [[4, 1]], paid: 0, draft: true },
  { customer: 0, age: 15, terms: 15, lines: [[6, 4]], paid: 0.25 },
  { customer: 1, age: 200, terms: 30, lines: [[0, 1]], paid: 1 },
  {
    customer: 3,
    age: 33,
    terms: 30,
    lines: [
      [3, 1],
      [4, 1],
    ],
    paid: 0,
  },
  { customer: 2, age: 8, terms: 30, lines: [[1, 3]], paid: 0 },
];

/** Estimates: customer, age in days, lines, status. */
export const ESTIMATES = [
  { customer: 6, age: 12, lines: [[2, 4]], status: "sent" },
  {
    customer: 7,
    age: 3,
    lines: [
      [0, 1],
      [4, 1],
    ],
    status: "draft",
  },
  { customer: 9, age: 30, lines: [[5, 1]], status: "accepted" },
  { customer: 10, age: 21, lines: [[3, 1]], status: "declined" },
  {
    customer: 11,
    age: 6,
    lines: [
      [0, 1],
      [1, 8],
    ],
    status: "sent",
  },
] as const;

/** Sales orders: customer, age in days, lines, status. */
export const SALES_ORDERS = [
  { customer: 0, age: 9, lines: [[6, 20]], status: "open" },
  {
    customer: 2,
    age: 14,
    lines: [
      [0, 1],
      [2, 2],
    ],
    status: "open",
  },
  { customer: 5, age: 40, lines: [[5, 1]], status: "closed" },
  { customer: 8, age: 1, lines: [[4, 2]], status: "draft" },
] as const;

/** What the finance team noted about a customer (the contact's `notes`, context for a reminder). */
export const PAYMENT_NOTES = [
  "AP contact is Dana in finance; invoices must quote a PO number or they are rejected. Usually pays within 10 days of the due date.",
  "Had a dispute in March about duplicated seat charges, resolved with a credit note. Prefers reminders by e-mail, not phone.",
  "Pays by bank transfer in one monthly batch run on the 25th; anything approved after the 20th waits a month.",
  "New finance director since January; payments now need two approvals and take longer than they used to.",
  "Reliable payer for three years. Asked for consolidated quarterly invoicing from next year.",
  "Mentioned cash-flow pressure on the last call; we offered a payment plan and they have not replied yet.",
];
