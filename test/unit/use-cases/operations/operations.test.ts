/** The operations use cases' pure parts (issue 13): the price table, usage windows and sums, a job's details. */
import { describe, expect, it } from "vitest";
import { WorkerEnvSchema } from "../../../../shared/config/worker-env.js";
import {
  costMicrosOf,
  DEFAULT_MODEL_PRICES,
  formatUsd,
  MODEL_PRICES_AS_OF,
  mergePrices,
  priceOf,
} from "../../../../shared/domain/model-prices.js";
import type { StoredPlan } from "../../../../shared/ports/job-store.js";
import { viewOf } from "../../../../shared/use-cases/operations/dead-letters.js";
import { jobDetailsOf } from "../../../../shared/use-cases/operations/job-details.js";
import { summariseUsage, windowStart } from "../../../../shared/use-cases/operations/usage.js";
import { MemoryJobStore, MemoryLedger } from "../../../helpers/fakes/memory-job-store.js";

describe("model prices", () => {
  it("the default table is dated and prices the common models (micro-dollars per 1M tokens)", () => {
    expect(MODEL_PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(DEFAULT_MODEL_PRICES["gpt-4o-mini"]).toEqual({
      prompt: 150_000,
      completion: 600_000,
      cachedPrompt: 75_000,
    });
    for (const model of ["gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-5-mini"])
      expect(priceOf(model).prompt, model).toBeGreaterThan(0);
  });

  it("a dated snapshot takes its family's price; an unknown model costs 0 and says so", () => {
    expect(priceOf("gpt-4o-mini-2024-07-18")).toEqual({
      prompt: 150_000,
      completion: 600_000,
      cachedPrompt: 75_000,
      known: true,
    });
    expect(priceOf("gpt-4o-2024-08-06").prompt).toBe(2_500_000);
    expect(priceOf("my-fine-tune")).toEqual({ prompt: 0, completion: 0, known: false });
  });

  it("MODEL_PRICES overrides the table (defect 5: no longer 0 without it)", () => {
    const none = WorkerEnvSchema.parse({ ...baseEnv });
    expect(priceOf("gpt-4o-mini", none.MODEL_PRICES).prompt).toBe(150_000);
    expect(none.LEDGER_RETENTION_DAYS).toBe(400);
    const set = WorkerEnvSchema.parse({
      ...baseEnv,
      MODEL_PRICES: '{"gpt-4o-mini":{"prompt":1,"completion":2},"mine":{"prompt":3,"completion":4}}',
      LEDGER_RETENTION_DAYS: "30",
    });
    expect(set.MODEL_PRICES["gpt-4o-mini"]).toEqual({ prompt: 1, completion: 2 });
    expect(set.MODEL_PRICES.mine).toEqual({ prompt: 3, completion: 4 });
    expect(set.MODEL_PRICES["gpt-4.1"]).toEqual(DEFAULT_MODEL_PRICES["gpt-4.1"]);
    expect(set.LEDGER_RETENTION_DAYS).toBe(30);
    expect(() => WorkerEnvSchema.parse({ ...baseEnv, LEDGER_RETENTION_DAYS: "1" })).toThrow();
    expect(mergePrices({})).toEqual(DEFAULT_MODEL_PRICES);
  });

  it("costs and their display", () => {
    expect(costMicrosOf({ promptTokens: 1_000, completionTokens: 500 }, priceOf("gpt-4o-mini"))).toBe(450);
    expect(formatUsd(450)).toBe("$0.000450");
    expect(formatUsd(1_234_567)).toBe("$1.2346");
    expect(formatUsd(0)).toBe("$0.00");
  });
});

const baseEnv = {
  WORK_QUEUE_URL: "http://q/work",
  DEAD_LETTER_QUEUE_URL: "http://q/dlq",
  JOBS_TABLE: "jobs",
  LEDGER_TABLE: "ledger",
  REFRESHER_FUNCTION_NAME: "refresher",
  ZOHO_CONNECTION_SECRETS: "zoho-gpt-mediator/dev/zoho/default",
};

describe("usage", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  it("windows: Nd is today and the N-1 days before; a date; anything else is refused", () => {
    expect(windowStart("7d", now)).toBe("2026-11-24");
    expect(windowStart("1d", now)).toBe("2026-11-30");
    expect(windowStart("2026-11-01", now)).toBe("2026-11-01");
    for (const bad of ["0d", "week", "2026-13-01", "2026-02-30", ""])
      expect(windowStart(bad, now), bad).toBeUndefined();
  });

  it("sums the ledger's rows per use case or day; rows without a recorded cost are priced now", async () => {
    const ledger = new MemoryLedger();
    await ledger.addUsage(
      "lead-enrichment",
      "2026-11-29",
      { promptTokens: 1000, completionTokens: 100 },
      210,
    );
    await ledger.addUsage(
      "lead-enrichment",
      "2026-11-30",
      { promptTokens: 2000, completionTokens: 200 },
      420,
    );
    await ledger.addUsage("email-triage", "2026-11-30", { promptTokens: 1000, completionTokens: 1000 }, 0);
    await ledger.addUsage("email-triage", "2026-11-01", { promptTokens: 5, completionTokens: 5 }, 5);
    const rows = await ledger.usageBetween("2026-11-24", "2026-11-30");
    const price = () => priceOf("gpt-4o-mini");

    const byUseCase = summariseUsage(rows, "use-case", { from: "2026-11-24", to: "2026-11-30" }, price);
    expect(byUseCase.lines).toEqual([
      {
        key: "email-triage",
        calls: 1,
        promptTokens: 1000,
        completionTokens: 1000,
        costMicros: 750,
        estimated: true,
      },
      {
        key: "lead-enrichment",
        calls: 2,
        promptTokens: 3000,
        completionTokens: 300,
        costMicros: 630,
        estimated: false,
      },
    ]);
    expect(byUseCase.total).toEqual({
      calls: 3,
      promptTokens: 4000,
      completionTokens: 1300,
      costMicros: 1380,
      estimated: true,
    });
    const byDay = summariseUsage(rows, "day", { from: "2026-11-24", to: "2026-11-30" }, price);
    expect(byDay.lines.map((l) => [l.key, l.costMicros])).toEqual([
      ["2026-11-29", 210],
      ["2026-11-30", 1170],
    ]);
  });
});

describe("job details", () => {
  const plan: StoredPlan = {
    writes: [
      {
        kind: "crm-update",
        module: "Leads",
        id: "42",
        proposed: { AI_Score: 80, AI_Summary: "s" },
        allowList: [],
      },
      { kind: "crm-task", module: "Leads", id: "42", subject: "Call back" },
    ],
    done: [0],
    audit: {
      model: "gpt-4o-mini",
      promptVersion: "lead@3",
      jobId: "j1",
      usage: { promptTokens: 900, completionTokens: 100 },
      calls: [{ label: "score", promptTokens: 900, completionTokens: 100, costMicros: 195 }],
      mappings: ["score -> AI_Score"],
    },
    auditStep: { kind: "crm-note", module: "Leads", id: "42", done: false },
    capSlot: null,
  };

  it("a job part-way: its steps, which are done, the audit step, tokens and cost", async () => {
    const jobs = new MemoryJobStore(() => 0);
    await jobs.claim("conn|crm:Leads:42:t1", "j1", 1000);
    await jobs.savePlan("conn|crm:Leads:42:t1", plan);
    const status = await jobs.statusOf("j1");
    const details = jobDetailsOf(status as NonNullable<typeof status>);
    expect(details).toMatchObject({
      jobId: "j1",
      connection: "conn",
      status: "in-progress",
      trigger: "crm:Leads:42:t1",
      model: "gpt-4o-mini",
      steps: [
        { index: 0, kind: "crm-update", target: "Leads 42", fields: ["AI_Score", "AI_Summary"], done: true },
        { index: 1, kind: "crm-task", target: "Leads 42", fields: [], done: false },
      ],
      audit: { kind: "crm-note", done: false },
      written: [],
      promptTokens: 900,
      completionTokens: 100,
      costMicros: 195,
    });
  });

  it("a done job keeps its plan: steps, writes and the recorded audit", async () => {
    const jobs = new MemoryJobStore(() => 0);
    await jobs.claim("conn|flow:email-triage:k", "j2", 1000);
    await jobs.savePlan("conn|flow:email-triage:k", { ...plan, done: [0, 1] });
    await jobs.complete("conn|flow:email-triage:k", {
      ...plan.audit,
      written: ["AI_Score"],
      completedAt: "t",
    });
    const status = await jobs.statusOf("j2");
    const details = jobDetailsOf(status as NonNullable<typeof status>);
    expect(details.status).toBe("done");
    expect(details.useCase).toBe("email-triage");
    expect(details.steps.every((s) => s.done)).toBe(true);
    expect(details.written).toEqual(["AI_Score"]);
    expect(details.completedAt).toBe("t");
    expect(details.outcome?.promptVersion).toBe("lead@3");
  });
});

describe("a dead letter's view", () => {
  it("names the job, use case, subject (module and id), reason and receive count of a work message", () => {
    const body = JSON.stringify({
      v: 1,
      jobId: "8b7c3f0e-0000-4000-8000-000000000001",
      useCase: "lead-enrichment",
      subject: { service: "crm", module: "Leads", id: "5545974000001234001" },
    });
    const view = viewOf({
      messageId: "m-1",
      receiptHandle: "rh",
      body,
      attributes: {
        reason: { DataType: "String", StringValue: "model output failed twice" },
        receiveCount: { DataType: "Number", StringValue: "5" },
        deadLetterId: { DataType: "String", StringValue: "dl-1" },
      },
    });
    expect(view).toMatchObject({
      id: "dl-1",
      jobId: "8b7c3f0e-0000-4000-8000-000000000001",
      useCase: "lead-enrichment",
      subject: "Leads 5545974000001234001",
      reason: "model output failed twice",
      receiveCount: 5,
    });
    expect(viewOf({ messageId: "m-2", receiptHandle: "rh", body: "not json", attributes: {} })).toMatchObject(
      {
        id: "sqs:m-2",
        subject: undefined,
      },
    );
  });
});
