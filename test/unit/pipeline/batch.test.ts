/**
 * The batch stages (issue 14): a batch's units are claimed, capped, planned and completed with one job store or
 * ledger request each; their model calls run side by side up to the invocation's `modelConcurrency` (map calls
 * included), their Zoho calls up to `zohoConcurrency`; every unit of a mixed batch still ends in its own decision,
 * and a failed batch request decides each unit it was for.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { wavesOf } from "../../../shared/domain/waves.js";
import { recordKeyOf } from "../../../shared/domain/write-cap.js";
import { ConnectionBrokenError, LlmOutputError, UpstreamUnavailableError } from "../../../shared/errors.js";
import { jobKeyOf, readMessage } from "../../../shared/pipeline/record.js";
import type { JobStore } from "../../../shared/ports/job-store.js";
import type { Ledger } from "../../../shared/ports/ledger.js";
import type { ZohoPorts } from "../../../shared/ports/zoho.js";
import { FakeLlm } from "../../fakes/llm.js";
import { mapReduce } from "../../fakes/map-reduce.js";
import {
  delivery,
  LEAD_ANSWER,
  leadMessage,
  PipelineHarness,
  TICKET_ANSWER,
  ticketMessage,
} from "../../fakes/pipeline.js";

let h: PipelineHarness;
beforeEach(() => {
  h = new PipelineHarness();
});

const leadId = (i: number) => String(4_100_000_000_000 + i);
/** The record's AI writes counted today (its cap slots taken). */
const capOf = (id: string | undefined) =>
  h.ledger.count(recordKeyOf("default", { service: "crm", module: "Leads", id: id as string }));
const ticketId = (i: number) => String(7_100_000_000_000 + i);

/** `n` leads in the org, each with a distinct last name the model fake can tell apart. */
function leads(n: number, name = (i: number) => `Lead${i}`): string[] {
  return Array.from({ length: n }, (_, i) => {
    h.crm.put("Leads", { id: leadId(i), Last_Name: name(i), Company: "Analytical Engines" });
    return leadId(i);
  });
}

/** Counts the calls made on the object itself (a batch form's own inner calls go to the target, uncounted). */
function counted<T extends object>(target: T): { port: T; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const port = new Proxy(target, {
    get(t, name, receiver) {
      const value = Reflect.get(t, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return value.apply(t, args);
      };
    },
  });
  return { port, calls };
}
const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);

/** Each call takes a turn of the event loop, and the most calls in flight at once is kept. */
function inFlight<T extends object>(target: T, meter: { now: number; max: number }): T {
  return new Proxy(target, {
    get(t, name, receiver) {
      const value = Reflect.get(t, name, receiver);
      if (typeof value !== "function" || name === "creditsRemaining") return value;
      return async (...args: unknown[]) => {
        meter.now += 1;
        meter.max = Math.max(meter.max, meter.now);
        try {
          await new Promise((resolve) => setImmediate(resolve));
          return await value.apply(t, args);
        } finally {
          meter.now -= 1;
        }
      };
    },
  });
}

/** Each model call takes a turn of the event loop, so the calls of a batch overlap as far as the bound lets them. */
const slowModel = () => {
  h.llm.gate = () => new Promise((resolve) => setImmediate(resolve));
};

describe("a batch of 50 lead units: one request per batch stage", () => {
  it("1 claimMany, 1 countRecordWrites, at most 3 savePlans, 1 completeMany; 0.2 job store requests per unit at most", async () => {
    const ids = leads(50);
    // One wave: waves of 50, and fewer than four rounds of the model bound.
    h.config = { ...h.config, waveSize: 50, modelConcurrency: 20 };
    const jobs = counted<JobStore>(h.jobs);
    const ledger = counted<Ledger>(h.ledger);

    const out = await h.pipeline({ jobs: jobs.port, ledger: ledger.port })(
      ids.map((id) => delivery(leadMessage(id))),
    );

    expect(out.every((d) => d.action === "ack" && d.result === "written")).toBe(true);
    expect(h.crm.writes().filter((c) => c.method === "updateRecords")).toHaveLength(1);
    expect(jobs.calls.get("claimMany")).toBe(1);
    expect(ledger.calls.get("countRecordWrites")).toBe(1);
    expect(jobs.calls.get("savePlans")).toBeLessThanOrEqual(3);
    expect(jobs.calls.get("completeMany")).toBe(1);
    for (const single of ["claim", "savePlan", "complete"]) expect(jobs.calls.get(single)).toBeUndefined();
    expect(total(jobs.calls) / 50).toBeLessThanOrEqual(0.2);
    // The day's token spend is read once for the batch; usage is added once.
    expect(ledger.calls.get("tokensSpent")).toBe(1);
    expect(ledger.calls.get("addUsage")).toBe(1);
    expect(total(jobs.calls) + total(ledger.calls)).toBeLessThanOrEqual(10);
    for (const id of ids) expect(capOf(id)).toBe(1);
  });
});

describe("a batch in waves", () => {
  it("100 units in 4 waves (of 25: a first of 10, two rounds of the bound, then 30 each): one request per stage per wave, the first wave written while later waves ask", async () => {
    h.config = { ...h.config, modelConcurrency: 5, waveSize: 25 };
    slowModel();
    const ids = leads(100);
    const jobs = counted<JobStore>(h.jobs);
    // How many model calls had been made when the first update went out.
    let callsAtFirstWrite: number | undefined;
    const update = h.crm.updateRecords.bind(h.crm);
    h.crm.updateRecords = async (...args) => {
      callsAtFirstWrite ??= h.llm.calls;
      return update(...args);
    };

    const out = await h.pipeline({ jobs: jobs.port })(ids.map((id) => delivery(leadMessage(id))));

    expect(out.every((d) => d.action === "ack" && d.result === "written")).toBe(true);
    expect(jobs.calls.get("claimMany")).toBe(4);
    expect(jobs.calls.get("completeMany")).toBe(4);
    expect(
      h.crm
        .writes()
        .map((c) => (c.method === "updateRecords" ? c.records.length : 0))
        .filter((n) => n > 0),
    ).toEqual([10, 30, 30, 30]);
    expect(h.llm.maxInFlight).toBe(5);
    expect(callsAtFirstWrite).toBeLessThan(100);
  });
});

describe("wavesOf", () => {
  const sizes = (n: number, wave: number, model: number) =>
    wavesOf(
      Array.from({ length: n }, (_, i) => i),
      wave,
      model,
    ).map((w) => w.length);

  it("keeps the count of waves of waveSize (two from four model rounds on), with a first wave of two model rounds", () => {
    expect(sizes(19, 25, 5)).toEqual([19]);
    expect(sizes(20, 25, 5)).toEqual([10, 10]);
    expect(sizes(25, 25, 5)).toEqual([10, 15]);
    expect(sizes(30, 25, 5)).toEqual([10, 20]);
    expect(sizes(100, 25, 5)).toEqual([10, 30, 30, 30]);
    expect(sizes(500, 25, 5).length).toBe(20);
    expect(sizes(500, 25, 5)[0]).toBe(10);
    expect(sizes(7, 1, 5)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(sizes(0, 25, 5)).toEqual([0]);
  });
});

describe("the invocation's bound on model calls", () => {
  it("40 units never have more than modelConcurrency calls in flight, and reach it", async () => {
    h.config = { ...h.config, modelConcurrency: 4 };
    slowModel();
    const ids = leads(40);

    const out = await h.pipeline()(ids.map((id) => delivery(leadMessage(id))));

    expect(out.every((d) => d.action === "ack")).toBe(true);
    expect(h.llm.calls).toBe(40);
    expect(h.llm.maxInFlight).toBe(4);
  });

  it("starts no model call past the batch's cutoff: the units still waiting are deferred, the others written", async () => {
    // One call at a time, each taking 60 s of the clock: calls start at 0, 60 and 120 s; 180 s is past the cutoff.
    h.config = { ...h.config, modelConcurrency: 1, askCutoffMs: 150_000 };
    h.llm.gate = async () => {
      h.clock.advance(60_000);
    };
    const ids = leads(5);

    const out = await h.pipeline()(ids.map((id) => delivery(leadMessage(id))));

    expect(out.map((d) => d.action)).toEqual(["ack", "ack", "ack", "defer", "defer"]);
    expect(out[3]).toMatchObject({ delayMs: 1_000, reason: expect.stringContaining("cutoff") });
    expect(h.llm.calls).toBe(3);
    // A deferred unit's cap slot is given back and its claim released: its re-sent message runs it in full.
    expect(capOf(ids[3])).toBe(0);
    const [again] = await h.pipeline()([delivery(leadMessage(ids[3]), 1, { deferrals: 1 })]);
    expect(again).toMatchObject({ action: "ack", result: "written" });
  });

  it("is per batch: two batches at once through one pipeline each get their own bound", async () => {
    h.config = { ...h.config, modelConcurrency: 3 };
    slowModel();
    const ids = leads(20);
    const pipeline = h.pipeline();

    await Promise.all([
      pipeline(ids.slice(0, 10).map((id) => delivery(leadMessage(id)))),
      pipeline(ids.slice(10).map((id) => delivery(leadMessage(id)))),
    ]);

    expect(h.llm.maxInFlight).toBe(6);
  });

  it("bounds map calls of all units together (never a slot held while waiting on them), and reaches the bound", async () => {
    h.config = { ...h.config, modelConcurrency: 3 };
    slowModel();
    const ids = leads(8);

    const out = await h.pipeline({ catalog: mapReduce({}, 5) })(ids.map((id) => delivery(leadMessage(id))));

    expect(out.every((d) => d.action === "ack" && d.result === "written")).toBe(true);
    expect(h.llm.calls).toBe(8 * 6);
    expect(h.llm.maxInFlight).toBe(3);
  });
});

describe("the invocation's bound on Zoho calls", () => {
  function trackedZoho(meter: { now: number; max: number }): (connection: string) => ZohoPorts {
    const ports = {
      crm: inFlight(h.crm, meter),
      desk: inFlight(h.desk, meter),
      creator: inFlight(h.creator, meter),
      books: inFlight(h.books, meter),
    };
    return () => ports;
  }
  function tickets(n: number): string[] {
    return Array.from({ length: n }, (_, i) => {
      const id = ticketId(i);
      h.desk.put({ id, subject: `Charged twice ${i}`, email: "ada@example.com", departmentId: "9" }, [
        { id: String(8_100_000_000_000 + i), direction: "in", content: "<p>You charged me twice.</p>" },
      ]);
      return id;
    });
  }

  it("100 ticket units never have more than zohoConcurrency (default 2) Zoho calls in flight, and reach it", async () => {
    const meter = { now: 0, max: 0 };
    const ids = tickets(100);

    const out = await h.pipeline({ zohoFor: trackedZoho(meter) })(
      ids.map((id) => delivery(ticketMessage(id))),
    );

    expect(out.every((d) => d.action === "ack" && d.result === "written")).toBe(true);
    expect(h.desk.writes().filter((c) => c.method === "draftReply")).toHaveLength(100);
    expect(meter.max).toBe(2);
  });

  it("follows zohoConcurrency", async () => {
    h.config = { ...h.config, zohoConcurrency: 5 };
    const meter = { now: 0, max: 0 };
    const ids = tickets(30);

    const out = await h.pipeline({ zohoFor: trackedZoho(meter) })(
      ids.map((id) => delivery(ticketMessage(id))),
    );

    expect(out.every((d) => d.action === "ack")).toBe(true);
    expect(meter.max).toBe(5);
  });
});

describe("a mixed batch: each unit's decision as before", () => {
  it("written, duplicates, busy, a model fault, a guard refusal, a dead letter and a deferral, side by side", async () => {
    leads(8, (i) => ["Ok", "Done", "Twice", "Busy", "Modelfault", "Badguard", "Broken", "Ok2"][i] as string);
    const llm = new FakeLlm((request) => {
      if (request.user.includes("Modelfault")) throw new UpstreamUnavailableError("openai", "503");
      if (request.user.includes("Badguard")) return { ...LEAD_ANSWER, icp_fit: "Excellent" };
      return request.schemaName === "ticket_triage" ? TICKET_ANSWER : LEAD_ANSWER;
    });
    const done = leadMessage(leadId(1));
    expect((await h.run(delivery(done)))[0]).toMatchObject({ result: "written" });
    const busy = leadMessage(leadId(3));
    await h.jobs.claim(jobKeyOf(readMessage(delivery(busy)) as never), "other-worker", 60_000);
    const twice = leadMessage(leadId(2));
    const zohoFor = (connection: string) => {
      if (connection === "broken") throw new ConnectionBrokenError("broken", "invalid_code");
      return { crm: h.crm, desk: h.desk, creator: h.creator, books: h.books };
    };

    const out = await h.pipeline({ llm, zohoFor })([
      delivery(leadMessage(leadId(0))),
      delivery(done),
      delivery(twice),
      delivery(twice),
      delivery(busy),
      delivery(leadMessage(leadId(4))),
      delivery(leadMessage(leadId(5))),
      delivery("not json"),
      delivery(leadMessage(leadId(6), "t1", { connection: "broken" })),
      delivery(leadMessage(leadId(7))),
    ]);

    expect(out.map((d) => [d.action, "result" in d ? d.result : d.reason])).toEqual([
      ["ack", "written"],
      ["ack", "duplicate"],
      ["ack", "written"],
      ["retry", "another worker holds this job"],
      ["retry", "another worker holds this job"],
      ["retry", expect.stringContaining("503")],
      ["dead-letter", expect.stringContaining("write guard rejected")],
      ["dead-letter", "not a valid work message (schema v1)"],
      ["defer", expect.stringContaining("ConnectionBrokenError")],
      ["ack", "written"],
    ]);
    // Only the written units hold their records' cap slots; the model fault and the refusal gave theirs back.
    expect([0, 1, 2, 3, 4, 5, 7].map((i) => capOf(leadId(i)))).toEqual([1, 1, 1, 0, 0, 0, 1]);
    // One update each for the three written leads of this batch (plus the earlier run's).
    const updated = h.crm
      .writes()
      .flatMap((c) => (c.method === "updateRecords" ? c.records.map((r) => r.id) : []));
    expect(updated.sort()).toEqual([leadId(0), leadId(1), leadId(2), leadId(7)].sort());
  });

  it("a model output failing twice dead-letters its unit alone", async () => {
    const ids = leads(3, (i) => `Name${i}`);
    let bad = 0;
    const llm = new FakeLlm((request) => {
      if (request.user.includes("Name1") && bad++ < 2) throw new LlmOutputError("score: expected number");
      return LEAD_ANSWER;
    });

    const out = await h.pipeline({ llm })(ids.map((id) => delivery(leadMessage(id))));

    expect(out.map((d) => d.action)).toEqual(["ack", "dead-letter", "ack"]);
    expect(capOf(ids[1])).toBe(0);
  });
});

describe("a batch request that fails decides each unit it was for", () => {
  it("claimMany fails: every unit retries, nothing is claimed or asked", async () => {
    const ids = leads(5);
    h.jobs.failNext.push("claimMany");

    const out = await h.run(...ids.map((id) => delivery(leadMessage(id))));

    expect(out.every((d) => d.action === "retry")).toBe(true);
    expect(h.llm.calls).toBe(0);
    expect(h.jobs.items.size).toBe(0);
  });

  it("savePlans fails for the plans: every unit retries with its cap slot given back, nothing written", async () => {
    const ids = leads(5);
    h.jobs.failNext.push("savePlans");

    const out = await h.run(...ids.map((id) => delivery(leadMessage(id))));

    expect(out.every((d) => d.action === "retry")).toBe(true);
    expect(h.crm.writes()).toHaveLength(0);
    for (const id of ids) expect(capOf(id)).toBe(0);
  });

  it("completeMany fails: the units retry, and their redelivery only completes (no second write or model call)", async () => {
    const ids = leads(5);
    const bodies = ids.map((id) => leadMessage(id));
    h.jobs.failNext.push("completeMany");

    const first = await h.run(...bodies.map((b) => delivery(b, 1)));
    expect(first.every((d) => d.action === "retry")).toBe(true);
    const writes = h.crm.writes().length;

    const second = await h.run(...bodies.map((b) => delivery(b, 2)));
    expect(second.every((d) => d.action === "ack" && d.result === "written")).toBe(true);
    expect(h.crm.writes()).toHaveLength(writes);
    expect(h.llm.calls).toBe(5);
  });
});
