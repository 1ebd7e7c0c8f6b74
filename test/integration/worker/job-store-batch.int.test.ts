/**
 * The batch forms of the DynamoDB job store and ledger against DynamoDB Local (issue 14: at most 2 DynamoDB
 * requests per event on average). Each answers exactly what its single form answers, for every job state, in request
 * order; two workers claiming overlapping keys never both get one; and the requests they send are counted.
 */
import { Agent } from "node:http";
import { type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";
import { DynamoJobStore } from "../../../shared/adapters/dynamodb/job-store.js";
import { CLAIMS_PER_TRANSACTION } from "../../../shared/adapters/dynamodb/job-store-batch.js";
import { DynamoLedger } from "../../../shared/adapters/dynamodb/ledger.js";
import { ensureTables } from "../../../shared/adapters/dynamodb/tables.js";
import { UpstreamUnavailableError } from "../../../shared/errors.js";
import type { ClaimRequest, ClaimResult, StoredPlan } from "../../../shared/ports/job-store.js";
import { FakeClock } from "../../helpers/connection.js";

let local: DynamoDbLocal;
let ddb: DynamoDBClient;
/** A second client whose requests are counted by operation (one count per HTTP request, retries included). */
let counted: DynamoDBClient;
const requests = new Map<string, number>();
const clock = new FakeClock();
let jobs: DynamoJobStore;
let ledger: DynamoLedger;

const clientFor = (url: string) =>
  createDynamoDbClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    // DynamoDB Local closes idle keep-alive sockets (see infra/local/stack.ts).
    httpAgent: new Agent({ keepAlive: false }),
  });

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = clientFor(local.url);
  counted = clientFor(local.url);
  counted.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      const target = Object.entries(headers).find(([h]) => h.toLowerCase() === "x-amz-target")?.[1] ?? "?";
      const op = target.slice(target.indexOf(".") + 1);
      requests.set(op, (requests.get(op) ?? 0) + 1);
      return next(args);
    },
    { step: "finalizeRequest", name: "countRequests" },
  );
  await ensureTables(ddb, ["jobs", "ledger"]);
  jobs = new DynamoJobStore(ddb, "jobs", clock);
  ledger = new DynamoLedger(ddb, "ledger");
});
afterAll(async () => {
  ddb?.destroy();
  counted?.destroy();
  await local?.close();
});

const plan = (id: string, done: number[] = []): StoredPlan => ({
  writes: [{ kind: "crm-update", module: "Leads", id, proposed: { AI_Score: 80 }, allowList: ["AI_Score"] }],
  done,
  audit: {
    model: "m",
    promptVersion: "p",
    jobId: `j-${id}`,
    usage: { promptTokens: 1, completionTokens: 1 },
    mappings: [],
  },
  auditStep: { kind: "crm-note", module: "Leads", id, done: false },
  capSlot: { recordKey: `default#Leads#${id}`, day: "2026-11-30" },
});

const STATES = [
  "absent",
  "busy",
  "expired-with-plan",
  "replaying-expired",
  "done",
  "dead-lettered",
  "replay-of-dead-letter",
] as const;
type State = (typeof STATES)[number];

/**
 * Puts job `key` in `state` with the single forms. Leases meant to expire are 1 s and live ones 10 min; the caller
 * advances the clock 2 s once every job is set up.
 */
async function setUp(key: string, n: number, state: State): Promise<ClaimRequest> {
  const jobId = `${key}#j`;
  switch (state) {
    case "absent":
      return { key, jobId };
    case "busy":
      await jobs.claim(key, `${jobId}0`, 600_000);
      return { key, jobId };
    case "expired-with-plan":
      await jobs.claim(key, `${jobId}0`, 1_000);
      await jobs.savePlan(key, plan(String(n), [0]));
      return { key, jobId };
    case "replaying-expired":
      await jobs.claim(key, `${jobId}0`, 1_000);
      await jobs.savePlan(key, plan(String(n)));
      await jobs.deadLetter(key, { reason: "r", deadLetterId: `dl-${key}`, messageId: "m" });
      await jobs.claim(key, `${jobId}0`, 1_000, { replayId: `dl-${key}` });
      return { key, jobId };
    case "done":
      await jobs.claim(key, `${jobId}0`, 600_000);
      await jobs.complete(key, { written: ["AI_Score"] });
      return { key, jobId };
    case "dead-lettered":
      await jobs.claim(key, `${jobId}0`, 600_000);
      await jobs.savePlan(key, plan(String(n)));
      await jobs.deadLetter(key, {
        reason: `model output failed (${n})`,
        deadLetterId: `dl-${n}`,
        messageId: `sqs-${n}`,
      });
      return { key, jobId };
    case "replay-of-dead-letter":
      await jobs.claim(key, `${jobId}0`, 600_000);
      await jobs.savePlan(key, plan(String(n), [0]));
      await jobs.deadLetter(key, { reason: "r", deadLetterId: `dl-${key}`, messageId: "m" });
      return { key, jobId, replayId: `dl-${key}` };
  }
}

describe("DynamoJobStore.claimMany", () => {
  // A bound for a loaded machine (several thousand requests); the test waits on nothing but its own requests.
  it("answers exactly what claim answers, in request order, for every state (150 requests, several chunks)", {
    timeout: 120_000,
  }, async () => {
    // Two copies of the same 150 jobs: one claimed with claimMany, the other with claim one after the other.
    const batch: ClaimRequest[] = [];
    const single: ClaimRequest[] = [];
    const states: State[] = [];
    for (let n = 0; n < 150; n++) states.push(STATES[(n * 5) % STATES.length] as State); // interleaved
    // Set up 10 jobs at a time (each job's own steps stay in order).
    const setUpAll = async (copy: string) => {
      const out: ClaimRequest[] = [];
      for (let n = 0; n < 150; n += 10)
        out.push(
          ...(await Promise.all(
            states.slice(n, n + 10).map((state, i) => setUp(`default|eq:${copy}:${n + i}`, n + i, state)),
          )),
        );
      return out;
    };
    batch.push(...(await setUpAll("A")));
    single.push(...(await setUpAll("B")));
    // Repeats of keys already in the batch: the second claim of a job in one batch finds it busy.
    for (const n of [0, 7, 14]) {
      batch.push({ key: `default|eq:A:${n}`, jobId: `dup-A-${n}` });
      single.push({ key: `default|eq:B:${n}`, jobId: `dup-B-${n}` });
    }
    clock.advance(2_000);

    const batched = await jobs.claimMany(batch, 60_000);
    const oneByOne: ClaimResult[] = [];
    for (const r of single)
      oneByOne.push(await jobs.claim(r.key, r.jobId, 60_000, r.replayId ? { replayId: r.replayId } : {}));

    expect(batched).toEqual(oneByOne);
    // The answers are the state machine's, not merely equal: spot-check each state.
    const first = (s: State) => states.indexOf(s);
    expect(batched[first("absent")]).toEqual({ status: "claimed" });
    expect(batched[first("busy")]).toEqual({ status: "busy" });
    expect(batched[first("expired-with-plan")]).toEqual({
      status: "claimed",
      plan: plan(String(first("expired-with-plan")), [0]),
    });
    expect(batched[first("replaying-expired")]).toEqual({
      status: "claimed",
      plan: plan(String(first("replaying-expired"))),
      replay: true,
    });
    expect(batched[first("done")]).toEqual({ status: "done" });
    const dl = first("dead-lettered");
    expect(batched[dl]).toEqual({
      status: "dead-lettered",
      reason: `model output failed (${dl})`,
      deadLetterId: `dl-${dl}`,
      messageId: `sqs-${dl}`,
    });
    expect(batched[first("replay-of-dead-letter")]).toEqual({
      status: "claimed",
      plan: plan(String(first("replay-of-dead-letter")), [0]),
      replay: true,
    });
    expect(batched.slice(150)).toEqual([{ status: "busy" }, { status: "busy" }, { status: "busy" }]);

    // The claims hold: the same batch again is busy wherever it claimed, as claim again would be.
    const again = await jobs.claimMany(batch, 60_000);
    expect(again.map((r, i) => (batched[i]?.status === "claimed" ? r.status : "n/a"))).toEqual(
      batched.map((r) => (r.status === "claimed" ? "busy" : "n/a")),
    );
    // Every claimed job's id points to its key.
    for (const [i, r] of batch.entries())
      if (batched[i]?.status === "claimed")
        expect((await jobs.statusOf(r.jobId))?.dedupKey).toBe(r.key.slice(8));
  });

  // A bound for a loaded machine (several thousand requests); the test waits on nothing but its own requests.
  it("two workers claiming overlapping keys at once: each key is claimed by exactly one (20 rounds)", {
    timeout: 120_000,
  }, async () => {
    const otherClient = clientFor(local.url);
    const other = new DynamoJobStore(otherClient, "jobs", clock);
    for (let round = 0; round < 20; round++) {
      const keys = Array.from({ length: 60 }, (_, i) => `default|race:${round}:${i}`);
      // A third of the shared keys hold an expired lease: the race runs on the update path as well as on creation.
      for (const key of keys.slice(20, 40).filter((_, i) => i % 3 === 0))
        await jobs.claim(key, `old-${key}`, 1_000);
      clock.advance(2_000);
      const x = keys.slice(0, 40).map((key) => ({ key, jobId: `x-${key}` }));
      const y = keys.slice(20).map((key) => ({ key, jobId: `y-${key}` }));

      const [byX, byY] = await Promise.all([jobs.claimMany(x, 60_000), other.claimMany(y, 60_000)]);

      await Promise.all(
        keys.map(async (key, i) => {
          const a = i < 40 ? byX[i] : undefined;
          const b = i >= 20 ? byY[i - 20] : undefined;
          const winners = [a, b].filter((r) => r?.status === "claimed").length;
          expect(winners, `${key}: ${JSON.stringify([a, b])}`).toBe(1);
          if (a && b) expect([a.status, b.status].sort()).toEqual(["busy", "claimed"]);
          const winner = a?.status === "claimed" ? `x-${key}` : `y-${key}`;
          const loser = a?.status === "claimed" ? `y-${key}` : `x-${key}`;
          expect((await jobs.statusOf(winner))?.status).toBe("in-progress");
          if (a && b) expect(await jobs.statusOf(loser)).toBeNull();
        }),
      );
    }
    otherClient.destroy();
  });
});

describe("DynamoJobStore.savePlans / completeMany", () => {
  it("stores 150 plans, then marks the 150 jobs done with their outcomes", async () => {
    const reqs = Array.from({ length: 150 }, (_, n) => ({ key: `default|many:${n}`, jobId: `many-${n}` }));
    expect((await jobs.claimMany(reqs, 60_000)).every((r) => r.status === "claimed")).toBe(true);

    await jobs.savePlans(reqs.map((r, n) => ({ key: r.key, plan: plan(String(n), [n % 2]) })));
    for (const [n, r] of reqs.entries())
      expect(await jobs.statusOf(r.jobId)).toMatchObject({
        status: "in-progress",
        plan: plan(String(n), [n % 2]),
      });

    await jobs.completeMany(reqs.map((r, n) => ({ key: r.key, outcome: { written: ["AI_Score"], n } })));
    for (const [n, r] of reqs.entries())
      expect(await jobs.statusOf(r.jobId)).toMatchObject({
        status: "done",
        outcome: { written: ["AI_Score"], n },
        plan: plan(String(n), [n % 2]),
      });
    expect(await jobs.claim(reqs[0]?.key ?? "", "late", 60_000)).toEqual({ status: "done" });
  });

  it("plans too large for one transaction together: split by size, stored, and given back by the next claim", async () => {
    // 40 plans of about 150 KB: 6 MB in all, over the 4 MB a transaction may carry.
    const big = (n: number): StoredPlan => ({
      ...plan(String(n)),
      audit: { ...plan(String(n)).audit, model: "m".repeat(150_000) },
    });
    const reqs = Array.from({ length: 40 }, (_, n) => ({ key: `default|big:${n}`, jobId: `big-${n}` }));
    await jobs.claimMany(reqs, 1_000);

    await jobs.savePlans(reqs.map((r, n) => ({ key: r.key, plan: big(n) })));
    clock.advance(2_000);
    const again = await jobs.claimMany(reqs, 60_000);

    expect(again).toEqual(reqs.map((_, n) => ({ status: "claimed", plan: big(n) })));
  });
});

describe("DynamoLedger.countRecordWrites", () => {
  it("counts fresh records, refuses those at their cap, counts a repeated record one after the other", async () => {
    const day = "2026-11-30";
    for (let i = 0; i < 3; i++) await ledger.countRecordWrite("default#Leads#full", day, 3);
    for (let i = 0; i < 2; i++) await ledger.countRecordWrite("default#Leads#two", day, 3);
    const fresh = Array.from({ length: 110 }, (_, i) => ({ recordKey: `default#Leads#f${i}`, day, cap: 3 }));
    const entries = [
      { recordKey: "default#Leads#new", day, cap: 3 },
      { recordKey: "default#Leads#full", day, cap: 3 },
      { recordKey: "default#Leads#two", day, cap: 3 },
      ...fresh,
      { recordKey: "default#Leads#two", day, cap: 3 },
      { recordKey: "default#Leads#new", day, cap: 3 },
      { recordKey: "default#Leads#new", day, cap: 3 },
      { recordKey: "default#Leads#new", day, cap: 3 },
      { recordKey: "default#Leads#full", day, cap: 3 },
    ];

    const counts = await ledger.countRecordWrites(entries);

    expect(counts).toEqual([true, false, true, ...fresh.map(() => true), false, true, true, false, false]);
    const n = async (recordKey: string) =>
      (
        await ddb.send(
          new GetItemCommand({
            TableName: "ledger",
            Key: { id: { S: `writes#${recordKey}#${day}` } },
            ConsistentRead: true,
          }),
        )
      ).Item?.n?.N;
    expect([
      await n("default#Leads#new"),
      await n("default#Leads#full"),
      await n("default#Leads#two"),
    ]).toEqual(["3", "3", "3"]);
    expect(await n("default#Leads#f109")).toBe("1");
  });
});

describe("requests per batch (what issue 14 is about)", () => {
  it("100 fresh events: 1 BatchGetItem and 2 transactions to claim, 1 transaction each to plan, complete and count", async () => {
    const store = new DynamoJobStore(counted, "jobs", clock);
    const countedLedger = new DynamoLedger(counted, "ledger");
    const reqs = Array.from({ length: 100 }, (_, n) => ({ key: `default|count:${n}`, jobId: `count-${n}` }));
    const measure = async (step: () => Promise<unknown>) => {
      requests.clear();
      await step();
      return Object.fromEntries(requests);
    };

    const claim = await measure(() => store.claimMany(reqs, 60_000));
    const plans = await measure(() =>
      store.savePlans(reqs.map((r, n) => ({ key: r.key, plan: plan(String(n)) }))),
    );
    const caps = await measure(() =>
      countedLedger.countRecordWrites(reqs.map((r) => ({ recordKey: r.key, day: "2026-11-30", cap: 3 }))),
    );
    const done = await measure(() =>
      store.completeMany(reqs.map((r) => ({ key: r.key, outcome: { ok: true } }))),
    );

    expect(CLAIMS_PER_TRANSACTION).toBe(50);
    expect(claim).toEqual({ BatchGetItem: 1, TransactWriteItems: Math.ceil(100 / CLAIMS_PER_TRANSACTION) });
    expect(plans).toEqual({ TransactWriteItems: 1 });
    expect(caps).toEqual({ TransactWriteItems: 1 });
    expect(done).toEqual({ TransactWriteItems: 1 });
    // The claims were real: every job is done now, and a redelivery of the batch is answered from the read alone.
    expect((await store.statusOf("count-99"))?.status).toBe("done");
    const redelivered = await measure(async () =>
      expect((await store.claimMany(reqs, 60_000)).every((r) => r.status === "done")).toBe(true),
    );
    expect(redelivered).toEqual({ BatchGetItem: 1 });
  });
});

describe("when DynamoDB fails", () => {
  it("every batch form throws the retryable UpstreamUnavailableError, with no DynamoDB detail beyond the error name", async () => {
    // A table that does not exist: DynamoDB answers ResourceNotFoundException to every request.
    const gone = new DynamoJobStore(ddb, "no-such-table", clock);
    const goneLedger = new DynamoLedger(ddb, "no-such-table");
    const failures = [
      () => gone.claimMany([{ key: "default|x:1", jobId: "x1" }], 60_000),
      () => gone.savePlans([{ key: "default|x:1", plan: plan("1") }]),
      () => gone.completeMany([{ key: "default|x:1", outcome: {} }]),
      () => goneLedger.countRecordWrites([{ recordKey: "default#Leads#x", day: "2026-11-30", cap: 3 }]),
    ];
    for (const failure of failures) {
      const error = await failure().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect((error as UpstreamUnavailableError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/DynamoDB .* failed \(ResourceNotFoundException\)/);
    }
  });

  /** A client whose `n`-th TransactWriteItems fails (before it reaches DynamoDB); the others pass. */
  function failingNthTransaction(n: number): DynamoDBClient {
    const client = clientFor(local.url);
    let seen = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        const target = Object.entries(headers).find(([h]) => h.toLowerCase() === "x-amz-target")?.[1] ?? "";
        if (target.endsWith(".TransactWriteItems") && ++seen === n)
          throw Object.assign(new Error("injected"), { name: "InternalServerError" });
        return next(args);
      },
      { step: "finalizeRequest", name: "failNthTransaction" },
    );
    return client;
  }

  it("a claimMany that fails after claiming some jobs gives those claims back: the retried batch claims them all", async () => {
    const flaky = failingNthTransaction(2);
    const reqs = Array.from({ length: 60 }, (_, i) => ({
      key: `default|fail-claim:${i}`,
      jobId: `fail-claim-${i}`,
    }));
    try {
      // Two transactions (50 + 10 claims); one of them fails, the other commits.
      await expect(new DynamoJobStore(flaky, "jobs", clock).claimMany(reqs, 60_000)).rejects.toBeInstanceOf(
        UpstreamUnavailableError,
      );
    } finally {
      flaky.destroy();
    }
    const retried = await jobs.claimMany(reqs, 60_000);
    expect(retried.map((r) => r.status)).toEqual(reqs.map(() => "claimed"));
  });

  it("a countRecordWrites that fails after counting some records uncounts them: no cap slot is used up", async () => {
    const flaky = failingNthTransaction(2);
    // 150 records: two transactions (100 + 50), one of which fails.
    const entries = Array.from({ length: 150 }, (_, i) => ({
      recordKey: `default#Leads#fail-cap-${i}`,
      day: "2026-11-30",
      cap: 1,
    }));
    try {
      await expect(new DynamoLedger(flaky, "ledger").countRecordWrites(entries)).rejects.toBeInstanceOf(
        UpstreamUnavailableError,
      );
    } finally {
      flaky.destroy();
    }
    // A cap of 1: a record counted by the failed call would now be refused.
    expect(await ledger.countRecordWrites(entries)).toEqual(entries.map(() => true));
  });

  it("empty batches send no request", async () => {
    const store = new DynamoJobStore(counted, "jobs", clock);
    requests.clear();
    expect(await store.claimMany([], 60_000)).toEqual([]);
    await store.savePlans([]);
    await store.completeMany([]);
    expect(await new DynamoLedger(counted, "ledger").countRecordWrites([])).toEqual([]);
    expect(Object.fromEntries(requests)).toEqual({});
  });
});
