/** The tools' small parts: ids, counting ports, bounded values, argument digests. */
import { describe, expect, it } from "vitest";
import { UpstreamUnavailableError } from "../../../shared/errors.js";
import { countingPorts } from "../../../shared/tools/counting.js";
import { newCallId, newProposalId } from "../../../shared/tools/ids.js";
import { argsDigest } from "../../../shared/tools/invoke.js";
import { boundedValue, trimRecord } from "../../../shared/tools/records.js";
import { FakeZohoBooks } from "../../fakes/zoho-books.js";
import { FakeZohoCreator } from "../../fakes/zoho-creator.js";
import { FakeZohoCrm } from "../../fakes/zoho-crm.js";
import { FakeZohoDesk } from "../../fakes/zoho-desk.js";

describe("ids", () => {
  it("are call_/prop_ and 20 characters [a-z0-9], all different", () => {
    const calls = Array.from({ length: 2_000 }, newCallId);

    expect(calls.every((id) => /^call_[a-z0-9]{20}$/.test(id))).toBe(true);
    expect(new Set(calls).size).toBe(calls.length);
    expect(newProposalId()).toMatch(/^prop_[a-z0-9]{20}$/);
  });
});

describe("countingPorts", () => {
  it("counts every Zoho call made, failed ones too, but not the local credits read", async () => {
    const crm = new FakeZohoCrm();
    crm.credits = 10;
    const desk = new FakeZohoDesk();
    const counting = countingPorts({ crm, desk, creator: new FakeZohoCreator(), books: new FakeZohoBooks() });
    crm.failNext("getRecord", new UpstreamUnavailableError("zoho-crm", "502"));

    await counting.zoho.crm.fields("Leads");
    await expect(counting.zoho.crm.getRecord("Leads", "1")).rejects.toThrow("502");
    await counting.zoho.desk.getTicket("1");
    const credits = counting.zoho.crm.creditsRemaining();

    expect(credits).toBe(10);
    expect(counting.calls()).toBe(3);
  });
});

describe("bounded values", () => {
  it("cuts strings, caps lists and depth, and drops $ keys", () => {
    const value = boundedValue({
      text: "x".repeat(3_000),
      list: Array.from({ length: 80 }, (_, i) => i),
      $system: true,
      deep: { a: { b: { c: "too deep" } } },
    }) as Record<string, any>;

    expect(value.text).toHaveLength(2_000);
    expect(value.list).toHaveLength(50);
    expect(value).not.toHaveProperty("$system");
    expect(value.deep).toEqual({ a: { b: null } });
  });

  it("keeps a record's id and the wanted fields it has", () => {
    expect(trimRecord({ id: "1", A: 1, B: 2, $c: 3 }, ["A", "$c", "Z"])).toEqual({ id: "1", A: 1 });
  });
});

describe("argsDigest", () => {
  it("does not depend on key order, and differs when a value does", () => {
    expect(argsDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(argsDigest({ b: { d: 3, c: 2 }, a: 1 }));
    expect(argsDigest({ a: 1 })).not.toBe(argsDigest({ a: 2 }));
    expect(argsDigest(undefined)).toMatch(/^[0-9a-f]{64}$/);
  });
});
