/** The stages that decide without Zoho: the record, the claim, the stored plan's schema, the registry. */
import { describe, expect, it } from "vitest";
import { LlmOutputError, UpstreamUnavailableError, WorkMustWaitError } from "../../../shared/errors.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { makeWriteCap } from "../../../shared/pipeline/cap.js";
import { makeDecider } from "../../../shared/pipeline/decide.js";
import { readMessage } from "../../../shared/pipeline/record.js";
import { buildRegistry, noWorkReason } from "../../../shared/pipeline/registry.js";
import { StoredPlanSchema } from "../../../shared/schemas/stored-plan.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { FakeMetrics } from "../../fakes/metrics.js";
import { TEST_CONFIG } from "../../fakes/pipeline.js";
import { MemoryJobStore, MemoryLedger } from "../../helpers/fakes/memory-job-store.js";

const record = { messageId: "m", body: "{}", receiveCount: 1, deferrals: 0 };

describe("decide", () => {
  const decider = () => {
    const jobs = new MemoryJobStore();
    const metrics = new FakeMetrics();
    const d = makeDecider(
      { jobs, metrics, logger: createLogger("test"), config: TEST_CONFIG },
      () => {},
      makeWriteCap(new MemoryLedger(), 3),
      new Map(),
    );
    return { ...d, jobs, metrics };
  };

  it("a passing fault is retried with the backoff; a bug too, until the receives run out", async () => {
    const d = decider();
    expect(await d.decide({ record }, new UpstreamUnavailableError("zoho-crm", "503"))).toMatchObject({
      action: "retry",
      delayMs: 1_000,
    });
    expect(
      await d.decide({ record: { ...record, receiveCount: 3 } }, new TypeError("x is undefined")),
    ).toMatchObject({
      action: "retry",
      delayMs: 4_000,
      reason: "TypeError: x is undefined",
    });
    expect(
      await d.decide(
        { record: { ...record, receiveCount: TEST_CONFIG.maxReceiveCount } },
        new TypeError("bug"),
      ),
    ).toMatchObject({ action: "dead-letter" });
  });

  it("a wait is deferred without using up receives, and dead-lettered after MAX_DEFERRALS", async () => {
    const d = decider();
    const wait = new WorkMustWaitError("budget", { retryAfterMs: 60_000 });
    expect(await d.decide({ record: { ...record, receiveCount: 99 } }, wait)).toMatchObject({
      action: "defer",
      delayMs: 60_000,
    });
    expect(
      await d.decide({ record: { ...record, deferrals: TEST_CONFIG.maxDeferrals } }, wait),
    ).toMatchObject({
      action: "dead-letter",
      reason: "WorkMustWaitError: budget",
    });
  });

  it("a dead letter that cannot be recorded stays on the queue (retry), so nothing is lost", async () => {
    const d = decider();
    d.jobs.failNext.push("deadLetter");

    expect(await d.quarantine({ record, key: "k" }, "model output failed twice")).toMatchObject({
      action: "retry",
      reason: "could not record the dead letter (model output failed twice)",
    });
  });

  it("a model error that is not the second failure is a passing fault", async () => {
    expect(await decider().decide({ record }, new LlmOutputError("bad"))).toMatchObject({ action: "retry" });
  });
});

describe("the record", () => {
  it("reads a work message of schema v1, and nothing else", () => {
    expect(readMessage({ ...record, body: "not json" })).toBeUndefined();
    expect(readMessage({ ...record, body: JSON.stringify({ v: 2 }) })).toBeUndefined();
  });
});

describe("the registry", () => {
  it("is built from the catalog: each use case's work with its field map, its mapping with the map applied", () => {
    const registry = buildRegistry(USE_CASE_CATALOG, (d) =>
      d.name === "lead-enrichment" ? { score: "Score__c" } : {},
    );

    expect([...registry.keys()]).toEqual(USE_CASE_CATALOG.map((d) => d.name));
    const lead = registry.get("lead-enrichment");
    expect(lead?.work?.promptVersion).toMatch(/^lead-enrichment\//);
    expect(lead?.mapping?.targets.find((t) => t.key === "score")?.field).toBe("Score__c");
    expect(noWorkReason("x")).toBe('no worker use case "x" is enabled in this deployment');
  });
});

describe("the stored plan", () => {
  const audit = {
    model: "m",
    promptVersion: "p",
    jobId: "j",
    usage: { promptTokens: 1, completionTokens: 1 },
    mappings: [],
  };

  it("reads back every kind of write, crm-note and crm-task included", () => {
    const writes = [
      { kind: "crm-note", module: "Leads", id: "1", title: "t", content: "c" },
      { kind: "crm-task", module: "Leads", id: "1", subject: "s", dueDate: "2026-12-01" },
      { kind: "desk-comment", ticketId: "2", content: "c" },
    ];
    const plan = StoredPlanSchema.parse({
      writes,
      done: [0],
      audit,
      auditStep: { kind: "in-write" },
      capSlot: null,
    });

    expect(plan.writes).toEqual(writes);
  });

  it("reads a plan an older worker stored (done -1 = the audit note was written)", () => {
    const plan = StoredPlanSchema.parse({
      writes: [{ kind: "crm-update", module: "Leads", id: "1", proposed: {}, allowList: [] }],
      done: [0, -1],
      audit,
    });

    expect(plan).toMatchObject({ done: [0], auditStep: { kind: "crm-note", done: true }, capSlot: null });
  });
});
