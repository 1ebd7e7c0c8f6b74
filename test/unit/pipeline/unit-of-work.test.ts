/**
 * Every row of the README's table "What happens to a unit of work", against the port fakes: one describe per row,
 * named after it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_QUEUE_DELAY_MS } from "../../../shared/domain/queue-limits.js";
import {
  ConnectionBrokenError,
  LlmOutputError,
  RefreshThrottledError,
  UpstreamAuthError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../../shared/errors.js";
import { leadEnrichment } from "../../../shared/use-cases/lead-enrichment/index.js";
import {
  delivery,
  LEAD_ANSWER,
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

const aiNotes = () => h.crm.notes.filter((n) => n.title === "AI update");

describe("written, with its audit trail", () => {
  it("a lead: one update, one audit note, the job done, acknowledged; a duplicate writes nothing", async () => {
    const body = leadMessage();

    expect(await h.run(delivery(body))).toEqual([
      { messageId: expect.any(String), action: "ack", result: "written" },
    ]);
    expect(await h.run(delivery(body))).toEqual([
      { messageId: expect.any(String), action: "ack", result: "duplicate" },
    ]);

    expect(h.crm.writes().filter((c) => c.method === "updateRecords")).toHaveLength(1);
    expect(h.crm.find("Leads", LEAD_ID)).toMatchObject({ AI_ICP_Fit: "Strong", AI_Score: 81 });
    expect(aiNotes()).toHaveLength(1);
    expect(aiNotes()[0]?.content).toMatch(/^AI lead-enrichment by zoho-gpt-mediator\nmodel: test-model\n/);
    expect([...h.jobs.items.values()][0]).toMatchObject({ status: "DONE" });
    expect(h.llm.calls).toBe(1);
    expect(h.metrics.get("Written")).toBe(1);
    expect(h.metrics.get("Duplicate")).toBe(1);
    expect(h.progress.map((e) => [e.stage, e.subject])).toEqual([
      ["model", `Leads ${LEAD_ID}`],
      ["written", `Leads ${LEAD_ID}`],
      ["duplicate", `Leads ${LEAD_ID}`],
    ]);
  });

  it("a ticket: its fields, then a private comment with the audit text, then a draft from the department's address", async () => {
    expect((await h.run(delivery(ticketMessage())))[0]).toMatchObject({ action: "ack", result: "written" });

    expect(h.desk.writes().map((c) => c.method)).toEqual([
      "updateTicketFields",
      "addPrivateComment",
      "draftReply",
    ]);
    expect(h.desk.tickets.get(TICKET_ID)?.cf).toMatchObject({
      cf_ai_urgency: "High",
      cf_ai_category: "Billing",
    });
    expect(h.desk.comments[0]?.content).toMatch(/AI ticket-triage by zoho-gpt-mediator/);
    expect(h.desk.drafts).toEqual([
      {
        ticketId: TICKET_ID,
        content: "Sorry about the double charge; we are refunding it.",
        to: "ada@example.com",
        fromEmailAddress: "support@example.com",
      },
    ]);
    expect(h.desk.sent).toEqual([]);
  });
});

describe("Zoho 429/5xx, timeouts, model 429/5xx, INVALID_TOKEN after the refresh, the token refresh failing, the audit note failing: retried", () => {
  it.each([
    ["Zoho 429", () => h.crm.failNext("getRecords", new UpstreamRateLimitError("zoho-crm", "429"))],
    ["Zoho 5xx", () => h.crm.failNext("updateRecords", new UpstreamUnavailableError("zoho-crm", "500"))],
    ["a Zoho timeout", () => h.crm.failNext("getRecords", new UpstreamTimeoutError("zoho-crm", "timeout"))],
    ["model 429", () => h.llm.script.push({ error: new UpstreamRateLimitError("openai", "429") })],
    ["model 5xx", () => h.llm.script.push({ error: new UpstreamUnavailableError("openai", "503") })],
    [
      "INVALID_TOKEN after the refresh",
      () => h.crm.failNext("getRecords", new UpstreamAuthError("zoho-crm", "401")),
    ],
    [
      "Zoho Accounts 5xx on the refresh",
      () => h.crm.failNext("fields", new UpstreamUnavailableError("zoho-accounts", "502")),
    ],
    [
      "the audit note failing",
      () => h.crm.failNext("createNotes", new UpstreamUnavailableError("zoho-crm", "500")),
    ],
  ])("%s: back to the queue after the backoff, then written once", async (_, inject) => {
    inject();
    const body = leadMessage();

    const [first] = await h.run(delivery(body, 2));
    const [second] = await h.run(delivery(body, 3));

    expect(first).toMatchObject({ action: "retry", delayMs: 2_000 });
    expect(second).toMatchObject({ action: "ack", result: "written" });
    expect(h.crm.writes().filter((c) => c.method === "updateRecords")).toHaveLength(1);
    expect(aiNotes()).toHaveLength(1);
  });

  it("honours the upstream's retry-after when longer than the backoff", async () => {
    h.llm.script.push({ error: new UpstreamRateLimitError("openai", "429", { retryAfterMs: 40_000 }) });

    expect((await h.run(delivery(leadMessage())))[0]).toMatchObject({ action: "retry", delayMs: 40_000 });
  });

  it("after MAX_RECEIVE_COUNT receives: the dead-letter queue with the reason", async () => {
    h.crm.failNext("getRecords", new UpstreamUnavailableError("zoho-crm", "Zoho answered 500"));

    const [out] = await h.run(delivery(leadMessage(), h.config.maxReceiveCount));

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: "UpstreamUnavailableError: Zoho answered 500",
      deadLetterId: expect.any(String),
    });
    expect([...h.jobs.items.values()][0]).toMatchObject({ status: "DEAD_LETTERED" });
  });
});

describe("model output invalid twice, or refused twice: dead-letter queue with the reason", () => {
  it("repairs once, then gives up: nothing written, the cap slot given back", async () => {
    h.llm.script.push({ error: new LlmOutputError("score: expected number") });
    h.llm.script.push({ error: new LlmOutputError("the model refused") });

    const [out] = await h.run(delivery(leadMessage()));

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: "model output failed twice: the model refused",
    });
    expect(h.llm.requests[1]?.repairHint).toBe("score: expected number");
    expect(h.metrics.get("ModelRepairAttempt")).toBe(1);
    expect(h.crm.writes()).toEqual([]);
    expect(h.ledger.count(`default#Leads#${LEAD_ID}`)).toBe(0);
  });

  it("one repair that succeeds is written", async () => {
    h.llm.script.push({ error: new LlmOutputError("score: expected number") });

    expect((await h.run(delivery(leadMessage())))[0]).toMatchObject({ action: "ack", result: "written" });
    expect(h.llm.calls).toBe(2);
  });
});

describe("write guard rejects the output: dead-letter queue with the reason, and a note on the record", () => {
  it("a required value outside the org's picklist: nothing written, a quarantine note", async () => {
    h.llm.script.push({ value: { ...LEAD_ANSWER, icp_fit: "Excellent" } });

    const [out] = await h.run(delivery(leadMessage()));

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: expect.stringMatching(/^write guard rejected the model output: AI_ICP_Fit: "Excellent"/),
    });
    expect(h.crm.writes().filter((c) => c.method === "updateRecords")).toEqual([]);
    expect(h.crm.notes.map((n) => n.title)).toEqual(["AI write quarantined"]);
    expect(h.crm.notes[0]?.content).toMatch(/^The AI lead-enrichment result was not applied \(job /);
  });

  it("a rejected optional value only: written without it, named in the audit trail", async () => {
    h.llm.script.push({ value: { ...LEAD_ANSWER, score_reason: "x".repeat(2_500) } });

    expect((await h.run(delivery(leadMessage())))[0]).toMatchObject({ action: "ack", result: "written" });
    expect(h.crm.find("Leads", LEAD_ID)?.AI_Score_Reason).toBeUndefined();
    expect(aiNotes()[0]?.content).toMatch(
      /not written \(the field would refuse it\): AI_Score_Reason: longer than 2000 characters/,
    );
  });

  it("QUARANTINE_NOTE off: no note", async () => {
    h.config = { ...h.config, quarantineNote: false };
    h.llm.script.push({ value: { ...LEAD_ANSWER, icp_fit: "Excellent" } });

    expect((await h.run(delivery(leadMessage())))[0]).toMatchObject({ action: "dead-letter" });
    expect(h.crm.notes).toEqual([]);
  });
});

describe("a required target field is missing, of the wrong type or read-only: waits", () => {
  it.each([
    ["missing", () => h.crm.moduleFields.set("Leads", fieldsWithout("AI_ICP_Fit"))],
    ["of the wrong type", () => h.crm.moduleFields.set("Leads", fieldsWith("AI_Score", { type: "boolean" }))],
    ["read-only", () => h.crm.moduleFields.set("Leads", fieldsWith("AI_ICP_Fit", { readOnly: true }))],
  ])("%s: re-checked every WAIT_RECHECK_SECONDS, MappingIncomplete, no model call", async (_, breakField) => {
    breakField();

    const [out] = await h.run(delivery(leadMessage()));

    expect(out).toMatchObject({
      action: "defer",
      delayMs: 20_000,
      reason: expect.stringMatching(/^MappingIncomplete|cannot run/),
    });
    expect(h.metrics.get("MappingIncomplete")).toBe(1);
    expect(h.llm.calls).toBe(0);
  });

  it("after 24 hours of waits (MAX_DEFERRALS x 15 minutes): the dead-letter queue with the reason", async () => {
    h.crm.moduleFields.set("Leads", fieldsWithout("AI_ICP_Fit"));
    const enough = h.config.maxDeferrals * Math.ceil(MAX_QUEUE_DELAY_MS / 20_000);

    const [waiting] = await h.run(delivery(leadMessage("4000000000001", "a"), 1, { deferrals: enough - 1 }));
    const [out] = await h.run(delivery(leadMessage("4000000000001", "b"), 1, { deferrals: enough }));

    expect(waiting).toMatchObject({ action: "defer" });
    expect(out).toMatchObject({ action: "dead-letter", reason: expect.stringMatching(/AI_ICP_Fit/) });
  });

  it("written once the field exists (the fields are re-read within the re-check interval)", async () => {
    h.crm.moduleFields.set("Leads", fieldsWithout("AI_ICP_Fit"));
    const pipeline = h.pipeline();
    const body = leadMessage();
    expect((await pipeline([delivery(body)]))[0]).toMatchObject({ action: "defer" });

    h.crm.moduleFields.set("Leads", fieldsWith("AI_ICP_Fit", {}));
    h.clock.advance(20_000);

    expect((await pipeline([delivery(body, 1, { deferrals: 1 })]))[0]).toMatchObject({ result: "written" });
  });
});

describe("no Desk from address: dead-letter queue with the reason, before anything is written", () => {
  it("neither DESK_FROM_ADDRESS nor an active reply address", async () => {
    h.desk.addresses = [{ address: "old@example.com", isActive: false, isDefault: false }];

    const [out] = await h.run(delivery(ticketMessage()));

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: expect.stringMatching(/^ConfigError: Zoho Desk has no active mail reply address/),
    });
    expect(h.desk.writes()).toEqual([]);
  });

  it("DESK_FROM_ADDRESS configured: used without asking Desk", async () => {
    h.config = { ...h.config, sendReplies: { enabled: false, fromAddress: "help@example.com" } };
    h.desk.addresses = [];

    expect((await h.run(delivery(ticketMessage())))[0]).toMatchObject({ result: "written" });
    expect(h.desk.drafts[0]?.fromEmailAddress).toBe("help@example.com");
    expect(h.desk.calls.some((c) => c.method === "replyAddresses")).toBe(false);
  });
});

describe("Zoho rejects a record's update (INVALID_DATA, ...): dead-letter queue with Zoho's code and details", () => {
  it("names the code and details, writes no audit note, and drops the cached fields Zoho named", async () => {
    h.crm.refuse("updateRecords", () => true, {
      code: "INVALID_DATA",
      message: "invalid data",
      field: "AI_Intent",
      details: { api_name: "AI_Intent" },
    });
    const pipeline = h.pipeline();

    const [out] = await pipeline([delivery(leadMessage())]);
    expect(aiNotes()).toEqual([]);
    const fieldReads = h.crm.calls.filter((c) => c.method === "fields").length;
    await pipeline([delivery(leadMessage(LEAD_ID, "t2"))]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: 'Zoho rejected the update: INVALID_DATA {"api_name":"AI_Intent"}',
    });
    // The second unit read the org's fields again instead of trusting the cache.
    expect(h.crm.calls.filter((c) => c.method === "fields").length).toBe(fieldReads + 1);
  });

  it("a Desk field update refused naming a field: dead-lettered, and the Desk fields are read again", async () => {
    h.desk.failNext(
      "updateTicketFields",
      new UpstreamRejectedError("zoho-desk", "Zoho rejected PATCH", "INVALID_DATA", [], {
        field: "cf_ai_urgency",
      }),
    );
    const pipeline = h.pipeline();

    const [out] = await pipeline([delivery(ticketMessage())]);
    await pipeline([delivery(ticketMessage(TICKET_ID, "t2"))]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: expect.stringMatching(/^UpstreamRejectedError/),
    });
    expect(h.desk.calls.filter((c) => c.method === "fields")).toHaveLength(2);
  });
});

describe("record hit its daily AI write cap: dead-letter queue with the reason, before any model call", () => {
  it("the second trigger of a record with a cap of 1 costs no model call", async () => {
    h.config = { ...h.config, recordWriteCap: 1 };

    const [first] = await h.run(delivery(leadMessage(LEAD_ID, "t1")));
    const [second] = await h.run(delivery(leadMessage(LEAD_ID, "t2")));

    expect(first).toMatchObject({ result: "written" });
    expect(second).toMatchObject({
      action: "dead-letter",
      reason: "AI write cap of 1 per record per day reached (loop breaker)",
    });
    expect(h.llm.calls).toBe(1);
    expect(h.metrics.get("RecordWriteCapReached")).toBe(1);
  });
});

describe("token budget spent, Zoho credits low or refresh throttled: waits (re-queued with a delay, not a failure)", () => {
  it("token budget spent: waits until the day turns (at most 15 minutes), no model call", async () => {
    h.config = { ...h.config, tokenBudgetPerDay: () => 100 };
    await h.ledger.addUsage("lead-enrichment", "2026-11-30", { promptTokens: 100, completionTokens: 0 });

    const [out] = await h.run(delivery(leadMessage()));

    expect(out).toMatchObject({
      action: "defer",
      delayMs: MAX_QUEUE_DELAY_MS,
      reason: expect.stringMatching(/daily token budget of 100 for lead-enrichment is spent/),
    });
    expect(h.llm.calls).toBe(0);
  });

  it("Zoho credits low: waits 15 minutes before loading anything", async () => {
    h.config = { ...h.config, creditsLowWater: 500 };
    h.crm.credits = 499;

    const [out] = await h.run(delivery(leadMessage()));

    expect(out).toMatchObject({
      action: "defer",
      delayMs: MAX_QUEUE_DELAY_MS,
      reason: expect.stringMatching(/credits are low \(499 left\)/),
    });
    expect(h.crm.calls).toEqual([]);
  });

  it("refresh throttled: waits as long as the throttle says", async () => {
    h.crm.failNext("getRecords", new RefreshThrottledError("refresh throttled", { retryAfterMs: 90_000 }));

    expect((await h.run(delivery(leadMessage(), 5)))[0]).toMatchObject({ action: "defer", delayMs: 90_000 });
    expect(h.metrics.get("Deferred")).toBe(1);
    expect(h.metrics.get("Retried")).toBe(0);
  });
});

describe("connection broken: waits, re-checked every WAIT_RECHECK_SECONDS", () => {
  it("deferred by the re-check interval, then written once repaired", async () => {
    h.crm.failNext("getRecords", new ConnectionBrokenError("default", "invalid_code"));
    const body = leadMessage();

    const [first] = await h.run(delivery(body, 1));
    const [second] = await h.run(delivery(body, 1, { deferrals: 1 }));

    expect(first).toMatchObject({ action: "defer", delayMs: 20_000 });
    expect(second).toMatchObject({ action: "ack", result: "written" });
  });
});

describe("not a valid work message, or no worker for its use case: dead-letter queue with the reason", () => {
  it("not a work message", async () => {
    expect((await h.run(delivery("{not json")))[0]).toMatchObject({
      action: "dead-letter",
      reason: "not a valid work message (schema v1)",
    });
  });

  it("a use case this deployment has no work for", async () => {
    const [out] = await h.pipeline({ catalog: [] })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: 'no worker use case "lead-enrichment" is enabled in this deployment',
    });
    expect(h.crm.calls).toEqual([]);
  });

  it("a use case in the catalog without work (accepted at ingest, not processed by this release)", async () => {
    const { work: _none, ...ingestOnly } = leadEnrichment;

    const [out] = await h.pipeline({ catalog: [ingestOnly] })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: 'no worker use case "lead-enrichment" is enabled in this deployment',
    });
  });

  it("input that does not fit the use case", async () => {
    const [out] = await h.run(delivery(leadMessage(LEAD_ID, "t1", { input: { module: "Leads" } })));

    expect(out).toMatchObject({ action: "dead-letter", reason: "input does not fit lead-enrichment: id" });
  });
});

describe("a duplicate of a dead-lettered job: acknowledged without work", () => {
  it("the job stays dead-lettered with its reason; a replay naming another dead letter changes nothing", async () => {
    h.llm.script.push({ error: new LlmOutputError("bad") }, { error: new LlmOutputError("bad") });
    const body = leadMessage();
    await h.run(delivery(body));

    expect((await h.run(delivery(body)))[0]).toMatchObject({ action: "ack", result: "duplicate" });
    expect((await h.run(delivery(body, 1, { replayId: "another" })))[0]).toMatchObject({
      result: "duplicate",
    });
    expect(h.llm.calls).toBe(2);
    expect([...h.jobs.items.values()][0]).toMatchObject({
      status: "DEAD_LETTERED",
      reason: /^model output failed twice/,
    });
  });
});

describe("a replay of a dead letter: runs its job once more", () => {
  it("written (or dead-lettered again); the same replay again is a duplicate", async () => {
    h.llm.script.push({ error: new LlmOutputError("bad") }, { error: new LlmOutputError("bad") });
    const body = leadMessage();
    const [dead] = await h.run(delivery(body));
    const replayId = dead?.action === "dead-letter" ? dead.deadLetterId : "";

    const replay = delivery(body, 1, { replayId });
    expect((await h.run(replay))[0]).toMatchObject({ action: "ack", result: "written" });
    expect((await h.run({ ...replay, receiveCount: 2 }))[0]).toMatchObject({ result: "duplicate" });
    expect(h.llm.calls).toBe(3);
  });

  it("a job that had written a step resumes its plan: no second update, no second model call", async () => {
    h.config = { ...h.config, maxReceiveCount: 1 };
    h.crm.failNext("createNotes", new UpstreamUnavailableError("zoho-crm", "500"));
    const body = leadMessage();
    const [dead] = await h.run(delivery(body));
    expect(dead).toMatchObject({ action: "dead-letter" });
    const replayId = dead?.action === "dead-letter" ? dead.deadLetterId : "";

    expect((await h.run(delivery(body, 1, { replayId })))[0]).toMatchObject({ result: "written" });
    expect(h.crm.writes().filter((c) => c.method === "updateRecords")).toHaveLength(1);
    expect(aiNotes()).toHaveLength(1);
    expect(h.llm.calls).toBe(1);
  });
});

function fieldsWithout(name: string) {
  return (h.crm.moduleFields.get("Leads") ?? []).filter((f) => f.name !== name);
}
function fieldsWith(name: string, over: Record<string, unknown>) {
  const base = {
    name,
    type: "picklist" as const,
    readOnly: false,
    picklist: ["-None-", "Strong", "Moderate", "Weak"],
  };
  const current = (h.crm.moduleFields.get("Leads") ?? []).find((f) => f.name === name) ?? base;
  return [...fieldsWithout(name), { ...current, ...over }];
}
