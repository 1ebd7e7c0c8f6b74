/**
 * The DynamoDB job store and ledger against DynamoDB Local: the job state machine the worker relies on (issue 9,
 * defects 1 and 11). A dead-lettered job is kept with its reason; only the replay naming its dead letter moves it,
 * atomically and once, to replaying; write-cap slots are taken and given back.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";
import { DynamoJobStore } from "../../../shared/adapters/dynamodb/job-store.js";
import { DynamoLedger } from "../../../shared/adapters/dynamodb/ledger.js";
import { ensureTables } from "../../../shared/adapters/dynamodb/tables.js";
import type { StoredPlan } from "../../../shared/ports/job-store.js";
import { FakeClock } from "../../helpers/connection.js";

let local: DynamoDbLocal;
let ddb: DynamoDBClient;
const clock = new FakeClock();
let jobs: DynamoJobStore;
let ledger: DynamoLedger;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = createDynamoDbClient({
    endpoint: local.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTables(ddb, ["jobs", "ledger"]);
  jobs = new DynamoJobStore(ddb, "jobs", clock);
  ledger = new DynamoLedger(ddb, "ledger");
});
afterAll(async () => {
  ddb?.destroy();
  await local?.close();
});

const plan = (done: number[] = []): StoredPlan => ({
  writes: [
    { kind: "crm-update", module: "Leads", id: "1", proposed: { AI_Score: 80 }, allowList: ["AI_Score"] },
  ],
  done,
  audit: {
    model: "m",
    promptVersion: "p",
    jobId: "j",
    usage: { promptTokens: 1, completionTokens: 1 },
    mappings: [],
  },
  auditStep: { kind: "crm-note", module: "Leads", id: "1", done: false },
  capSlot: { recordKey: "default#Leads#1", day: "2026-11-30" },
});

describe("DynamoJobStore", () => {
  it("keeps a dead-lettered job: duplicates see it dead-lettered, only its replay runs it, once", async () => {
    const key = "default|crm:Leads:1:t1";
    expect(await jobs.claim(key, "j1", 60_000)).toEqual({ status: "claimed" });
    await jobs.savePlan(key, plan([0]));
    await jobs.deadLetter(key, {
      reason: "model output failed twice",
      deadLetterId: "dl-1",
      messageId: "sqs-1",
    });

    expect(await jobs.claim(key, "j2", 60_000)).toEqual({
      status: "dead-lettered",
      reason: "model output failed twice",
      deadLetterId: "dl-1",
      messageId: "sqs-1",
    });
    expect(await jobs.claim(key, "j2", 60_000, { replayId: "dl-other" })).toMatchObject({
      status: "dead-lettered",
    });

    const replay = await jobs.claim(key, "j1", 60_000, { replayId: "dl-1" });
    expect(replay).toEqual({ status: "claimed", plan: plan([0]), replay: true });
    // The same replay delivered twice while the first runs: busy; the lease is what the first holds.
    expect(await jobs.claim(key, "j1", 60_000, { replayId: "dl-1" })).toEqual({ status: "busy" });

    await jobs.complete(key, { written: ["AI_Score"] });
    expect(await jobs.claim(key, "j1", 60_000, { replayId: "dl-1" })).toEqual({ status: "done" });
  });

  it("a replay that fails and is released keeps its replaying status for the next delivery", async () => {
    const key = "default|crm:Leads:2:t1";
    await jobs.claim(key, "j1", 60_000);
    await jobs.deadLetter(key, { reason: "x", deadLetterId: "dl-2", messageId: "sqs-2" });
    await jobs.claim(key, "j1", 60_000, { replayId: "dl-2" });
    await jobs.release(key);

    expect(await jobs.claim(key, "j1", 60_000, { replayId: "dl-2" })).toEqual({
      status: "claimed",
      replay: true,
    });
    // Dead-lettered again: a stale copy of the earlier replay cannot run it a third time.
    await jobs.deadLetter(key, { reason: "again", deadLetterId: "dl-3", messageId: "sqs-3" });
    expect(await jobs.claim(key, "j1", 60_000, { replayId: "dl-2" })).toEqual({
      status: "dead-lettered",
      reason: "again",
      deadLetterId: "dl-3",
      messageId: "sqs-3",
    });
  });

  it("an expired lease can be claimed again; a live one is busy", async () => {
    const key = "default|crm:Leads:3:t1";
    await jobs.claim(key, "j1", 1_000);
    expect(await jobs.claim(key, "j1", 1_000)).toEqual({ status: "busy" });
    clock.advance(2_000);
    expect(await jobs.claim(key, "j1", 1_000)).toEqual({ status: "claimed" });
  });

  it("reads a plan stored by an older worker (audit note marked -1 in done)", async () => {
    const key = "default|crm:Leads:4:t1";
    await jobs.claim(key, "j1", 1_000);
    const { auditStep: _a, capSlot: _c, ...legacy } = plan([0]);
    await jobs.savePlan(key, { ...legacy, done: [0, -1] } as unknown as StoredPlan);
    clock.advance(2_000);

    const claim = await jobs.claim(key, "j1", 1_000);

    expect(claim).toMatchObject({
      status: "claimed",
      plan: { done: [0], auditStep: { kind: "crm-note", done: true }, capSlot: null },
    });
  });
});

describe("DynamoLedger write-cap slots", () => {
  it("takes slots up to the cap, gives one back, never below zero", async () => {
    const take = () => ledger.countRecordWrite("default#Leads#9", "2026-11-30", 2);
    expect([await take(), await take(), await take()]).toEqual([true, true, false]);
    await ledger.uncountRecordWrite("default#Leads#9", "2026-11-30");
    expect(await take()).toBe(true);
    await ledger.uncountRecordWrite("default#Leads#10", "2026-11-30");
    expect(await ledger.countRecordWrite("default#Leads#10", "2026-11-30", 1)).toBe(true);
    expect(await ledger.countRecordWrite("default#Leads#10", "2026-11-30", 1)).toBe(false);
  });
});
