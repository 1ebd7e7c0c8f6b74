/**
 * The worker pipeline against the real Zoho client and sandbox, with in-memory job store, ledger and model, to
 * reach the moments end-to-end tests cannot: a crash between the Zoho writes and marking the job done.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../shared/observability/logger.js";
import { systemClock } from "../../../shared/ports/clock.js";
import type { ClaimResult, JobStore, StoredPlan } from "../../../shared/ports/job-store.js";
import type { Ledger } from "../../../shared/ports/ledger.js";
import type { Llm } from "../../../shared/ports/llm.js";
import { makeProcessWork, type WorkerConfig } from "../../../shared/use-cases/process-work.js";
import { buildRegistry } from "../../../shared/use-cases/worker/registry.js";
import { FieldMetadata } from "../../../shared/worker/field-metadata.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

class MemoryJobs implements JobStore {
  readonly items = new Map<
    string,
    { status: "IN_PROGRESS" | "DONE"; leaseUntil: number; plan?: StoredPlan }
  >();
  failCompleteOnce = false;
  async claim(key: string, _jobId: string, leaseMs: number): Promise<ClaimResult> {
    const item = this.items.get(key);
    if (item?.status === "DONE") return { status: "done" };
    if (item && item.leaseUntil > Date.now()) return { status: "busy" };
    this.items.set(key, {
      status: "IN_PROGRESS",
      leaseUntil: Date.now() + leaseMs,
      ...(item?.plan ? { plan: structuredClone(item.plan) } : {}),
    });
    return item?.plan ? { status: "claimed", plan: structuredClone(item.plan) } : { status: "claimed" };
  }
  async savePlan(key: string, plan: StoredPlan) {
    const item = this.items.get(key);
    if (item) item.plan = structuredClone(plan);
  }
  async complete(key: string) {
    if (this.failCompleteOnce) {
      this.failCompleteOnce = false;
      const { UpstreamUnavailableError } = await import("../../../shared/errors.js");
      throw new UpstreamUnavailableError("aws", "DynamoDB job store call failed (test)");
    }
    this.items.set(key, { status: "DONE", leaseUntil: 0 });
  }
  async release(key: string) {
    const item = this.items.get(key);
    if (item) item.leaseUntil = 0;
  }
  async forget(key: string) {
    this.items.delete(key);
  }
}

const ledger: Ledger = {
  countRecordWrite: async () => true,
  tokensSpent: async () => 0,
  addUsage: async () => {},
};
let modelCalls = 0;
const llm: Llm = {
  complete: async () => {
    modelCalls += 1;
    return {
      value: {
        industry: null,
        icp_fit: "Strong",
        intent: "High",
        buying_stage: "Decision",
        score: 81,
        score_reason: "Budget approved.",
        summary: "Wants to buy.",
        suggestions: [],
      },
      usage: { promptTokens: 100, completionTokens: 20 },
      model: "test-model",
    } as never;
  },
};
const config: WorkerConfig = {
  modelFor: () => "test-model",
  maxReceiveCount: 5,
  maxDeferrals: 10,
  recordWriteCap: 3,
  tokenBudgetPerDay: () => Number.POSITIVE_INFINITY,
  creditsLowWater: 0,
  audit: { mode: "note", field: "AI_Audit" },
  quarantineNote: true,
  sendReplies: { enabled: false, fromAddress: null },
  price: () => ({ prompt: 0, completion: 0 }),
  leaseMs: 60_000,
  retryBaseMs: 10,
};

let h: ConnectionHarness;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
afterAll(() => h.close());

describe("a crash between the Zoho writes and marking the job done", () => {
  it("retries only that record, and the retry neither writes the update nor the note again", async () => {
    const jobs = new MemoryJobs();
    const { zoho } = h.container();
    const processWork = makeProcessWork({
      registry: buildRegistry(),
      llm,
      jobs,
      ledger,
      metadata: new FieldMetadata(systemClock),
      zohoFor: () => zoho,
      clock: systemClock,
      logger: createLogger("test"),
      metrics: { count: () => {} },
      config,
    });
    const id = [...h.sandbox.state.crm.table("Leads").keys()][2] as string;
    const body = JSON.stringify({
      v: 1,
      jobId: "0b0b0b0b-0b0b-8b0b-8b0b-0b0b0b0b0b0b",
      useCase: "lead-enrichment",
      connection: "default",
      source: "crm-workflow",
      dedupKey: `crm:Leads:${id}:t1`,
      receivedAt: new Date().toISOString(),
      subject: { service: "crm", module: "Leads", id },
      input: { module: "Leads", id },
    });
    jobs.failCompleteOnce = true;
    const leadUpdates = () =>
      (h.sandbox.inspect().writes as { module: string; operation: string; ids: string[] }[]).filter(
        (w) => w.module === "Leads" && w.operation === "update" && w.ids.includes(id),
      );
    const notes = () =>
      [...h.sandbox.state.crm.table("Notes").values()].filter(
        (n) => (n.Parent_Id as { id: string }).id === id,
      );

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
    expect(leadUpdates()).toHaveLength(1);
    expect(notes()).toHaveLength(1);
    expect(modelCalls).toBe(1);
  });
});

describe("partial writes", () => {
  const run = async (value: Record<string, unknown>, index: number) => {
    const answering: Llm = {
      complete: async () =>
        ({ value, usage: { promptTokens: 1, completionTokens: 1 }, model: "test-model" }) as never,
    };
    const { zoho } = h.container();
    const processWork = makeProcessWork({
      registry: buildRegistry(),
      llm: answering,
      jobs: new MemoryJobs(),
      ledger,
      metadata: new FieldMetadata(systemClock),
      zohoFor: () => zoho,
      clock: systemClock,
      logger: createLogger("test"),
      metrics: { count: () => {} },
      config,
    });
    const id = [...h.sandbox.state.crm.table("Leads").keys()][index] as string;
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
    return { decisions, lead, notes };
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
    const { decisions, lead, notes } = await run(answer, 4);

    expect(decisions).toEqual([{ messageId: "m", action: "ack", result: "written" }]);
    expect(lead).toMatchObject({ AI_ICP_Fit: "Strong", AI_Score: 64, AI_Summary: "Wants to buy." });
    expect(lead.AI_Score_Reason ?? null).toBeNull();
    expect(notes.at(-1)?.Note_Content).toMatch(
      /not written \(the field would refuse it\): AI_Score_Reason: longer than 2000 characters/,
    );
  });

  it("quarantines the whole write when a required value would be refused", async () => {
    const { decisions, lead } = await run({ ...answer, icp_fit: "Excellent" }, 5);

    expect(decisions).toEqual([
      {
        messageId: "m",
        action: "dead-letter",
        reason: expect.stringMatching(/^write guard rejected the model output: AI_ICP_Fit: "Excellent"/),
      },
    ]);
    expect(lead.AI_Score ?? null).toBeNull();
  });
});
