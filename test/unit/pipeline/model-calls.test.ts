/**
 * A use case that makes several model calls per unit (`answer` with the pipeline's `ask`): map calls run at most
 * `modelConcurrency` at once, each call's usage and cost is recorded under its label in the stored plan and the
 * job's completion record, a failed map call is repaired once, images reach the Llm, and a unit over its
 * per-event token budget is dead-lettered before any model call.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { LlmOutputError, UpstreamUnavailableError } from "../../../shared/errors.js";
import type { StoredPlan } from "../../../shared/schemas/stored-plan.js";
import { mapReduce } from "../../fakes/map-reduce.js";
import { delivery, LEAD_ID, leadMessage, PipelineHarness } from "../../fakes/pipeline.js";

let h: PipelineHarness;
beforeEach(() => {
  h = new PipelineHarness();
});

/** Holds every model call until `release()`: lets calls pile up to count how many run at once. */
function gateCalls() {
  const waiting: (() => void)[] = [];
  let open = false;
  h.llm.gate = () => (open ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)));
  return {
    waiting: () => waiting.length,
    release: () => {
      open = true;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

/** Copies of every plan the pipeline stores (the job store drops the plan once the job is done). */
function storedPlans() {
  const plans: StoredPlan[] = [];
  const save = h.jobs.savePlan.bind(h.jobs);
  h.jobs.savePlan = async (key, plan) => {
    plans.push(structuredClone(plan));
    return save(key, plan);
  };
  return plans;
}

/** Polls `condition` until it holds (no fixed sleeps), failing after `ms`. */
async function until(condition: () => boolean, ms = 2_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("answer(): several model calls per unit", () => {
  it("runs at most modelConcurrency map calls at once, then the reduce; the plan's note is the reduce's answer", async () => {
    h.config = { ...h.config, modelConcurrency: 3 };
    h.llm.byLabel.set("reduce", [{ value: { summary: "Merged summary." } }]);
    const gate = gateCalls();

    const running = h.pipeline({ catalog: mapReduce() })([delivery(leadMessage())]);
    await until(() => gate.waiting() === 3);
    // Nothing more starts while three are in flight.
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.llm.inFlight).toBe(3);
    expect(h.llm.calls).toBe(3);
    gate.release();
    const [out] = await running;

    expect(out).toMatchObject({ action: "ack", result: "written" });
    expect(h.llm.maxInFlight).toBe(3);
    expect(h.llm.calls).toBe(11);
    expect(h.llm.requests.at(-1)?.label).toBe("reduce");
    expect(h.crm.notes.find((n) => n.title === "Call")).toMatchObject({
      recordId: LEAD_ID,
      content: "Merged summary.",
    });
  });

  it("defaults to 5 calls at once (MODEL_CONCURRENCY's default, per invocation)", async () => {
    const gate = gateCalls();
    const running = h.pipeline({ catalog: mapReduce() })([delivery(leadMessage())]);
    await until(() => gate.waiting() === 5);
    gate.release();
    await running;

    expect(h.llm.maxInFlight).toBe(5);
  });

  it("records each call's tokens and cost under its label in the stored plan and the completion record", async () => {
    h.config = { ...h.config, price: () => ({ prompt: 150_000, completion: 600_000 }) };
    const stored = storedPlans();

    await h.pipeline({ catalog: mapReduce({}, 3) })([delivery(leadMessage())]);

    const job = [...h.jobs.items.values()][0];
    // FakeLlm answers 100 prompt and 20 completion tokens per call: 100*0.15 + 20*0.6 = 27 micro-dollars.
    const call = (label: string) => ({ label, promptTokens: 100, completionTokens: 20, costMicros: 27 });
    const calls = [call("chunk 1/3"), call("chunk 2/3"), call("chunk 3/3"), call("reduce")];
    expect(stored[0]?.audit.calls).toEqual(calls);
    expect(job?.outcome).toMatchObject({ calls, usage: { promptTokens: 400, completionTokens: 80 } });
    // The day's usage in the ledger has every call's tokens.
    expect([...h.ledger.usage.values()]).toEqual([480]);
  });

  it("repairs one failed map call once (both attempts counted on its label); the others are not repeated", async () => {
    h.llm.byLabel.set("chunk 2/3", [{ error: new LlmOutputError("summary: required") }]);

    const [out] = await h.pipeline({ catalog: mapReduce({}, 3) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ result: "written" });
    const labels = h.llm.requests.map((r) => r.label);
    expect(labels.filter((l) => l === "chunk 2/3")).toHaveLength(2);
    expect(labels.filter((l) => l === "chunk 1/3")).toHaveLength(1);
    expect(h.llm.requests.find((r) => r.label === "chunk 2/3" && r.repairHint)?.repairHint).toBe(
      "summary: required",
    );
  });

  it("a map call failing twice dead-letters the unit with its label; nothing is written", async () => {
    const bad = { error: new LlmOutputError("not JSON") };
    h.llm.byLabel.set("chunk 3/3", [bad, { ...bad }]);

    const [out] = await h.pipeline({ catalog: mapReduce({}, 3) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "dead-letter", reason: expect.stringContaining("(chunk 3/3)") });
    expect(h.crm.writes()).toEqual([]);
  });

  it("a passing model fault in a map call retries the unit", async () => {
    h.llm.byLabel.set("chunk 1/3", [{ error: new UpstreamUnavailableError("openai", "503") }]);

    const [out] = await h.pipeline({ catalog: mapReduce({}, 3) })([delivery(leadMessage())]);

    expect(out).toMatchObject({ action: "retry" });
    expect(h.crm.writes()).toEqual([]);
  });

  it("passes a call's images to the Llm", async () => {
    const page = { mediaType: "image/png" as const, base64: "iVBORw0KGgo=" };
    const catalog = mapReduce(
      {
        load: async (_ctx, input) => ({ id: input.id, chunks: ["page 1"], images: [page] }),
      },
      1,
    );

    await h.pipeline({ catalog })([delivery(leadMessage())]);

    expect(h.llm.requests.find((r) => r.label === "chunk 1/1")?.images).toEqual([page]);
    expect(h.llm.requests.find((r) => r.label === "reduce")?.images).toBeUndefined();
  });

  it('a use case without answer() makes its one call, labelled "answer"', async () => {
    await h.run(delivery(leadMessage()));

    expect(h.llm.requests.map((r) => r.label)).toEqual(["answer"]);
    expect([...h.jobs.items.values()][0]?.outcome?.calls).toEqual([
      { label: "answer", promptTokens: 100, completionTokens: 20, costMicros: 0 },
    ]);
  });
});

describe("the per-event token budget", () => {
  it("dead-letters a unit estimated over it before any model call, with the reason (never truncated)", async () => {
    const catalog = mapReduce({ tokenBudgetPerEvent: 5_000, estimateTokens: () => 12_345.2 });

    const [out] = await h.pipeline({ catalog })([delivery(leadMessage())]);

    expect(out).toMatchObject({
      action: "dead-letter",
      reason: "input of about 12346 tokens is over lead-enrichment's budget of 5000 tokens per event",
    });
    expect(h.llm.calls).toBe(0);
    expect(h.crm.writes().filter((w) => w.method !== "createNotes")).toEqual([]);
    expect(h.metrics.get("EventTokenBudgetExceeded")).toBe(1);
  });

  it("lets a unit within it through", async () => {
    const catalog = mapReduce({ tokenBudgetPerEvent: 5_000, estimateTokens: () => 5_000 }, 2);

    const [out] = await h.pipeline({ catalog })([delivery(leadMessage())]);

    expect(out).toMatchObject({ result: "written" });
    expect(h.llm.calls).toBe(3);
  });
});
