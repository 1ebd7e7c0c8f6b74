/**
 * The agent store on DynamoDB Local (issue 12, contract §2): keys are put once and revoked once, counters refuse
 * past their limit without taking (also under 20 concurrent takes), a proposal leaves a status exactly once (two
 * concurrent approvals: one wins), the call log reads back by id and by key; and DynamoJobStore.statusOf (the
 * job-id pointer mediator_job_status reads) for claimed, done, dead-lettered and unknown jobs.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";
import { createDynamoAgentStore } from "../../../shared/adapters/dynamodb/agent-store.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";
import { DynamoJobStore } from "../../../shared/adapters/dynamodb/job-store.js";
import { ensureTables } from "../../../shared/adapters/dynamodb/tables.js";
import { type ApiKeyRecord, newApiKey, parseScopes } from "../../../shared/domain/api-key.js";
import { ConfigError, UpstreamUnavailableError, ValidationError } from "../../../shared/errors.js";
import type { Proposal, ToolCallRecord } from "../../../shared/ports/agent-store.js";
import { FakeClock } from "../../helpers/connection.js";

const TABLE = "zoho-gpt-mediator-test-agents";
let local: DynamoDbLocal;
let ddb: DynamoDBClient;
let store: ReturnType<typeof createDynamoAgentStore>;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = createDynamoDbClient({
    endpoint: local.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTables(ddb, [TABLE, "jobs"]);
  store = createDynamoAgentStore(ddb, TABLE);
});
afterAll(async () => {
  ddb?.destroy();
  await local?.close();
});

const raw = (id: string) =>
  DynamoDBDocumentClient.from(ddb)
    .send(new GetCommand({ TableName: TABLE, Key: { id } }))
    .then((r) => r.Item);

function keyRecord(overrides: Partial<ApiKeyRecord> = {}): { key: string; record: ApiKeyRecord } {
  const { key, id, hash } = newApiKey();
  return {
    key,
    record: {
      id,
      name: "sales-gpt",
      connection: "default",
      hash,
      scopes: parseScopes("crm.read,crm.write:Leads,desk.send,jobs.read", ["AI_*", "Leads.Rating"]),
      writeBudgetPerDay: 200,
      ratePerMinute: 60,
      proposalsOnly: false,
      createdAt: "2026-11-30T10:00:00.000Z",
      ...overrides,
    },
  };
}

const proposal = (overrides: Partial<Proposal> = {}): Proposal => ({
  id: `prop_${Math.random().toString(36).slice(2, 12).padEnd(20, "0")}`,
  keyId: "abcdefghijkl",
  keyName: "sales-gpt",
  connection: "default",
  tool: "crm_update",
  write: { kind: "crm-update", module: "Leads", id: "5545974000001234001", fields: { AI_Score: 80 } },
  reason: "score from the call notes",
  status: "pending",
  createdAt: "2026-11-30T10:00:00.000Z",
  ...overrides,
});

describe("DynamoApiKeyStore", () => {
  it("puts a key once; a second put of its id is refused (422) and leaves the first", async () => {
    const { record } = keyRecord();
    await store.keys.put(record);

    const again = store.keys.put({ ...record, name: "other", hash: "0".repeat(64) });

    await expect(again).rejects.toBeInstanceOf(ValidationError);
    await expect(again).rejects.toMatchObject({ httpStatus: 422 });
    expect(await store.keys.get(record.id)).toEqual(record);
  });

  it("stores the hash, never the key string", async () => {
    const { key, record } = keyRecord();
    await store.keys.put(record);

    const item = await raw(`apikey#${record.id}`);

    expect(item?.hash).toBe(record.hash);
    expect(JSON.stringify(item)).not.toContain(key.slice(17));
  });

  it("reads back every field (scopes, optional ones absent) and unknown ids as null", async () => {
    const { record } = keyRecord({ proposalsOnly: true, connection: "eu" });
    await store.keys.put(record);

    const back = await store.keys.get(record.id);

    expect(back).toEqual(record);
    expect(back).not.toHaveProperty("revokedAt");
    expect(await store.keys.get("zzzzzzzzzzzz")).toBeNull();
  });

  it("revokes once: true, then false; false for an unknown id, which it does not create", async () => {
    const { record } = keyRecord();
    await store.keys.put(record);

    expect(await store.keys.revoke(record.id, "2026-11-30T11:00:00.000Z")).toBe(true);
    expect(await store.keys.revoke(record.id, "2026-11-30T12:00:00.000Z")).toBe(false);
    expect((await store.keys.get(record.id))?.revokedAt).toBe("2026-11-30T11:00:00.000Z");
    expect(await store.keys.revoke("nosuchkey123", "2026-11-30T11:00:00.000Z")).toBe(false);
    expect(await raw("apikey#nosuchkey123")).toBeUndefined();
  });

  it("lists keys oldest first, revoked ones included, and nothing else of the table", async () => {
    const fresh = createDynamoAgentStore(ddb, "list-keys");
    await ensureTables(ddb, ["list-keys"]);
    const b = keyRecord({ createdAt: "2026-11-30T12:00:00.000Z", name: "b" }).record;
    const a = keyRecord({ createdAt: "2026-11-29T12:00:00.000Z", name: "a" }).record;
    await fresh.keys.put(b);
    await fresh.keys.put(a);
    await fresh.keys.revoke(a.id, "2026-11-30T13:00:00.000Z");
    await fresh.proposals.create(proposal());
    await fresh.limits.takeCall(a.id, 0, 60, 10);

    const list = await fresh.keys.list();

    expect(list.map((k) => k.name)).toEqual(["a", "b"]);
    expect(list[0]?.revokedAt).toBe("2026-11-30T13:00:00.000Z");
  });

  it("names a malformed item instead of using half of it", async () => {
    await DynamoDBDocumentClient.from(ddb).send(
      new PutCommand({ TableName: TABLE, Item: { id: "apikey#broken123456", keyId: "broken123456" } }),
    );

    const read = store.keys.get("broken123456");

    await expect(read).rejects.toBeInstanceOf(ConfigError);
    await expect(read).rejects.toThrow(/apikey#broken123456 is not a valid API key \(name, connection, hash/);
  });
});

describe("DynamoKeyLimits", () => {
  it("takes calls up to the window's limit, then refuses; a new window starts at zero", async () => {
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await store.limits.takeCall("k-rate", 1_000, 60, 3));

    expect(taken).toEqual([true, true, true, false]);
    expect(await store.limits.takeCall("k-rate", 1_060, 60, 3)).toBe(true);
    const item = await raw("rate#k-rate#1000");
    expect(item).toMatchObject({ n: 3, expiresAt: 1_120 });
  });

  it("takes writes by n within the day's budget; a refused take takes nothing", async () => {
    expect(await store.limits.takeWrites("k-budget", "2026-11-30", 3, 5)).toBe(true);
    expect(await store.limits.takeWrites("k-budget", "2026-11-30", 3, 5)).toBe(false);
    expect(await store.limits.writesUsed("k-budget", "2026-11-30")).toBe(3);
    expect(await store.limits.takeWrites("k-budget", "2026-11-30", 2, 5)).toBe(true);
    expect(await store.limits.takeWrites("k-budget", "2026-11-30", 1, 5)).toBe(false);
    expect(await store.limits.writesUsed("k-budget", "2026-11-30")).toBe(5);
    expect(await store.limits.writesUsed("k-budget", "2026-12-01")).toBe(0);
    // Kept three days past the day's start.
    expect((await raw("budget#k-budget#2026-11-30"))?.expiresAt).toBe(
      Date.parse("2026-11-30T00:00:00Z") / 1000 + 3 * 86_400,
    );
  });

  it("refuses a take larger than the limit without creating the counter", async () => {
    expect(await store.limits.takeWrites("k-big", "2026-11-30", 6, 5)).toBe(false);
    expect(await raw("budget#k-big#2026-11-30")).toBeUndefined();
  });

  it("20 concurrent takeWrites against a limit of 5: exactly 5 succeed, the counter says 5", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.limits.takeWrites("k-race", "2026-11-30", 1, 5)),
    );

    expect(results.filter(Boolean)).toHaveLength(5);
    expect(await store.limits.writesUsed("k-race", "2026-11-30")).toBe(5);
  });

  it("20 concurrent takeCall against a limit of 7: exactly 7 succeed", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.limits.takeCall("k-race-call", 2_000, 60, 7)),
    );

    expect(results.filter(Boolean)).toHaveLength(7);
  });
});

describe("DynamoProposalStore", () => {
  it("creates once, reads back the write and reason, and refuses a second create of the id", async () => {
    const p = proposal();
    await store.proposals.create(p);

    expect(await store.proposals.get(p.id)).toEqual(p);
    await expect(store.proposals.create(p)).rejects.toBeInstanceOf(ValidationError);
    expect(await store.proposals.get("prop_nosuch")).toBeNull();
  });

  it("reads back every kind of write", async () => {
    const writes: Proposal["write"][] = [
      { kind: "crm-note", module: "Deals", id: "5545974000001234002", title: "t", content: "c" },
      {
        kind: "crm-task",
        module: "Leads",
        id: "5545974000001234003",
        subject: "call",
        dueDate: "2026-12-01",
      },
      { kind: "desk-comment", ticketId: "123", content: "private" },
      { kind: "desk-draft", ticketId: "124", content: "reply", send: true },
    ];
    for (const write of writes) {
      const p = proposal({ write });
      await store.proposals.create(p);
      expect((await store.proposals.get(p.id))?.write).toEqual(write);
    }
  });

  it("transitions only from the given status, with the patch; the decision sets the TTL", async () => {
    const p = proposal();
    await store.proposals.create(p);

    expect(await store.proposals.transition(p.id, "approving", "written")).toBe(false);
    expect(
      await store.proposals.transition(p.id, "pending", "approving", {
        decidedAt: "2026-12-01T09:00:00.000Z",
        decidedBy: "ana",
      }),
    ).toBe(true);
    expect(
      await store.proposals.transition(p.id, "approving", "written", {
        result: { ok: true, message: "Leads 5545974000001234001: AI_Score" },
      }),
    ).toBe(true);

    expect(await store.proposals.get(p.id)).toEqual({
      ...p,
      status: "written",
      decidedAt: "2026-12-01T09:00:00.000Z",
      decidedBy: "ana",
      result: { ok: true, message: "Leads 5545974000001234001: AI_Score" },
    });
    expect((await raw(`proposal#${p.id}`))?.expiresAt).toBe(
      Date.parse("2026-12-01T09:00:00.000Z") / 1000 + 30 * 86_400,
    );
  });

  it("a transition of an unknown id is false and creates nothing", async () => {
    expect(await store.proposals.transition("prop_ghost", "pending", "approving")).toBe(false);
    expect(await raw("proposal#prop_ghost")).toBeUndefined();
  });

  it("two concurrent approvals: exactly one transition succeeds", async () => {
    const p = proposal();
    await store.proposals.create(p);

    const results = await Promise.all(
      ["ana", "ben"].map((by) =>
        store.proposals.transition(p.id, "pending", "approving", {
          decidedAt: "2026-12-01T09:00:00.000Z",
          decidedBy: by,
        }),
      ),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? "ana" : "ben";
    expect((await store.proposals.get(p.id))?.decidedBy).toBe(winner);
  });

  it("lists newest first, filtered by status", async () => {
    const fresh = createDynamoAgentStore(ddb, "list-proposals");
    await ensureTables(ddb, ["list-proposals"]);
    const old = proposal({ createdAt: "2026-11-28T00:00:00.000Z" });
    const mid = proposal({ createdAt: "2026-11-29T00:00:00.000Z", status: "rejected" });
    const nu = proposal({ createdAt: "2026-11-30T00:00:00.000Z" });
    for (const p of [mid, nu, old]) await fresh.proposals.create(p);

    expect((await fresh.proposals.list()).map((p) => p.id)).toEqual([nu.id, mid.id, old.id]);
    expect((await fresh.proposals.list("pending")).map((p) => p.id)).toEqual([nu.id, old.id]);
    expect((await fresh.proposals.list("rejected")).map((p) => p.id)).toEqual([mid.id]);
    expect(await fresh.proposals.list("written")).toEqual([]);
  });
});

describe("DynamoToolCallLog", () => {
  const call = (overrides: Partial<ToolCallRecord>): ToolCallRecord => ({
    id: `call_${Math.random().toString(36).slice(2, 12).padEnd(20, "0")}`,
    keyId: "key-a",
    keyName: "a",
    connection: "default",
    tool: "crm_search",
    argsDigest: "f".repeat(64),
    outcome: "ok",
    zohoCalls: 2,
    writes: 0,
    at: "2026-11-30T10:00:00.000Z",
    durationMs: 12.5,
    ...overrides,
  });

  it("gets a call by id, with its optional fields, and null for an unknown id", async () => {
    const c = call({ outcome: "refused", code: "forbidden", message: "this key lacks the scope crm.write" });
    await store.calls.record(c);

    expect(await store.calls.get(c.id)).toEqual(c);
    expect(await store.calls.get("call_nosuch")).toBeNull();
    expect((await raw(`call#${c.id}`))?.expiresAt).toBe(
      Date.parse("2026-11-30T10:00:00.000Z") / 1000 + 30 * 86_400,
    );
  });

  it("lists a key's calls newest first, at most the limit, none of another key", async () => {
    const calls = [1, 2, 3, 4].map((d) =>
      call({
        keyId: "key-list",
        at: `2026-11-0${d}T10:00:00.000Z`,
        outcome: "proposed",
        proposalId: `prop_${d}`,
      }),
    );
    for (const c of calls) await store.calls.record(c);
    await store.calls.record(call({ keyId: "key-other" }));

    const all = await store.calls.listByKey("key-list");
    expect(all.map((c) => c.at)).toEqual(calls.map((c) => c.at).reverse());
    expect(all[0]).toEqual(calls[3]);
    expect((await store.calls.listByKey("key-list", 2)).map((c) => c.id)).toEqual([
      calls[3]?.id,
      calls[2]?.id,
    ]);
  });
});

describe("failures", () => {
  it("an unreachable table answers a retryable UpstreamUnavailableError", async () => {
    const missing = createDynamoAgentStore(ddb, "no-such-table");

    await expect(missing.keys.get("abcdefghijkl")).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(missing.limits.takeCall("k", 0, 60, 1)).rejects.toMatchObject({ retryable: true });
  });
});

describe("DynamoJobStore.statusOf", () => {
  const clock = new FakeClock();
  let jobs: DynamoJobStore;
  beforeAll(() => {
    jobs = new DynamoJobStore(ddb, "jobs", clock);
  });

  it("follows a job from claimed to done", async () => {
    const key = "default|crm:Leads:5545974000001234001:t1";
    await jobs.claim(key, "job-done", 60_000);

    // The job's dedup key tells `jobs show` which trigger it came from.
    expect(await jobs.statusOf("job-done")).toEqual({
      jobId: "job-done",
      connection: "default",
      dedupKey: "crm:Leads:5545974000001234001:t1",
      status: "in-progress",
    });

    await jobs.complete(key, { written: ["AI_Score"] });
    expect(await jobs.statusOf("job-done")).toEqual({
      jobId: "job-done",
      connection: "default",
      dedupKey: "crm:Leads:5545974000001234001:t1",
      status: "done",
      outcome: { written: ["AI_Score"] },
    });
  });

  it("says dead-lettered with the reason, and replaying once its replay claims it", async () => {
    const key = "default|desk:ticket:42:t1";
    await jobs.claim(key, "job-dl", 60_000);
    await jobs.deadLetter(key, {
      reason: "model output failed twice",
      deadLetterId: "dl-1",
      messageId: "m-1",
    });

    expect(await jobs.statusOf("job-dl")).toEqual({
      jobId: "job-dl",
      connection: "default",
      dedupKey: "desk:ticket:42:t1",
      status: "dead-lettered",
      reason: "model output failed twice",
      deadLetterId: "dl-1",
      deadLetteredAt: expect.any(String),
    });

    await jobs.claim(key, "job-dl-replay", 60_000, { replayId: "dl-1" });
    expect(await jobs.statusOf("job-dl-replay")).toMatchObject({ status: "replaying" });
  });

  it("answers null for an unknown job id", async () => {
    expect(await jobs.statusOf("job-never-claimed")).toBeNull();
    expect(await jobs.statusOf("")).toBeNull();
  });
});
