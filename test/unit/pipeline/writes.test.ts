/**
 * The write stage against the port fakes: CRM writes batched across a batch (100 per call), `"trigger": []` on every
 * CRM write, one writer per kind of planned write, resuming a partly written plan after a crash, the audit trail
 * in either mode.
 */
import { beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import type { PlannedWrite } from "../../../shared/domain/planned-write.js";
import { UpstreamUnavailableError } from "../../../shared/errors.js";
import type { UseCaseDescriptor, UseCaseWork } from "../../../shared/use-cases/descriptor.js";
import { leadEnrichment } from "../../../shared/use-cases/lead-enrichment/index.js";
import {
  delivery,
  LEAD_ID,
  leadMessage,
  PipelineHarness,
  TICKET_ID,
  ticketMessage,
} from "../../fakes/pipeline.js";

let h: PipelineHarness;
beforeEach(() => {
  h = new PipelineHarness();
});

const leadIds = (count: number) => Array.from({ length: count }, (_, i) => String(4_100_000_000_000 + i));

describe("CRM writes are batched across the batch", () => {
  it("101 lead updates go out in 2 calls (100 + 1), and so do their 101 audit notes", async () => {
    const ids = leadIds(101);
    for (const id of ids) h.crm.put("Leads", { id, Last_Name: `L${id}` });
    // One wave (the batch's default waves are 25 units, two from four model rounds on: see the batch tests).
    h.config = { ...h.config, waveSize: 101, modelConcurrency: 30 };

    const out = await h.run(...ids.map((id) => delivery(leadMessage(id))));

    expect(out.every((d) => d.action === "ack" && d.result === "written")).toBe(true);
    const updates = h.crm.writes().filter((c) => c.method === "updateRecords");
    expect(updates.map((c) => (c.method === "updateRecords" ? c.records.length : 0))).toEqual([100, 1]);
    const notes = h.crm.writes().filter((c) => c.method === "createNotes");
    expect(notes.map((c) => (c.method === "createNotes" ? c.notes.length : 0))).toEqual([100, 1]);
  });

  it("one refused record of a batch dead-letters only that unit; the others are written with their notes", async () => {
    const ids = leadIds(3);
    for (const id of ids) h.crm.put("Leads", { id, Last_Name: "x" });
    h.crm.refuse("updateRecords", (r) => (r as { id: string }).id === ids[1], {
      code: "DUPLICATE_DATA",
      message: "duplicate data",
    });

    const out = await h.run(...ids.map((id) => delivery(leadMessage(id))));

    expect(out.map((d) => d.action)).toEqual(["ack", "dead-letter", "ack"]);
    expect(h.crm.notes.filter((n) => n.title === "AI update").map((n) => n.recordId)).toEqual([
      ids[0],
      ids[2],
    ]);
  });
});

describe('"trigger": [] is never missing', () => {
  it("every CRM write goes through a port call that carries it, and no update can smuggle anything else", async () => {
    await h.run(delivery(leadMessage()));

    expect(h.crm.writes().length).toBeGreaterThan(0);
    for (const call of h.crm.writes()) expect(call.trigger).toEqual([]);
    for (const call of h.crm.writes())
      if (call.method === "updateRecords")
        for (const record of call.records)
          expect(Object.keys(record).filter((k) => k === "trigger" || k.startsWith("$"))).toEqual([]);
    await expect(h.crm.updateRecords("Leads", [{ id: LEAD_ID, trigger: ["workflow"] }])).rejects.toThrow(
      /trigger/,
    );
  });

  it("the fake refuses more than 100 items per call, as the adapter does", async () => {
    const records = leadIds(101).map((id) => ({ id }));
    await expect(h.crm.updateRecords("Leads", records)).rejects.toThrow(/at most 100/);
  });
});

describe("a partly written plan resumes after a crash", () => {
  it("the update written, the worker gone before the note: the redelivery writes only the note, once", async () => {
    const body = leadMessage();
    h.crm.failNext("createNotes", new UpstreamUnavailableError("zoho-crm", "500"));
    // The worker "crashes" after the update: its retry decision never reaches SQS, its lease runs out.
    await h.run(delivery(body, 1));
    h.clock.advance(h.config.leaseMs + 1);

    const [out] = await h.run(delivery(body, 2));

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.crm.writes().filter((c) => c.method === "updateRecords")).toHaveLength(1);
    expect(h.crm.notes.filter((n) => n.title === "AI update")).toHaveLength(1);
    expect(h.llm.calls).toBe(1);
  });

  it("a note written but not recorded (the job store failed): the resumed plan finds it and writes no second one", async () => {
    const body = leadMessage();
    const save = h.jobs.savePlan.bind(h.jobs);
    let saves = 0;
    h.jobs.savePlan = async (key, plan) => {
      // 1) the plan, 2) the update done, 3) the note done <- fails.
      if (++saves === 3) throw new UpstreamUnavailableError("aws", "down");
      return save(key, plan);
    };

    expect((await h.run(delivery(body, 1)))[0]).toMatchObject({ action: "retry" });
    expect((await h.run(delivery(body, 2)))[0]).toMatchObject({ action: "ack", result: "written" });
    expect(h.crm.calls.filter((c) => c.method === "listNotes")).toHaveLength(1);
    expect(h.crm.notes.filter((n) => n.title === "AI update")).toHaveLength(1);
  });

  it("Desk: a failed draft after the fields and the comment: the retry posts only the draft", async () => {
    h.desk.failNext("draftReply", new UpstreamUnavailableError("zoho-desk", "500"));
    const body = ticketMessage();

    expect((await h.run(delivery(body, 1)))[0]).toMatchObject({ action: "retry" });
    expect((await h.run(delivery(body, 2)))[0]).toMatchObject({ result: "written" });

    expect(h.desk.writes().map((c) => c.method)).toEqual([
      "updateTicketFields",
      "addPrivateComment",
      "draftReply",
      "draftReply",
    ]);
    expect(h.desk.comments).toHaveLength(1);
    expect(h.desk.drafts).toHaveLength(1);
  });
});

describe("the audit trail", () => {
  it("AUDIT_MODE=field: carried in the update itself, no note", async () => {
    h.config = { ...h.config, audit: { mode: "field", field: "AI_Audit" } };

    expect((await h.run(delivery(leadMessage())))[0]).toMatchObject({ result: "written" });
    expect(h.crm.notes).toEqual([]);
    expect(h.crm.find("Leads", LEAD_ID)?.AI_Audit).toMatch(/^AI lead-enrichment by zoho-gpt-mediator/);
  });

  it("a refused audit note dead-letters the unit with Zoho's code (the update stays written)", async () => {
    h.crm.refuse("createNotes", () => true, { code: "INVALID_DATA", message: "bad parent" });

    const [out] = await h.run(delivery(leadMessage()));

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: "Zoho rejected the audit note (the update is written): INVALID_DATA {}",
    });
    expect(h.metrics.get("AuditNoteFailed")).toBe(1);
  });
});

describe("Desk replies", () => {
  it("sent instead of drafted when the deployment opts in and the ticket has an address", async () => {
    h.config = { ...h.config, sendReplies: { enabled: true, fromAddress: null } };

    expect((await h.run(delivery(ticketMessage())))[0]).toMatchObject({ result: "written" });
    expect(h.desk.sent).toEqual([
      expect.objectContaining({
        ticketId: TICKET_ID,
        to: "ada@example.com",
        fromEmailAddress: "support@example.com",
      }),
    ]);
    expect(h.desk.drafts).toEqual([]);
  });
});

describe("CRM notes and tasks as planned writes", () => {
  /** A use case (in the lead's place in the catalog) that plans a note and a task on the lead. */
  const noteAndTask: UseCaseWork<{ id: string }, { id: string }> = {
    promptVersion: "test/1",
    inputSchema: z.looseObject({ id: z.string() }),
    load: async (_ctx, input) => ({ id: input.id }),
    schemaFor: () => z.object({ note: z.string(), task: z.string() }),
    prompt: () => ({ system: "s", user: "u" }),
    plan: (output, loaded): PlannedWrite[] => [
      {
        kind: "crm-note",
        module: "Leads",
        id: loaded.id,
        title: "Call summary",
        content: String(output.note),
      },
      {
        kind: "crm-task",
        module: "Leads",
        id: loaded.id,
        subject: String(output.task),
        dueDate: "2026-12-01",
      },
    ],
    auditTarget: (loaded) => ({ service: "crm", module: "Leads", id: loaded.id }),
  };
  const { mapping: _unmapped, ...lead } = leadEnrichment;
  const catalog: UseCaseDescriptor[] = [{ ...lead, work: () => noteAndTask }];

  it("each through its own batched port call, recorded as done steps, the job done", async () => {
    h.llm.script.push({ value: { note: "Discussed pricing.", task: "Send the quote" } });

    const [out] = await h.pipeline({ catalog })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.crm.notes).toEqual([expect.objectContaining({ recordId: LEAD_ID, title: "Call summary" })]);
    expect(h.crm.tasks).toEqual([
      expect.objectContaining({
        module: "Leads",
        recordId: LEAD_ID,
        subject: "Send the quote",
        dueDate: "2026-12-01",
      }),
    ]);
    expect([...h.jobs.items.values()][0]).toMatchObject({
      status: "DONE",
      outcome: { written: ["crm-note", "crm-task"] },
    });
  });

  it("an empty note is refused by the guard before anything is written", async () => {
    h.llm.script.push({ value: { note: "", task: "Send the quote" } });

    const [out] = await h.pipeline({ catalog })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: "write guard rejected the model output: crm-note: content must be 1 to 32000 characters",
    });
    expect(h.crm.tasks).toEqual([]);
  });
});
