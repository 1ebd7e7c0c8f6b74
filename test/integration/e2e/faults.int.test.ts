/**
 * Fault tests on the whole local stack. Every accepted event ends exactly once: as a valid write, or in the
 * dead-letter queue with a reason. No duplicate and no invalid write reaches the Zoho sandbox.
 */
import { describe, expect, it } from "vitest";
import { deadLetters, deadLettersAtLeast, stackPerTest, until } from "../../helpers/local-stack.js";

const { start, get: s, writesFor, leadIds, trigger } = stackPerTest();
const modelCalls = () => s().model?.stats().requests ?? 0;

describe("faults", () => {
  it("Zoho 401 in the middle of a batch: one coordinated refresh, then every record is written once", async () => {
    await start();
    const ids = leadIds().slice(0, 6);
    s().sandbox?.inject({ target: "crm", kind: 401, count: 1 });
    await fetch(`${s().sandbox?.url}/_sandbox/tokens/expire`, { method: "POST" });

    for (const id of ids) await trigger(id);
    await until(() => expect(ids.every((id) => writesFor(id).length === 1)).toBe(true));

    expect(ids.map((id) => writesFor(id).length)).toEqual(ids.map(() => 1));
    expect(writesFor(ids[0] as string)[0]?.trigger).toEqual([]);
    expect(await deadLetters(s())).toEqual([]);
  });

  it("Zoho 429 and 500 on the write: the unit is retried from its stored plan, not re-asked, and written once", async () => {
    await start();
    const id = leadIds()[2] as string;
    const before = modelCalls();
    // Reads pass; the PUT meets 3 x 429 (the client's in-call budget is 2), then a 500 on the next attempt.
    const original = s().sandbox?.state;
    let puts = 0;
    const realWrite = original?.crm.write.bind(original.crm);
    if (original && realWrite) {
      original.crm.write = (...args: Parameters<typeof realWrite>) => {
        if (args[1] === "update" && args[4] !== "ui") {
          puts += 1;
          if (puts <= 3)
            return {
              status: 429,
              body: { code: "TOO_MANY_REQUESTS", details: {}, message: "limit", status: "error" },
            };
          if (puts === 4)
            return {
              status: 500,
              body: { code: "INTERNAL_ERROR", details: {}, message: "oops", status: "error" },
            };
        }
        return realWrite(...args);
      };
    }

    await trigger(id);
    await until(() => expect(writesFor(id)).toHaveLength(1), 20_000);

    expect(puts).toBe(5);
    expect(modelCalls() - before).toBe(1);
    expect(s().events.filter((e) => e.startsWith("retry")).length).toBe(2);
    expect(await deadLetters(s())).toEqual([]);
  });

  it("model 429 with retry-after: the unit waits at least that long, then is written once", async () => {
    await start();
    const id = leadIds()[4] as string;
    s().model?.inject({ kind: "429", retryAfter: 1 });

    const started = Date.now();
    await trigger(id);
    await until(() => expect(writesFor(id)).toHaveLength(1), 20_000);

    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(s().model?.stats().by_status["429"]).toBe(1);
    expect(await deadLetters(s())).toEqual([]);
  });

  it("malformed model output once: the repair attempt succeeds and the unit is written", async () => {
    await start();
    const id = leadIds()[6] as string;
    s().model?.inject({ kind: "malformed", variant: "truncated" });

    await trigger(id);
    await until(() => expect(writesFor(id)).toHaveLength(1));

    expect(s().model?.stats().requests).toBe(2);
  });

  it("malformed model output twice, or a refusal twice: dead-letter with the reason, nothing written", async () => {
    await start();
    const [a, b] = leadIds().slice(7, 9) as [string, string];
    s().model?.inject({ kind: "malformed", variant: "schema", count: 2 });
    await trigger(a);
    await until(() =>
      expect(s().events.some((e) => e.startsWith("quarantined") && e.includes(a))).toBe(true),
    );
    s().model?.inject({ kind: "refusal", count: 2 });
    await trigger(b);
    await until(() =>
      expect(s().events.some((e) => e.startsWith("quarantined") && e.includes(b))).toBe(true),
    );

    const dead = await deadLettersAtLeast(s(), 2);
    expect(dead.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^model output failed twice/),
      expect.stringMatching(/^model output failed twice: model refused/),
    ]);
    expect(dead.map((d) => JSON.parse(d.body).subject.id)).toEqual([a, b]);
    expect([...writesFor(a), ...writesFor(b)]).toEqual([]);
  });

  it("a picklist value Zoho would reject (the org changed the picklist under the cached metadata): quarantined with Zoho's reason, nothing written, and the next unit uses the org's new values", async () => {
    // The model can only name the org's values (its schema is built from them); a value Zoho rejects now comes
    // from an org that changed the picklist after the worker read its fields.
    await start();
    const [a, b, c] = leadIds().slice(9, 12) as [string, string, string];
    await trigger(a);
    await until(() => expect(writesFor(a)).toHaveLength(1));
    const fit = s()
      .sandbox?.state.crm.modules.get("Leads")
      ?.fields.find((f) => f.api_name === "AI_ICP_Fit");
    const [none, strong] = fit?.pick_list_values ?? [];
    if (!fit || !none || !strong) throw new Error("the demo org has AI_ICP_Fit with values");
    fit.pick_list_values = [none, { ...strong, display_value: "Tier 1", actual_value: "Tier 1" }];

    await trigger(b);
    await until(() =>
      expect(s().events.some((e) => e.startsWith("quarantined") && e.includes(b))).toBe(true),
    );
    const dead = await deadLettersAtLeast(s(), 1);
    expect(writesFor(b)).toEqual([]);
    expect(dead[0]?.reason).toMatch(/^Zoho rejected the update: INVALID_DATA .*AI_ICP_Fit/);

    await trigger(c);
    await until(() => expect(writesFor(c)).toHaveLength(1));
    expect(s().sandbox?.state.crm.find("Leads", c)?.AI_ICP_Fit).toBe("Tier 1");
  });

  it("a duplicate delivery after the write acknowledges without writing", async () => {
    await start();
    const id = leadIds()[10] as string;

    await trigger(id, 1);
    // After the write means after the job is done, not merely after Zoho shows the update.
    await until(() => expect(s().events.some((e) => e.startsWith("written") && e.includes(id))).toBe(true));
    await trigger(id, 1);
    await until(() =>
      expect(
        s().events.some((e) => e.startsWith("duplicate") && e.includes(id)),
        s().events.join("\n"),
      ).toBe(true),
    );

    expect(writesFor(id)).toHaveLength(1);
  });
});
