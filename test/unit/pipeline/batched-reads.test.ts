/** Batched reads: a batch's concurrent `getRecord` calls become one `getRecords` per module per 100 ids. */
import { describe, expect, it } from "vitest";
import { NotFoundError, UpstreamUnavailableError } from "../../../shared/errors.js";
import { batchedReads } from "../../../shared/pipeline/batched-reads.js";
import type { ZohoPorts } from "../../../shared/ports/zoho.js";
import type { CrmRecord, ZohoCrm } from "../../../shared/ports/zoho-crm.js";
import { FakeZohoBooks } from "../../fakes/zoho-books.js";
import { FakeZohoCreator } from "../../fakes/zoho-creator.js";
import { FakeZohoDesk } from "../../fakes/zoho-desk.js";

type Call = { method: string; module: string; ids: string[]; fields?: readonly string[] | undefined };

/** A CRM that answers reads from a table and logs each call (the only methods batched reads touches). */
function crmWith(table: Record<string, string[]>, fail?: Error) {
  const calls: Call[] = [];
  const has = (module: string, id: string) => table[module]?.includes(id) ?? false;
  const crm = {
    calls,
    label: "the adapter",
    async getRecords(module: string, ids: readonly string[], fields?: readonly string[]) {
      calls.push({ method: "getRecords", module, ids: [...ids], fields });
      if (fail) throw fail;
      // Zoho answers in its own order (id descending), missing ids simply absent.
      return ids
        .filter((id) => has(module, id))
        .sort()
        .reverse()
        .map((id): CrmRecord => ({ id, Last_Name: `${module} ${id}`, Email: `${id}@x.test` }));
    },
    async getRecord(module: string, id: string, fields?: readonly string[]) {
      calls.push({ method: "getRecord", module, ids: [id], fields });
      return has(module, id) ? ({ id, Last_Name: `${module} ${id}` } as CrmRecord) : null;
    },
    /** Not batched: must reach the adapter with the adapter as `this`. */
    creditsRemaining(this: { label: string }) {
      return this.label === "the adapter" ? 42 : undefined;
    },
  };
  const ports: ZohoPorts = {
    crm: crm as unknown as ZohoCrm,
    desk: new FakeZohoDesk(),
    creator: new FakeZohoCreator(),
    books: new FakeZohoBooks(),
  };
  return { crm, ports };
}

const ids = (prefix: number, n: number) => Array.from({ length: n }, (_, i) => String(prefix + i));

describe("batchedReads", () => {
  it("coalesces 60 concurrent reads across 2 modules into one call per module, each caller its own record", async () => {
    const leads = ids(1000, 30);
    const contacts = ids(2000, 30);
    const { crm, ports } = crmWith({ Leads: leads, Contacts: contacts });
    const reads = batchedReads(ports);
    const got = await Promise.all([
      ...leads.map((id) => reads.crm.getRecord("Leads", id)),
      ...contacts.map((id) => reads.crm.getRecord("Contacts", id)),
    ]);
    expect(crm.calls.map((c) => [c.method, c.module, c.ids.length])).toEqual([
      ["getRecords", "Leads", 30],
      ["getRecords", "Contacts", 30],
    ]);
    expect(got.map((r) => r?.id)).toEqual([...leads, ...contacts]);
    expect(got[0]?.Last_Name).toBe("Leads 1000");
    expect(got[30]?.Last_Name).toBe("Contacts 2000");
  });

  it("reads 150 ids of one module in two calls of at most 100", async () => {
    const leads = ids(1000, 150);
    const { crm, ports } = crmWith({ Leads: leads });
    const reads = batchedReads(ports);
    const got = await Promise.all(leads.map((id) => reads.crm.getRecord("Leads", id)));
    expect(crm.calls.map((c) => c.ids.length)).toEqual([100, 50]);
    expect(got.every((r, i) => r?.id === leads[i])).toBe(true);
  });

  it("answers null for an id Zoho did not return, and the others their records", async () => {
    const { crm, ports } = crmWith({ Leads: ["1", "3"] });
    const reads = batchedReads(ports);
    const got = await Promise.all(["1", "2", "3"].map((id) => reads.crm.getRecord("Leads", id)));
    expect(got.map((r) => r?.id ?? null)).toEqual(["1", null, "3"]);
    expect(crm.calls).toHaveLength(1);
  });

  it("a not-found answer to the list call reads each id alone instead of failing the others", async () => {
    const { crm, ports } = crmWith({ Leads: ["1"] }, new NotFoundError("zoho-crm", "INVALID_DATA ids"));
    const reads = batchedReads(ports);
    const got = await Promise.all(["1", "2"].map((id) => reads.crm.getRecord("Leads", id)));
    expect(got.map((r) => r?.id ?? null)).toEqual(["1", null]);
    expect(crm.calls.map((c) => c.method)).toEqual(["getRecords", "getRecord", "getRecord"]);
  });

  it("a failing batched call rejects every waiting read with its error", async () => {
    const fault = new UpstreamUnavailableError("zoho-crm", "503");
    const { ports } = crmWith({ Leads: ids(1, 5) }, fault);
    const reads = batchedReads(ports);
    const settled = await Promise.allSettled(ids(1, 5).map((id) => reads.crm.getRecord("Leads", id)));
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill("rejected"));
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toBe(fault);
  });

  it("one caller alone works, and asks for the fields it named; with no fields named it is a GET by id", async () => {
    const { crm, ports } = crmWith({ Leads: ["7"] });
    const reads = batchedReads(ports);
    expect((await reads.crm.getRecord("Leads", "7", ["Email"]))?.id).toBe("7");
    expect(await reads.crm.getRecord("Leads", "8")).toBeNull();
    expect((await reads.crm.getRecord("Leads", "7"))?.id).toBe("7");
    // All fields of one record: the list call would have to name every field (more calls than one GET by id).
    expect(crm.calls).toEqual([
      { method: "getRecords", module: "Leads", ids: ["7"], fields: ["Email"] },
      { method: "getRecord", module: "Leads", ids: ["8"], fields: undefined },
      { method: "getRecord", module: "Leads", ids: ["7"], fields: undefined },
    ]);
  });

  it("asks for the union of the callers' fields, or every field when one caller named none", async () => {
    const { crm, ports } = crmWith({ Leads: ["1", "2", "3"] });
    const reads = batchedReads(ports);
    await Promise.all([
      reads.crm.getRecord("Leads", "1", ["Email", "Company"]),
      reads.crm.getRecord("Leads", "2", ["Company", "Modified_Time"]),
    ]);
    await Promise.all([reads.crm.getRecord("Leads", "1", ["Email"]), reads.crm.getRecord("Leads", "3")]);
    expect(crm.calls.map((c) => c.fields)).toEqual([["Email", "Company", "Modified_Time"], undefined]);
  });

  it("the same id twice in a batch is read once and answered to both; nothing is cached to the next batch", async () => {
    const { crm, ports } = crmWith({ Leads: ["1"] });
    const reads = batchedReads(ports);
    const [a, b] = await Promise.all([reads.crm.getRecord("Leads", "1"), reads.crm.getRecord("Leads", "1")]);
    expect([a?.id, b?.id]).toEqual(["1", "1"]);
    expect(a).not.toBe(b);
    await reads.crm.getRecord("Leads", "1");
    expect(crm.calls.map((c) => c.ids)).toEqual([["1"], ["1"]]);
  });

  it("passes every other call to the adapter itself", async () => {
    const { ports } = crmWith({});
    const reads = batchedReads(ports);
    expect(reads.crm.creditsRemaining()).toBe(42);
    expect(reads.desk).toBe(ports.desk);
  });
});
