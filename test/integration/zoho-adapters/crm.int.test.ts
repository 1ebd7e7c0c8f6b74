/**
 * ZohoCrmHttp against the Zoho sandbox: reads in chunks of 100, writes with `"trigger": []`, per-item refusals as
 * ItemResults naming the field, notes and tasks on a record, search, COQL, live field metadata and credits.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { createZohoPorts } from "../../../shared/adapters/zoho/ports.js";
import { ValidationError } from "../../../shared/errors.js";
import type { ZohoCrm } from "../../../shared/ports/zoho-crm.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
let crm: ZohoCrm;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
beforeEach(() => {
  Object.assign(h.sandbox.options, { ...DEFAULT_OPTIONS, port: h.sandbox.port, seed: true });
  crm = createZohoPorts(h.container().zoho).crm;
});
afterAll(() => h.close());

type Inspection = {
  requests: { method: string; path: string }[];
  writes: {
    module: string;
    operation: string;
    trigger: string[] | null;
    ids: string[];
    fields: string[][];
  }[];
};
const inspect = () => h.sandbox.inspect() as unknown as Inspection;
const leadIds = () => [...h.sandbox.state.crm.table("Leads").keys()];

/** Creates `n` leads through the sandbox's own API (not the adapter), so the reads below have 101 ids. */
async function seedLeads(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 100) {
    const res = await h.container().zoho.request<{ data: { details: { id: string } }[] }>({
      service: "crm",
      method: "POST",
      path: "/crm/v8/Leads",
      body: {
        data: Array.from({ length: Math.min(100, n - i) }, (_, k) => ({
          Last_Name: `Chunk ${i + k}`,
          Company: "Acme",
        })),
        trigger: [],
      },
    });
    ids.push(...(res.data?.data ?? []).map((d) => d.details.id));
  }
  return ids;
}

describe("ZohoCrmHttp", () => {
  it("reads 101 records in two calls of at most 100 ids, every id a checked 19-digit string", async () => {
    const ids = await seedLeads(101);
    const before = inspect().requests.length;

    const records = await crm.getRecords("Leads", ids, ["Last_Name", "Company"]);

    const reads = inspect()
      .requests.slice(before)
      .filter((r) => r.method === "GET" && r.path.endsWith("/crm/v8/Leads"));
    expect(reads).toHaveLength(2);
    expect(new Set(records.map((r) => r.id))).toEqual(new Set(ids));
    expect(records.every((r) => /^\d{19}$/.test(r.id) && typeof r.Last_Name === "string")).toBe(true);
  });

  it("reads every field the module has when none are named (Zoho takes 50 per call)", async () => {
    const [id] = leadIds();

    const [record] = await crm.getRecords("Leads", [id as string]);
    const names = (await crm.fields("Leads")).map((f) => f.name);

    expect(record?.id).toBe(id);
    expect(Object.keys(record ?? {}).length).toBeGreaterThan(5);
    expect(names.length).toBeGreaterThan(5);
  });

  it("reads one record, or null for an id that does not exist", async () => {
    const [id] = leadIds();

    expect((await crm.getRecord("Leads", id as string))?.id).toBe(id);
    expect(await crm.getRecord("Leads", "1234567890123456789")).toBeNull();
  });

  it('updates with "trigger": [] and answers per record: a refusal names its field', async () => {
    const [a, b] = leadIds() as [string, string];

    const results = await crm.updateRecords("Leads", [
      { id: a, Description: "updated by the adapter test" },
      { id: b, Email: "not an e-mail address" },
    ]);

    expect(results[0]).toEqual({ ok: true, id: a });
    expect(results[1]).toMatchObject({ ok: false, code: "INVALID_DATA", field: "Email" });
    const write = inspect().writes.find((w) => w.module === "Leads" && w.operation === "update");
    expect(write?.trigger).toEqual([]);
    expect(write?.ids).toEqual([a]);
  });

  it("refuses more than 100 records before sending anything", async () => {
    const before = inspect().requests.length;
    const many = Array.from({ length: 101 }, (_, i) => ({ id: String(1000 + i), Description: "x" }));

    await expect(crm.updateRecords("Leads", many)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      crm.createNotes(many.map((m) => ({ module: "Leads", recordId: m.id, content: "x" }))),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(inspect().requests.length).toBe(before);
  });

  it('creates notes on records with "trigger": [], lists them newest first, and names a bad parent', async () => {
    const [id] = leadIds() as [string];

    const results = await crm.createNotes([
      { module: "Leads", recordId: id, title: "AI update", content: "first\njob: j-1" },
      { module: "Leads", recordId: id, content: "second" },
      { module: "Leads", recordId: "1234567890123456789", content: "orphan" },
    ]);
    const notes = await crm.listNotes("Leads", id);

    expect(results.slice(0, 2).every((r) => r.ok)).toBe(true);
    expect(results[2]).toMatchObject({ ok: false, code: "INVALID_DATA", field: "Parent_Id" });
    expect(notes.map((n) => n.content)).toEqual(expect.arrayContaining(["first\njob: j-1", "second"]));
    expect(notes.find((n) => n.content === "first\njob: j-1")?.title).toBe("AI update");
    expect(inspect().writes.find((w) => w.module === "Notes")?.trigger).toEqual([]);
  });

  it('creates a task related to a lead (What_Id + $se_module) with "trigger": []', async () => {
    const [id] = leadIds() as [string];

    const [result] = await crm.createTasks([
      { module: "Leads", recordId: id, subject: "Call back", dueDate: "2026-12-01", description: "from AI" },
    ]);
    const task = result?.ok ? h.sandbox.state.crm.find("Tasks", result.id) : undefined;

    expect(result?.ok).toBe(true);
    expect(task).toMatchObject({ Subject: "Call back", Due_Date: "2026-12-01", $se_module: "Leads" });
    expect((task?.What_Id as { id?: string } | undefined)?.id).toBe(id);
    expect(inspect().writes.find((w) => w.module === "Tasks")?.trigger).toEqual([]);
  });

  it("searches by e-mail and by criteria; no match is an empty list", async () => {
    const [id] = leadIds() as [string];
    const lead = h.sandbox.state.crm.find("Leads", id) as { Email: string; Last_Name: string };

    const byEmail = await crm.search("Leads", { email: lead.Email });
    const byCriteria = await crm.search("Leads", { criteria: `(Last_Name:equals:${lead.Last_Name})` }, 5);
    const none = await crm.search("Leads", { email: "nobody@nowhere.test" });

    expect(byEmail.map((r) => r.id)).toContain(id);
    expect(byCriteria.map((r) => r.id)).toContain(id);
    expect(none).toEqual([]);
    await expect(crm.search("Leads", {})).rejects.toBeInstanceOf(ValidationError);
  });

  it("runs a COQL select", async () => {
    const rows = await crm.coql("select Last_Name, Email from Leads where Last_Name is not null limit 3");

    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(3);
    expect(rows[0]).toHaveProperty("Last_Name");
  });

  it("reads the module's live field metadata in the mediator's terms", async () => {
    const fields = await crm.fields("Leads");

    expect(fields.find((f) => f.name === "Email")).toMatchObject({ type: "email", readOnly: false });
    expect(fields.find((f) => f.name === "Lead_Status")?.picklist?.length).toBeGreaterThan(0);
  });

  it("reports the credits Zoho said are left", async () => {
    h.sandbox.options.creditsPerDay = 4;
    h.sandbox.state.credits.length = 0;
    expect(crm.creditsRemaining()).toBeUndefined();

    await crm.getRecord("Leads", leadIds()[0] as string);
    await crm.getRecord("Leads", leadIds()[0] as string);

    expect(crm.creditsRemaining()).toBe(2);
  });
});
