/**
 * The Creator and Books writers against the port fakes, through the pipeline with a defined use case each: the
 * update then the audit (a Creator audit-form record, a Books comment) quoting the values as guarded, and a resumed
 * plan whose audit reached Zoho without being recorded finds it (its job line) and writes no second one.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { ZohoField } from "../../../shared/domain/zoho-field.js";
import { UpstreamUnavailableError } from "../../../shared/errors.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { UseCaseDefinitionSchema } from "../../../shared/use-cases/defined/definition.js";
import { definedUseCase } from "../../../shared/use-cases/defined/index.js";
import { FakeLlm } from "../../fakes/llm.js";
import { delivery, PipelineHarness } from "../../fakes/pipeline.js";

const INVOICE = "2991628000000132174";
const REQUEST = "3888833000000114027";

const books = UseCaseDefinitionSchema.parse({
  name: "overdue",
  title: "Overdue follow-up",
  target: { product: "books", entity: "invoices" },
  read: ["invoice_number", "balance"],
  instructions: "Rate the risk.",
  outputs: [
    { key: "risk", field: "cf_risk", intent: "risk", accepts: ["picklist"] },
    { key: "reminder", field: "cf_reminder", intent: "a reminder", accepts: ["textarea"], inAudit: true },
  ],
  writeMode: "overwrite",
});
const creator = UseCaseDefinitionSchema.parse({
  name: "triage",
  title: "Triage",
  target: { product: "creator", app: "desk", form: "Request", report: "All_Requests" },
  read: ["Subject"],
  instructions: "Triage the request.",
  outputs: [
    { key: "summary", field: "AI_Summary", intent: "a summary", accepts: ["textarea"], inAudit: true },
  ],
});
const catalog = [...USE_CASE_CATALOG, definedUseCase(books), definedUseCase(creator)];

const message = (useCase: string, id: string) =>
  JSON.stringify({
    v: 1,
    jobId: randomUUID(),
    useCase,
    connection: "default",
    source: useCase === "overdue" ? "books-webhook" : "creator-workflow",
    dedupKey: `${useCase}:${id}:t1`,
    receivedAt: "2026-11-30T09:59:00.000Z",
    subject: null,
    input: { id },
  });

let h: PipelineHarness;
const llm = new FakeLlm((request) =>
  request.schemaName.includes("overdue") || JSON.stringify(request).includes("cf_risk")
    ? { risk: "High", reminder: "Dear customer, a reminder." }
    : { summary: "The printer is offline." },
);
beforeEach(() => {
  h = new PipelineHarness();
  const text = (name: string, length = 2000): ZohoField => ({
    name,
    type: "textarea",
    length,
    readOnly: false,
  });
  h.books.entityFields.set("invoices", [
    { name: "cf_risk", type: "picklist", picklist: ["Low", "High"], readOnly: false },
    text("cf_reminder"),
  ]);
  h.books.put("invoices", { id: INVOICE, invoice_number: "INV-1", balance: 10 });
  h.creator.formFields.set("desk/Request", [
    { name: "Subject", type: "text", readOnly: false },
    text("AI_Summary"),
  ]);
  // Creator answers a record with its empty fields too: fill-empty writes only what it sees empty.
  h.creator.put("desk", "All_Requests", { ID: REQUEST, Subject: "Printer offline", AI_Summary: "" });
});
const run = (...records: Parameters<PipelineHarness["run"]>) => h.pipeline({ catalog, llm })(records);
/** The job store fails to record the audit step (the 3rd save: plan, update done, audit done). */
const failThirdSave = () => {
  const save = h.jobs.savePlan.bind(h.jobs);
  let saves = 0;
  h.jobs.savePlan = async (key, plan) => {
    if (++saves === 3) throw new UpstreamUnavailableError("aws", "down");
    return save(key, plan);
  };
};

describe("Books", () => {
  it("writes the custom fields, then a comment quoting the written reminder and the audit text", async () => {
    const [out] = await run(delivery(message("overdue", INVOICE)));

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.books.find("invoices", INVOICE)?.customFields).toMatchObject({ cf_risk: "High" });
    expect(h.books.comments).toHaveLength(1);
    expect(h.books.comments[0]?.text).toContain("cf_reminder:\nDear customer, a reminder.");
    expect(h.books.comments[0]?.text).toContain("AI overdue by zoho-gpt-mediator");
  });

  it("a comment posted but not recorded: the resumed plan finds its job line and posts no second one", async () => {
    failThirdSave();
    const body = message("overdue", INVOICE);

    expect((await run(delivery(body, 1)))[0]).toMatchObject({ action: "retry" });
    expect((await run(delivery(body, 2)))[0]).toMatchObject({ action: "ack", result: "written" });

    expect(h.books.comments).toHaveLength(1);
    expect(h.books.calls.filter((c) => c.method === "listComments")).toHaveLength(1);
    expect(h.books.calls.filter((c) => c.method === "updateCustomFields")).toHaveLength(1);
  });
});

describe("Creator", () => {
  it("updates the record, then adds an audit record quoting the written summary", async () => {
    const [out] = await run(delivery(message("triage", REQUEST)));

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.creator.find("desk", "All_Requests", REQUEST)?.AI_Summary).toBe("The printer is offline.");
    const audit = h.creator.added.get("desk/AI_Audit_Log") ?? [];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ Record_ID: REQUEST, Use_Case: "triage" });
    expect(String(audit[0]?.Summary)).toContain("AI_Summary:\nThe printer is offline.");
  });

  it("an audit record added but not recorded: the resumed plan finds it in the audit report, adds none", async () => {
    failThirdSave();
    const body = message("triage", REQUEST);

    expect((await run(delivery(body, 1)))[0]).toMatchObject({ action: "retry" });
    // What Creator shows in the audit form's report: the record the first attempt added.
    for (const r of h.creator.added.get("desk/AI_Audit_Log") ?? [])
      h.creator.put("desk", "All_AI_Audit_Logs", r);
    expect((await run(delivery(body, 2)))[0]).toMatchObject({ action: "ack", result: "written" });

    expect(h.creator.added.get("desk/AI_Audit_Log")).toHaveLength(1);
    expect(h.creator.calls.filter((c) => c.method === "updateRecord")).toHaveLength(1);
  });
});
