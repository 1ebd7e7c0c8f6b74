/**
 * The Books example use case, defined only by configuration (`config/use-cases/examples/books-overdue-follow-up.yaml`;
 * on the `alt` org its admin's own field names, `test/fixtures/use-cases/defined/books-overdue-follow-up.alt.yaml`),
 * end to end on the local stack: a Books workflow rule's webhook -> the model -> a guarded custom-fields write and
 * an audit comment. Books runs its rules on API writes, so the mediator's write calls the route again: the loop guard
 * must stop it there. A dropdown value the org retired is quarantined; a duplicate delivery writes once; Books'
 * rate-limit answers are waited out.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BooksOrg } from "../../../infra/local/zoho-sandbox/books/types.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { definedUseCase } from "../../../shared/use-cases/defined/index.js";
import { parseDefinition } from "../../../shared/use-cases/defined/parse.js";
import { deadLetters, deadLettersAtLeast, post, startTestStack, until } from "../../helpers/local-stack.js";

const ROOT = join(import.meta.dirname, "../../..");
const FILE =
  process.env.ZOHO_SANDBOX_PROFILE === "alt"
    ? join(ROOT, "test/fixtures/use-cases/defined/books-overdue-follow-up.alt.yaml")
    : join(ROOT, "config/use-cases/examples/books-overdue-follow-up.yaml");
const definition = parseDefinition(readFileSync(FILE, "utf8"), FILE);
const [riskOut, , reminderOut] = definition.outputs.map((o) => o.field) as [string, string, string];

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({
    useCases: [...USE_CASE_CATALOG, definedUseCase(definition)],
    // A daily limit defers the event for SQS's maximum delay when deployed; here for a moment.
    workerExtras: { zohoRetry: { rateLimitRetryAfterMs: 200, dailyLimitWaitMs: 300 } },
  });
});
afterAll(() => stack?.stop());

const sandbox = () => {
  if (!stack.sandbox) throw new Error("no sandbox");
  return stack.sandbox;
};
const booksOrg = (): BooksOrg => {
  const id = sandbox().demo().booksOrgId;
  const org = sandbox().state.books.orgs.get(id);
  if (!org) throw new Error("no Books org");
  return org;
};
/** The org's overdue invoices, as Books shows them today (the status Books derives from the due date). */
const overdue = () =>
  [...booksOrg().records.invoices.entries()]
    .filter(([, r]) => sandbox().state.books.render(booksOrg(), "invoices", r).status === "overdue")
    .map(([id, r]) => ({ id, number: String(r.data.invoice_number) }));
const control = async (path: string, body?: unknown, method = body === undefined ? "GET" : "POST") => {
  const res = await fetch(`${sandbox().url}/_sandbox/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as Record<string, any>;
};
const invoice = (id: string) => control(`books/invoices/${id}`);
const comments = async (id: string) =>
  ((await control(`books/invoices/${id}/comments`)).comments as { description: string }[]).map(
    (c) => c.description,
  );
type Write = { service?: string; module: string; ids: string[]; source: string };
const apiWrites = (id: string) =>
  ((sandbox().inspect().writes ?? []) as Write[]).filter(
    (w) => w.service === "books" && w.source === "api" && w.ids.includes(id),
  );
const deliveries = async (id: string) =>
  ((await control("books/deliveries")).deliveries as { record_id?: string; status?: number }[]).filter(
    (d) => d.record_id === id,
  );
/** A person edits the invoice in Books: its rule fires the mediator's webhook. */
const edit = (id: string, change: Record<string, unknown>) => control(`books/invoices/${id}`, change, "PUT");
const cf = (entity: Record<string, any>, api: string) =>
  (entity.custom_fields as { api_name: string; value: unknown }[] | undefined)?.find(
    (f) => f.api_name === api,
  )?.value;
const activeValues = (api: string) =>
  booksOrg()
    .fields.find((f) => f.api_name === api)
    ?.values?.filter((v) => v.is_active)
    .map((v) => v.name) ?? [];

describe("the Books overdue-invoice follow-up, defined by configuration", () => {
  it("writes the risk, its reason and a reminder back once, comments the audit, and does not loop on its own write", async () => {
    const [target] = overdue();
    if (!target) throw new Error("the org has no overdue invoice");

    await edit(target.id, { notes: "Customer promised payment last week." });

    await until(async () => expect(cf(await invoice(target.id), reminderOut)).toBeTruthy(), 30_000);
    await until(
      async () =>
        expect((await comments(target.id)).some((c) => c.includes("AI books-overdue-follow-up"))).toBe(true),
      30_000,
    );
    const written = await invoice(target.id);
    expect(activeValues(riskOut)).toContain(cf(written, riskOut));
    const audit = (await comments(target.id)).find((c) => c.includes("AI books-overdue-follow-up")) ?? "";
    expect(audit).toContain(String(cf(written, reminderOut)));
    // The write fired the rule again (Books has no skip), and that delivery was accepted but wrote nothing.
    await until(async () => expect((await deliveries(target.id)).length).toBeGreaterThanOrEqual(2), 30_000);
    // ... and its delivery is the event that caused the write: claimed as a duplicate of that job, nothing written.
    const writtenEvent = () =>
      stack.events.find((e) => e.startsWith("written") && e.includes(definition.name));
    await until(() => expect(writtenEvent()).toBeTruthy(), 30_000);
    const job = writtenEvent()?.split(" job ")[1]?.slice(0, 8);
    await until(
      () =>
        expect(stack.events.some((e) => e.startsWith("duplicate") && e.includes(`job ${job}`))).toBe(true),
      30_000,
    );
    expect(apiWrites(target.id)).toHaveLength(1);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("writes once for a duplicate delivery of the same event", async () => {
    const target = overdue()[1];
    if (!target) throw new Error("the org has too few overdue invoices");
    const entity = (await invoice(target.id)) as Record<string, unknown>;
    const body = JSON.stringify({ invoice: entity });
    const url = `${stack.api?.url}/v1/hooks/books/${definition.name}`;
    const headers = { "x-mediator-token": stack.webhookToken };

    const [a, b] = await Promise.all([post(url, body, headers), post(url, body, headers)]);

    expect([a.status, b.status]).toEqual([202, 202]);
    // The same event is the same job: the worker claims it once, whichever delivery it reads first.
    const jobs = await Promise.all(
      [a, b].map(async (r) => ((await r.json()) as { jobIds: string[] }).jobIds),
    );
    expect(jobs[0]).toEqual(jobs[1]);
    await until(async () => expect(cf(await invoice(target.id), reminderOut)).toBeTruthy(), 30_000);
    expect(apiWrites(target.id)).toHaveLength(1);
  }, 60_000);

  it("waits out Books' rate-limit answers without losing the event: 44 and 1070 in the call, 45 (daily) on the queue", async () => {
    const target = overdue()[2];
    if (!target) throw new Error("the org has too few overdue invoices");
    for (const code of [44, 45, 1070])
      await control("faults", { target: "books", kind: 429, code, count: 1 });

    await edit(target.id, { notes: "Second reminder due." });

    await until(async () => expect(cf(await invoice(target.id), reminderOut)).toBeTruthy(), 30_000);
    expect(apiWrites(target.id)).toHaveLength(1);
    expect(stack.events.some((e) => e.startsWith("deferred") && /daily API limit/.test(e))).toBe(true);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("quarantines a dropdown value the org retired after the mediator read its fields", async () => {
    const [, , , target, warm] = overdue();
    if (!target || !warm) throw new Error("the org has too few overdue invoices");
    // The mediator has read the org's fields (an event of another invoice written): its cache holds the value.
    await edit(warm.id, { notes: "Check in." });
    await until(async () => expect(cf(await invoice(warm.id), reminderOut)).toBeTruthy(), 30_000);
    const [retired] = activeValues(riskOut);
    const field = booksOrg().fields.find((f) => f.api_name === riskOut);
    const value = field?.values?.find((v) => v.name === retired);
    if (!retired || !value) throw new Error("the dropdown has no active value");
    // The model answers the value that is about to be retired (for this invoice only).
    stack.model?.inject({
      kind: "answer",
      match: target.number,
      count: 2,
      content: JSON.stringify({
        [definition.outputs[0]?.key as string]: retired,
        [definition.outputs[1]?.key as string]: "Paid late twice before.",
        [definition.outputs[2]?.key as string]: "Dear customer, a friendly reminder.",
      }),
    });
    value.is_active = false;
    try {
      await edit(target.id, { notes: "Escalate." });

      const [dead, ...more] = await deadLettersAtLeast(stack, 1, 30_000);
      expect(more).toEqual([]);
      expect(dead?.reason).toContain("Zoho rejected the custom fields");
      expect(cf(await invoice(target.id), riskOut)).not.toBe(retired);
      expect(apiWrites(target.id)).toHaveLength(0);
    } finally {
      value.is_active = true;
    }
  }, 60_000);
});
