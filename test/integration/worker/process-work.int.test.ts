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
