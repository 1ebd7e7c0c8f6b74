/**
 * Plans that create what they write to: `crm-create` guarded (allow-list, live metadata, the module's mandatory
 * fields), notes and tasks on the created record (`fromStep`), the audit note on it, `existsBy` on a resumed plan
 * (no second record), a Desk ticket created, and an audit target of `none` (the write cap keyed on the sender,
 * no quarantine note).
 */
import { beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import type { PlannedWrite } from "../../../shared/domain/planned-write.js";
import type { ZohoField } from "../../../shared/domain/zoho-field.js";
import { UpstreamUnavailableError } from "../../../shared/errors.js";
import type { UseCaseDescriptor, UseCaseWork } from "../../../shared/use-cases/descriptor.js";
import { leadEnrichment } from "../../../shared/use-cases/lead-enrichment/index.js";
import { delivery, leadMessage, PipelineHarness } from "../../fakes/pipeline.js";
import { DEMO_LEADS } from "../../fixtures/orgs/orgs.js";

let h: PipelineHarness;
const SENDER = "chidi@brightline.example";
const LEAD_FIELDS: ZohoField[] = [
  ...DEMO_LEADS.map((f) => (f.name === "Last_Name" ? { ...f, mandatory: true } : f)),
  { name: "Email", type: "email", readOnly: false },
  { name: "Lead_Source", type: "picklist", readOnly: false, picklist: ["-None-", "Web Download", "Chat"] },
];
beforeEach(() => {
  h = new PipelineHarness();
  h.crm.moduleFields.set("Leads", LEAD_FIELDS);
});

type Loaded = { email: string };
/** An "inbound e-mail" use case: the plan the model's answer makes, with the sender as the audit target's key. */
function useCase(plan: (output: Record<string, unknown>) => PlannedWrite[]): UseCaseDescriptor[] {
  const work: UseCaseWork<unknown, Loaded> = {
    promptVersion: "creates/1",
    inputSchema: z.unknown(),
    load: async () => ({ email: SENDER }),
    schemaFor: () => z.object({ last_name: z.string(), company: z.string() }),
    prompt: () => ({ system: "s", user: "u" }),
    plan,
    auditTarget: (loaded) => ({ service: "none", key: `email:${loaded.email}` }),
  };
  const { mapping: _unmapped, ...lead } = leadEnrichment;
  return [{ ...lead, work: () => work }];
}

const ALLOW = ["Last_Name", "Company", "Email", "Lead_Source"];
const newLead = (output: Record<string, unknown>, existsBy = true): PlannedWrite => ({
  kind: "crm-create",
  module: "Leads",
  proposed: {
    Last_Name: output.last_name,
    Company: output.company,
    Email: SENDER,
    Lead_Source: "Web Download",
  },
  allowList: ALLOW,
  ...(existsBy ? { existsBy: { field: "Email", value: SENDER } } : {}),
});
const leadWithNoteAndTask = (output: Record<string, unknown>): PlannedWrite[] => [
  newLead(output),
  { kind: "crm-note", module: "Leads", id: { fromStep: 0 }, title: "E-mail", content: "Wants a demo." },
  {
    kind: "crm-task",
    module: "Leads",
    id: { fromStep: 0 },
    subject: "Book the demo",
    dueDate: "2026-12-03",
    ownerId: "5000000000000000001",
  },
];
const createdLeads = () =>
  [...(h.crm.records.get("Leads")?.values() ?? [])].filter((r) => r.Email === SENDER);

describe("crm-create", () => {
  it("creates the record, then the note and task on it (fromStep), and the audit note on it", async () => {
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });

    const [out] = await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "ack", result: "written" });
    const [lead] = createdLeads();
    expect(lead).toMatchObject({ Last_Name: "Okafor", Company: "Brightline", Lead_Source: "Web Download" });
    const calls = h.crm.writes();
    expect(calls.map((c) => c.method)).toEqual([
      "createRecords",
      "createNotes",
      "createTasks",
      "createNotes",
    ]);
    expect(calls.every((c) => c.trigger.length === 0)).toBe(true);
    expect(h.crm.notes.map((n) => [n.recordId, n.title])).toEqual([
      [lead?.id, "E-mail"],
      [lead?.id, "AI update"],
    ]);
    expect(h.crm.notes[1]?.content).toMatch(/fields changed: Last_Name, Company, Email, Lead_Source/);
    expect(h.crm.tasks).toEqual([
      expect.objectContaining({
        recordId: lead?.id,
        subject: "Book the demo",
        ownerId: "5000000000000000001",
      }),
    ]);
  });

  it("is refused by the guard when a mandatory field is missing: nothing is written, no quarantine note", async () => {
    h.llm.script.push({ value: { last_name: null, company: "Brightline" } });

    const [out] = await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: "write guard rejected the model output: crm-create Leads: mandatory field Last_Name missing",
    });
    expect(h.crm.writes()).toEqual([]);
  });

  it("is refused by the guard for a field outside the allow-list, or a value the field refuses", async () => {
    const outside = (o: Record<string, unknown>): PlannedWrite[] => {
      const create = newLead(o) as Extract<PlannedWrite, { kind: "crm-create" }>;
      return [{ ...create, proposed: { ...create.proposed, AI_Score: 99 } }];
    };
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    const [a] = await h.pipeline({ catalog: useCase(outside) })([delivery(leadMessage())]);
    expect(a).toMatchObject({ action: "dead-letter", reason: expect.stringMatching(/AI_Score: .*allow/) });

    const badSource = (o: Record<string, unknown>): PlannedWrite[] => {
      const create = newLead(o) as Extract<PlannedWrite, { kind: "crm-create" }>;
      return [{ ...create, proposed: { ...create.proposed, Lead_Source: "Carrier pigeon" } }];
    };
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    const [b] = await h.pipeline({ catalog: useCase(badSource) })([delivery(leadMessage(undefined, "e2"))]);
    expect(b).toMatchObject({
      action: "dead-letter",
      reason: expect.stringMatching(/^write guard.*Lead_Source/),
    });
    expect(h.crm.writes()).toEqual([]);
  });

  it("refuses a fromStep that is not an earlier crm-create", async () => {
    const dangling = (): PlannedWrite[] => [
      { kind: "crm-note", module: "Leads", id: { fromStep: 1 }, title: "t", content: "c" },
      { kind: "crm-task", module: "Leads", id: { fromStep: 0 }, subject: "s" },
    ];

    const [out] = await h.pipeline({ catalog: useCase(dangling) })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason:
        "write guard rejected the model output: crm-note: step 1 is not an earlier crm-create of the plan; crm-task: step 0 is not an earlier crm-create of the plan",
    });
  });

  it("a refused create dead-letters the unit with Zoho's code; its note and task are never written", async () => {
    h.crm.refuse("createRecords", () => true, { code: "DUPLICATE_DATA", message: "duplicate data" });
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });

    const [out] = await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "dead-letter", reason: expect.stringContaining("DUPLICATE_DATA") });
    expect(h.crm.writes().map((c) => c.method)).toEqual(["createRecords"]);
  });
});

describe("progress of a unit decided in its write phase", () => {
  const task = (subject: string): PlannedWrite => ({
    kind: "crm-task",
    module: "Leads",
    id: { fromStep: 0 },
    subject,
  });

  it("a refused task dead-letters the unit with the steps written before and beside it stored as done", async () => {
    h.crm.refuse("createTasks", (t) => (t as { subject: string }).subject === "B", {
      code: "INVALID_DATA",
      message: "invalid data",
    });
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    const plan = (output: Record<string, unknown>) => [newLead(output), task("A"), task("B"), task("C")];

    const [out] = await h.pipeline({ catalog: useCase(plan) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "dead-letter", reason: expect.stringContaining("INVALID_DATA") });
    const [job] = [...h.jobs.items.values()];
    // A replay resumes this plan: the lead and tasks A and C were written and must not be written again.
    expect([...(job?.plan?.done ?? [])].sort()).toEqual([0, 1, 3]);
  });
});

describe("existsBy: a resumed plan never creates a second record", () => {
  it("the create reached Zoho but was not recorded: the redelivery finds the record by e-mail and goes on", async () => {
    const body = leadMessage();
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    const save = h.jobs.savePlan.bind(h.jobs);
    let saves = 0;
    h.jobs.savePlan = async (key, plan) => {
      // 1) the plan, 2) the create done <- fails: the record exists, the plan does not say so.
      if (++saves === 2) throw new UpstreamUnavailableError("aws", "down");
      return save(key, plan);
    };

    expect(
      (await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(body, 1)]))[0],
    ).toMatchObject({
      action: "retry",
    });
    const [out] = await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(body, 2)]);

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(createdLeads()).toHaveLength(1);
    expect(h.crm.writes().filter((c) => c.method === "createRecords")).toHaveLength(1);
    expect(h.crm.calls.filter((c) => c.method === "search")).toEqual([
      { method: "search", args: ["Leads", { criteria: `(Email:equals:${SENDER})` }] },
    ]);
    const [lead] = createdLeads();
    expect(h.crm.notes.map((n) => n.recordId)).toEqual([lead?.id, lead?.id]);
    expect(h.llm.calls).toBe(1);
  });

  it("the create failed (nothing in Zoho): the redelivery searches, finds nothing and creates it once", async () => {
    const body = leadMessage();
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    h.crm.failNext("createRecords", new UpstreamUnavailableError("zoho-crm", "500"));
    const catalog = useCase(leadWithNoteAndTask);

    expect((await h.pipeline({ catalog })([delivery(body, 1)]))[0]).toMatchObject({ action: "retry" });
    expect((await h.pipeline({ catalog })([delivery(body, 2)]))[0]).toMatchObject({ result: "written" });

    expect(createdLeads()).toHaveLength(1);
    expect(h.crm.calls.filter((c) => c.method === "search")).toHaveLength(1);
  });

  it("a fresh plan does not search first (the search is only for resumed plans)", async () => {
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });

    await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(leadMessage())]);

    expect(h.crm.calls.filter((c) => c.method === "search")).toEqual([]);
  });

  it("a duplicate delivery of a done job writes nothing", async () => {
    const body = leadMessage();
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    const catalog = useCase(leadWithNoteAndTask);
    await h.pipeline({ catalog })([delivery(body)]);
    const writes = h.crm.writes().length;

    const [out] = await h.pipeline({ catalog })([delivery(body)]);

    expect(out).toMatchObject({ action: "ack", result: "duplicate" });
    expect(h.crm.writes()).toHaveLength(writes);
    expect(createdLeads()).toHaveLength(1);
  });
});

describe("desk-ticket-create", () => {
  const ticket = (): PlannedWrite[] => [
    {
      kind: "desk-ticket-create",
      subject: "Cannot log in",
      description: "Since the update I cannot log in.",
      email: SENDER,
      contactName: "Chidi Okafor",
    },
  ];

  it("creates the ticket through the Desk port (the adapter picks the department)", async () => {
    const [out] = await h.pipeline({ catalog: useCase(ticket) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.desk.writes()).toEqual([
      {
        method: "createTicket",
        args: [
          {
            subject: "Cannot log in",
            description: "Since the update I cannot log in.",
            email: SENDER,
            contactName: "Chidi Okafor",
          },
        ],
      },
    ]);
    expect([...h.jobs.items.values()][0]?.outcome).toMatchObject({ written: ["desk-ticket-create"] });
  });

  it("is refused by the guard with a bad e-mail address or an empty subject", async () => {
    const bad = (): PlannedWrite[] => [
      { kind: "desk-ticket-create", subject: " ", description: "d", email: "not an address" },
    ];

    const [out] = await h.pipeline({ catalog: useCase(bad) })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: expect.stringContaining("desk-ticket-create"),
    });
    expect(h.desk.writes()).toEqual([]);
  });
});

describe("AuditTarget none", () => {
  it("the write cap counts the target's key (the sender): past the cap, no model call", async () => {
    h.config = { ...h.config, recordWriteCap: 1 };
    const catalog = useCase(leadWithNoteAndTask);
    h.llm.script.push({ value: { last_name: "Okafor", company: "Brightline" } });
    expect((await h.pipeline({ catalog })([delivery(leadMessage(undefined, "e1"))]))[0]).toMatchObject({
      result: "written",
    });

    const [out] = await h.pipeline({ catalog })([delivery(leadMessage(undefined, "e2"))]);

    expect(out).toMatchObject({ action: "dead-letter", reason: expect.stringContaining("write cap") });
    expect(h.llm.calls).toBe(1);
    expect([...h.ledger.writes.keys()].some((k) => k.includes(`#none#email:${SENDER}`))).toBe(true);
  });

  it("a guard rejection leaves no quarantine note anywhere (there is no record yet)", async () => {
    h.llm.script.push({ value: { last_name: "", company: "Brightline" } });

    const [out] = await h.pipeline({ catalog: useCase(leadWithNoteAndTask) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "dead-letter" });
    expect(h.crm.notes).toEqual([]);
    expect(h.desk.comments).toEqual([]);
  });

  it("an empty plan (spam: nothing to write) completes with nothing written", async () => {
    const [out] = await h.pipeline({ catalog: useCase(() => []) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.crm.writes()).toEqual([]);
    expect([...h.jobs.items.values()][0]?.outcome).toMatchObject({ written: [] });
  });
});

describe("the stored plan reads the new kinds back", () => {
  it("crm-create, fromStep references, desk-ticket-create, created ids and per-call usage survive the job table", async () => {
    const { StoredPlanSchema } = await import("../../../shared/schemas/stored-plan.js");
    const plan = {
      writes: [
        newLead({ last_name: "Okafor", company: "Brightline" }),
        {
          kind: "crm-task",
          module: "Leads",
          id: { fromStep: 0 },
          subject: "s",
          ownerId: "5000000000000000001",
        },
        { kind: "desk-ticket-create", subject: "s", description: "d", email: SENDER },
      ],
      done: [0],
      created: { "0": "5000000000000000042" },
      audit: {
        model: "m",
        promptVersion: "p",
        jobId: "j",
        usage: { promptTokens: 1, completionTokens: 1 },
        calls: [{ label: "reduce", promptTokens: 1, completionTokens: 1, costMicros: 0.5 }],
        mappings: [],
      },
      auditStep: { kind: "crm-note", module: "Leads", id: { fromStep: 0 }, done: false },
      capSlot: null,
    };

    expect(StoredPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });
});
