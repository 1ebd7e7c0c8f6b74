/**
 * The pipeline against the real Zoho client (through the Zoho ports) and sandbox, with in-memory job store, ledger and model, to
 * reach the moments end-to-end tests cannot: a crash between the Zoho writes and marking the job done, a failed
 * audit note, the write cap before the model call, a dead-lettered job's duplicates and its one replay.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createZohoPorts } from "../../../shared/adapters/zoho/ports.js";
import { LlmOutputError } from "../../../shared/errors.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { FieldMetadataCache } from "../../../shared/pipeline/field-metadata-cache.js";
import {
  type Decision,
  makePipeline,
  type PipelineConfig,
  type WorkRecord,
} from "../../../shared/pipeline/index.js";
import { systemClock } from "../../../shared/ports/clock.js";
import type { Llm } from "../../../shared/ports/llm.js";
import { leadMessage, TEST_CONFIG } from "../../fakes/pipeline.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";
import { MemoryJobStore, MemoryLedger } from "../../helpers/fakes/memory-job-store.js";

const OUTPUT = {
  industry: null,
  icp_fit: "Strong",
  intent: "High",
  buying_stage: "Decision",
  score: 81,
  score_reason: "Budget approved.",
  summary: "Wants to buy.",
  suggestions: [],
};

/** A model that answers OUTPUT, or fails its schema while `malformed` > 0. */
class FakeLlm implements Llm {
  calls = 0;
  malformed = 0;
  async ask() {
    this.calls += 1;
    if (this.malformed > 0) {
      this.malformed -= 1;
      throw new LlmOutputError("output failed the schema: score: expected number");
    }
    return {
      value: OUTPUT,
      usage: { promptTokens: 100, completionTokens: 20 },
      model: "test-model",
    } as never;
  }
}

const baseConfig: PipelineConfig = { ...TEST_CONFIG, retryBaseMs: 10 };

let h: ConnectionHarness;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
afterAll(() => h.close());

let jobs: MemoryJobStore;
let ledger: MemoryLedger;
let llm: FakeLlm;
beforeEach(() => {
  jobs = new MemoryJobStore();
  ledger = new MemoryLedger();
  llm = new FakeLlm();
});

function worker(config: Partial<PipelineConfig> = {}) {
  const zoho = createZohoPorts(h.container().zoho);
  return makePipeline({
    llm,
    jobs,
    ledger,
    metadata: new FieldMetadataCache(systemClock),
    zohoFor: () => zoho,
    clock: systemClock,
    logger: createLogger("test"),
    metrics: { count: () => {} },
    config: { ...baseConfig, ...config },
  });
}

const leadId = (i: number) => [...h.sandbox.state.crm.table("Leads").keys()][i] as string;

const delivery = (body: string, receiveCount = 1, extra: Partial<WorkRecord> = {}): WorkRecord => ({
  messageId: `m-${randomUUID()}`,
  body,
  receiveCount,
  deferrals: 0,
  ...extra,
});
const leadUpdates = (id: string) =>
  (h.sandbox.inspect().writes as { module: string; operation: string; ids: string[] }[]).filter(
    (w) => w.module === "Leads" && w.operation === "update" && w.ids.includes(id),
  );
const notes = (id: string) =>
  [...h.sandbox.state.crm.table("Notes").values()].filter((n) => (n.Parent_Id as { id: string }).id === id);
const aiNotes = (id: string) => notes(id).filter((n) => n.Note_Title === "AI update");

/** Makes the sandbox answer the next `times` audit-note inserts with `reply`, then restores it. */
function failNotes(times: number, reply: { status: number; body: unknown }) {
  const crm = h.sandbox.state.crm;
  const real = crm.write.bind(crm);
  let left = times;
  crm.write = (...args: Parameters<typeof real>) => {
    if (args[0] === "Notes" && args[1] === "insert" && left > 0) {
      left -= 1;
      if (left === 0) crm.write = real;
      return reply as ReturnType<typeof real>;
    }
    return real(...args);
  };
}

describe("a crash between the Zoho writes and marking the job done", () => {
  it("retries only that record, and the retry neither writes the update nor the note again", async () => {
    const processWork = worker();
    const id = leadId(2);
    const body = leadMessage(id);
    jobs.failNext.push("complete");

    const first = await processWork([{ messageId: "m1", body, receiveCount: 1, deferrals: 0 }]);
    const second = await processWork([{ messageId: "m1", body, receiveCount: 2, deferrals: 0 }]);

    expect(first).toEqual([
      {
        messageId: "m1",
        action: "retry",
        delayMs: expect.any(Number),
        reason: expect.stringMatching(/job store/),
      },
    ]);
    expect(second).toEqual([{ messageId: "m1", action: "ack", result: "written" }]);
    expect(leadUpdates(id)).toHaveLength(1);
    expect(notes(id)).toHaveLength(1);
    expect(llm.calls).toBe(1);
  });
});

describe("the per-record AI write cap is checked before the model call (issue 9, defect 1)", () => {
  it("a unit refused for the cap costs no model call", async () => {
    const processWork = worker({ recordWriteCap: 1 });
    const id = leadId(3);

    const first = await processWork([delivery(leadMessage(id, "t1"))]);
    const second = await processWork([delivery(leadMessage(id, "t2"))]);

    expect(first[0]).toMatchObject({ action: "ack", result: "written" });
    expect(second[0]).toMatchObject({
      action: "dead-letter",
      reason: "AI write cap of 1 per record per day reached (loop breaker)",
    });
    expect(llm.calls).toBe(1);
    expect(leadUpdates(id)).toHaveLength(1);
  });

  it("a unit that fails after taking its slot gives it back; a retried plan does not take a second one", async () => {
    const processWork = worker({ recordWriteCap: 1 });
    const id = leadId(4);
    const recordKey = `default#Leads#${id}`;
    llm.malformed = 2;

    // The model fails its schema twice: dead letter, nothing written, the record's day is not used up.
    const failed = await processWork([delivery(leadMessage(id, "t1"))]);
    expect(failed[0]).toMatchObject({
      action: "dead-letter",
      reason: expect.stringMatching(/^model output/),
    });
    expect(ledger.count(recordKey)).toBe(0);

    // The next trigger's write fails once at Zoho (500), is retried from its plan and written: one slot in all.
    const crm = h.sandbox.state.crm;
    const real = crm.write.bind(crm);
    let puts = 0;
    crm.write = (...args: Parameters<typeof real>) => {
      if (args[0] === "Leads" && args[1] === "update" && ++puts === 1)
        return {
          status: 500,
          body: { code: "INTERNAL_ERROR", details: {}, message: "oops", status: "error" },
        } as ReturnType<typeof real>;
      return real(...args);
    };
    const body = leadMessage(id, "t2");
    try {
      expect((await processWork([delivery(body, 1)]))[0]).toMatchObject({ action: "retry" });
      expect((await processWork([delivery(body, 2)]))[0]).toMatchObject({ action: "ack", result: "written" });
    } finally {
      crm.write = real;
    }
    expect(ledger.count(recordKey)).toBe(1);
    expect(leadUpdates(id)).toHaveLength(1);
  });
});

describe("the audit note is a recorded, retried step of the plan (issue 9, defect 10)", () => {
  it.each([
    [
      "Zoho 500",
      1,
      { status: 500, body: { code: "INTERNAL_ERROR", details: {}, message: "oops", status: "error" } },
    ],
    [
      "401 twice",
      2,
      {
        status: 401,
        body: { code: "INVALID_TOKEN", details: {}, message: "invalid oauth token", status: "error" },
      },
    ],
  ])(
    "a note refused with %s: not done, retried, the update written once and one note",
    async (_, times, reply) => {
      const processWork = worker();
      const id = leadId(5 + times);
      const body = leadMessage(id);
      failNotes(times, reply);

      const first = await processWork([delivery(body, 1)]);
      expect(first[0]).toMatchObject({ action: "retry" });
      expect(leadUpdates(id)).toHaveLength(1);
      expect(aiNotes(id)).toHaveLength(0);
      expect([...jobs.items.values()][0]?.status).not.toBe("DONE");

      const second = await processWork([delivery(body, 2)]);
      expect(second[0]).toMatchObject({ action: "ack", result: "written" });
      expect(leadUpdates(id)).toHaveLength(1);
      expect(aiNotes(id)).toHaveLength(1);
      expect(aiNotes(id)[0]?.Note_Content).toMatch(/^AI lead-enrichment by zoho-gpt-mediator\n/);
      expect(llm.calls).toBe(1);
    },
  );

  it("a note written but not recorded (the job store failed): the retry finds it and writes no second one", async () => {
    const processWork = worker();
    const id = leadId(9);
    const body = leadMessage(id);
    // savePlan: 1) the plan, 2) the update done, 3) the note done <- fails.
    const original = jobs.savePlan.bind(jobs);
    let saves = 0;
    jobs.savePlan = async (key, plan) => {
      if (++saves === 3)
        throw new (await import("../../../shared/errors.js")).UpstreamUnavailableError("aws", "down");
      return original(key, plan);
    };

    const first = await processWork([delivery(body, 1)]);
    const second = await processWork([delivery(body, 2)]);

    expect(first[0]).toMatchObject({ action: "retry" });
    expect(second[0]).toMatchObject({ action: "ack", result: "written" });
    expect(leadUpdates(id)).toHaveLength(1);
    expect(aiNotes(id)).toHaveLength(1);
  });

  it("AUDIT_MODE=field carries the audit in the update itself: no note, done at once", async () => {
    const processWork = worker({ audit: { mode: "field", field: "AI_Audit" } });
    const id = leadId(10);

    const out = await processWork([delivery(leadMessage(id))]);

    expect(out[0]).toMatchObject({ action: "ack", result: "written" });
    expect(aiNotes(id)).toHaveLength(0);
    expect(h.sandbox.state.crm.table("Leads").get(id)?.AI_Audit).toMatch(/^AI lead-enrichment by/);
  });
});

describe("a dead-lettered job is kept, and only its replay runs it again (issue 9, defect 11)", () => {
  it("duplicates are acknowledged without work; the replay runs once; a second replay of it does nothing", async () => {
    const processWork = worker();
    const id = leadId(11);
    const body = leadMessage(id);
    llm.malformed = 2;

    const [dead] = (await processWork([delivery(body)])) as [Decision];
    expect(dead).toMatchObject({ action: "dead-letter", deadLetterId: expect.any(String) });
    const deadLetterId = (dead as Extract<Decision, { action: "dead-letter" }>).deadLetterId;
    expect([...jobs.items.values()][0]).toMatchObject({
      status: "DEAD_LETTERED",
      reason: expect.stringMatching(/^model output failed twice/),
    });

    // A later duplicate delivery of the same event: acknowledged, no model call, nothing written.
    expect((await processWork([delivery(body)]))[0]).toMatchObject({ action: "ack", result: "duplicate" });
    // A "replay" naming another dead letter does not unlock it either.
    expect((await processWork([delivery(body, 1, { replayId: randomUUID() })]))[0]).toMatchObject({
      action: "ack",
      result: "duplicate",
    });
    expect(llm.calls).toBe(2);
    expect(leadUpdates(id)).toHaveLength(0);

    // The replay of this dead letter runs it once (the model is fine now) ...
    const replay = delivery(body, 1, { replayId: deadLetterId });
    expect((await processWork([replay]))[0]).toMatchObject({ action: "ack", result: "written" });
    // ... and the same replay delivered again, or another duplicate, does nothing.
    expect((await processWork([{ ...replay, receiveCount: 2 }]))[0]).toMatchObject({ result: "duplicate" });
    expect((await processWork([delivery(body)]))[0]).toMatchObject({ result: "duplicate" });
    expect(llm.calls).toBe(3);
    expect(leadUpdates(id)).toHaveLength(1);
    expect(aiNotes(id)).toHaveLength(1);
  });

  it("the dead-lettered message itself back (its move to the dead-letter queue failed): dead-lettered again", async () => {
    const processWork = worker();
    const id = leadId(13);
    const body = leadMessage(id);
    llm.malformed = 2;
    const first = delivery(body);

    const [dead] = (await processWork([first])) as [Extract<Decision, { action: "dead-letter" }>];
    // The handler could not send it to the dead-letter queue, so SQS delivers the same message again.
    const again = await processWork([{ ...first, receiveCount: 2 }]);
    const duplicate = await processWork([delivery(body)]);

    expect(again).toEqual([
      {
        messageId: first.messageId,
        action: "dead-letter",
        reason: dead.reason,
        deadLetterId: dead.deadLetterId,
      },
    ]);
    expect(duplicate[0]).toMatchObject({ action: "ack", result: "duplicate" });
    expect(llm.calls).toBe(2);
  });

  it("a replay of a job that had written something resumes its plan instead of writing again", async () => {
    const processWork = worker({ maxReceiveCount: 1 });
    const id = leadId(12);
    const body = leadMessage(id);
    // The update is written, then the note fails and the unit is out of receives: dead-lettered, partly written.
    failNotes(1, {
      status: 500,
      body: { code: "INTERNAL_ERROR", details: {}, message: "oops", status: "error" },
    });

    const [dead] = (await processWork([delivery(body)])) as [Extract<Decision, { action: "dead-letter" }>];
    expect(dead.action).toBe("dead-letter");
    expect(leadUpdates(id)).toHaveLength(1);

    const out = await processWork([delivery(body, 1, { replayId: dead.deadLetterId })]);

    expect(out[0]).toMatchObject({ action: "ack", result: "written" });
    expect(leadUpdates(id)).toHaveLength(1);
    expect(aiNotes(id)).toHaveLength(1);
    expect(llm.calls).toBe(1);
  });
});

describe("partial writes", () => {
  const run = async (value: Record<string, unknown>, index: number) => {
    const answering: Llm = {
      ask: async () =>
        ({ value, usage: { promptTokens: 1, completionTokens: 1 }, model: "test-model" }) as never,
    };
    const zoho = createZohoPorts(h.container().zoho);
    const processWork = makePipeline({
      llm: answering,
      jobs: new MemoryJobStore(),
      ledger,
      metadata: new FieldMetadataCache(systemClock),
      zohoFor: () => zoho,
      clock: systemClock,
      logger: createLogger("test"),
      metrics: { count: () => {} },
      config: baseConfig,
    });
    const id = [...h.sandbox.state.crm.table("Leads").keys()][index] as string;
    const before = { ...(h.sandbox.state.crm.find("Leads", id) as Record<string, unknown>) };
    const body = JSON.stringify({
      v: 1,
      jobId: `0c0c0c0c-0c0c-8c0c-8c0c-0c0c0c0c0c0${index}`,
      useCase: "lead-enrichment",
      connection: "default",
      source: "crm-workflow",
      dedupKey: `crm:Leads:${id}:partial`,
      receivedAt: new Date().toISOString(),
      subject: { service: "crm", module: "Leads", id },
      input: { module: "Leads", id },
    });
    const decisions = await processWork([{ messageId: "m", body, receiveCount: 1, deferrals: 0 }]);
    const lead = h.sandbox.state.crm.find("Leads", id) as Record<string, unknown>;
    const notes = [...h.sandbox.state.crm.table("Notes").values()].filter(
      (n) => (n.Parent_Id as { id: string }).id === id,
    );
    return { decisions, lead, before, notes };
  };
  const answer = {
    icp_fit: "Strong",
    intent: "High",
    buying_stage: "Decision",
    score: 64,
    score_reason: "x".repeat(2_500),
    summary: "Wants to buy.",
  };

  it("leaves out a value an optional field would refuse, writes the rest, and the audit note names what was left out", async () => {
    const { decisions, lead, before, notes } = await run(answer, 4);

    expect(decisions).toEqual([{ messageId: "m", action: "ack", result: "written" }]);
    expect(lead).toMatchObject({ AI_ICP_Fit: "Strong", AI_Score: 64, AI_Summary: "Wants to buy." });
    // Left out: the record keeps what it had (other tests may have enriched this lead before).
    expect(lead.AI_Score_Reason ?? null).toBe(before.AI_Score_Reason ?? null);
    expect(notes.at(-1)?.Note_Content).toMatch(
      /not written \(the field would refuse it\): AI_Score_Reason: longer than 2000 characters/,
    );
  });

  it("quarantines the whole write when a required value would be refused", async () => {
    const { decisions, lead, before } = await run({ ...answer, icp_fit: "Excellent" }, 5);

    expect(decisions).toEqual([
      {
        messageId: "m",
        action: "dead-letter",
        reason: expect.stringMatching(/^write guard rejected the model output: AI_ICP_Fit: "Excellent"/),
        deadLetterId: expect.any(String),
      },
    ]);
    expect(lead.AI_Score ?? null).toBe(before.AI_Score ?? null);
  });
});
