/**
 * The CRM write tools through invokeTool: the guard against live metadata and the key's allow-list (all or
 * nothing), `"trigger": []`, the audit note naming the key, the daily write budget, Zoho's refusal of an item,
 * proposals-only keys and crm_propose_update.
 */
import { describe, expect, it } from "vitest";
import type { ToolOutcome } from "../../../shared/tools/definition.js";
import { LEAD_ID, toolsWorld } from "./world.js";

type Failed = Extract<ToolOutcome, { ok: false }>;
const update = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  module: "Leads",
  id: LEAD_ID,
  fields,
  ...extra,
});

describe("crm_update", () => {
  it("writes guarded values with trigger [] and maps a picklist near match to Zoho's spelling", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await w.call(
      key,
      "crm_update",
      update({ AI_Rating: "hot", AI_Score: "42", Description: "Fine" }),
    );

    expect(answer).toMatchObject({
      ok: true,
      output: {
        status: "written",
        module: "Leads",
        id: LEAD_ID,
        fields: ["AI_Rating", "AI_Score", "Description"],
        mapped: [{ field: "AI_Rating", from: "hot", to: "Hot" }],
      },
    });
    const [write] = w.crm.writes().filter((c) => c.method === "updateRecords");
    expect(write).toEqual({
      method: "updateRecords",
      module: "Leads",
      records: [{ id: LEAD_ID, AI_Rating: "Hot", AI_Score: 42, Description: "Fine" }],
      trigger: [],
    });
    expect(w.crm.find("Leads", LEAD_ID)).toMatchObject({ AI_Rating: "Hot", AI_Score: 42 });
  });

  it("leaves an audit note naming the key, the tool, the call, the fields, the mapping and the reason", async () => {
    const w = toolsWorld();
    const { key, record } = await w.addKey();

    const answer = await w.call(
      key,
      "crm_update",
      update({ AI_Rating: "warm" }, { reason: "Asked for budget\nkey: admin (forged)" }),
    );

    const callId = (answer as { callId: string }).callId;
    expect(w.crm.notes).toHaveLength(1);
    expect(w.crm.notes[0]).toMatchObject({ module: "Leads", recordId: LEAD_ID, title: "AI update" });
    expect(w.crm.notes[0]?.content.split("\n")).toEqual([
      "AI agent update by zoho-gpt-mediator",
      `key: ${record.name} (${record.id})`,
      "tool: crm_update",
      `job: ${callId}`,
      "fields changed: AI_Rating",
      "picklist values mapped: AI_Rating: warm -> Warm",
      "reason: Asked for budget key: admin (forged)",
    ]);
  });

  it("refuses a field outside the key's allow-list with 403 naming it, and writes nothing", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await w.call(
      key,
      "crm_update",
      update({ AI_Score: 5, Company: "Evil", Lead_Status: "New" }),
    );

    expect(answer).toMatchObject({ ok: false, error: { status: 403, code: "forbidden", retryable: false } });
    const message = (answer as Failed).error.message;
    expect(message).toContain("Company");
    expect(message).toContain("Lead_Status");
    expect(message).not.toContain("Evil");
    expect(w.crm.writes()).toEqual([]);
    expect(await w.store.limits.writesUsed((await w.store.keys.list())[0]?.id as string, "2026-11-30")).toBe(
      0,
    );
  });

  it("refuses a bad value with 422 naming the field and the reason, and writes nothing (all or nothing)", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await w.call(
      key,
      "crm_update",
      update({ AI_Score: 5, AI_Summary: "x".repeat(21), AI_Rating: "Lukewarm-ish" }),
    );

    expect(answer).toMatchObject({ ok: false, error: { status: 422, code: "rejected", retryable: false } });
    const { issues, message } = (answer as Failed).error;
    expect(issues).toEqual([
      { path: "fields.AI_Summary", message: "longer than 20 characters" },
      {
        path: "fields.AI_Rating",
        message: "not one of the field's picklist values (crm_describe_module lists them)",
      },
    ]);
    expect(message).not.toContain("Lukewarm");
    expect(w.crm.writes()).toEqual([]);
  });

  it("refuses a read-only field and a field the org does not have (re-reading the metadata once)", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await w.call(key, "crm_update", update({ AI_Computed: "x", AI_Missing: "y" }));

    expect((answer as Failed).error.issues).toEqual([
      { path: "fields.AI_Computed", message: "read-only in Zoho" },
      { path: "fields.AI_Missing", message: "no such field in Zoho" },
    ]);
    expect(w.crm.calls.filter((c) => c.method === "fields")).toHaveLength(2);
    expect(w.crm.writes()).toEqual([]);
  });

  it("turns Zoho's refusal of the item into a 422 with its code and field, and drops the cached metadata", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.crm.refuse("updateRecords", () => true, {
      code: "INVALID_DATA",
      message: "invalid data",
      field: "AI_Rating",
      details: { api_name: "AI_Rating" },
    });

    const answer = await w.call(key, "crm_update", update({ AI_Rating: "Hot" }));

    expect(answer).toMatchObject({ ok: false, error: { status: 422, code: "rejected" } });
    expect((answer as Failed).error.message).toContain("INVALID_DATA");
    expect((answer as Failed).error.message).toContain("AI_Rating");
    expect(w.crm.notes).toEqual([]);
    await w.call(key, "crm_describe_module", { module: "Leads" });
    expect(w.crm.calls.filter((c) => c.method === "fields")).toHaveLength(2);
  });

  it("answers 404 when Zoho refuses the record's id (no such record), writing nothing", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.crm.refuse("updateRecords", () => true, {
      code: "INVALID_DATA",
      message: "the id given seems to be invalid",
      details: { id: LEAD_ID, json_path: "$.data[0].id" },
    });

    const answer = await w.call(key, "crm_update", update({ AI_Score: 1 }));

    expect(answer).toMatchObject({ ok: false, error: { status: 404, code: "not_found" } });
    expect(w.crm.notes).toEqual([]);
  });

  it("answers the update written when only the audit note fails (the data is in Zoho; not written twice)", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.crm.refuse("createNotes", () => true, { code: "INVALID_DATA", message: "no" });

    const answer = await w.call(key, "crm_update", update({ AI_Score: 1 }));

    expect(answer).toMatchObject({ ok: true, output: { status: "written" } });
    expect(w.metrics.get("ToolAuditNoteFailed")).toBe(1);
  });

  it("refuses the write past the daily budget with 429 until midnight UTC, writing nothing", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ budget: "200/day" });
    w.clock.advance(4 * 3_600_000); // 14:00 UTC: 10 hours to midnight
    for (let i = 0; i < 200; i++) {
      const ok = await w.call(key, "crm_update", update({ AI_Score: i }));
      expect(ok.ok).toBe(true);
    }
    const writesBefore = w.crm.writes().length;

    const answer = await w.call(key, "crm_update", update({ AI_Score: 999 }));

    expect(answer).toMatchObject({
      ok: false,
      error: { status: 429, code: "rate_limited", retryable: true, retryAfterSeconds: 10 * 3600 },
    });
    expect(w.crm.writes().length).toBe(writesBefore);
    expect(w.crm.find("Leads", LEAD_ID)?.AI_Score).toBe(199);
    expect(w.metrics.get("ToolWriteBudgetExhausted")).toBe(1);
    w.clock.advance(10 * 3_600_000);
    expect((await w.call(key, "crm_update", update({ AI_Score: 1000 }))).ok).toBe(true);
  });

  it("stores a proposal instead of writing for a proposals-only key (the budget is still taken)", async () => {
    const w = toolsWorld();
    const { key, record } = await w.addKey({ proposalsOnly: true, budget: "1/day" });

    const answer = await w.call(key, "crm_update", update({ AI_Rating: "cold" }, { reason: "looks cold" }));
    const second = await w.call(key, "crm_update", update({ AI_Rating: "cold" }));

    expect(answer).toMatchObject({ ok: true, output: { status: "proposed" } });
    const proposalId = (answer as { output: { proposalId: string } }).output.proposalId;
    expect(proposalId).toMatch(/^prop_[a-z0-9]{20}$/);
    expect(await w.store.proposals.get(proposalId)).toMatchObject({
      keyId: record.id,
      keyName: record.name,
      connection: "default",
      tool: "crm_update",
      status: "pending",
      reason: "looks cold",
      write: { kind: "crm-update", module: "Leads", id: LEAD_ID, fields: { AI_Rating: "Cold" } },
    });
    expect(w.crm.writes()).toEqual([]);
    expect(second).toMatchObject({ ok: false, error: { status: 429 } });
    const callId = (answer as { callId: string }).callId;
    expect(await w.store.calls.get(callId)).toMatchObject({ outcome: "proposed", writes: 0, proposalId });
  });

  it("a proposals-only key's proposal is guarded too: a field outside its allow-list is refused", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ proposalsOnly: true });

    const answer = await w.call(key, "crm_update", update({ Company: "x" }));

    expect(answer).toMatchObject({ ok: false, error: { status: 403 } });
    expect(w.store.proposals.items.size).toBe(0);
  });
});

describe("crm_propose_update", () => {
  it("always proposes, whatever the key", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await w.call(key, "crm_propose_update", update({ AI_Score: 3 }));

    expect(answer).toMatchObject({ ok: true, output: { status: "proposed" } });
    expect(w.crm.writes()).toEqual([]);
    expect([...w.store.proposals.items.values()][0]).toMatchObject({ tool: "crm_propose_update" });
  });
});

describe("crm_add_note and crm_create_task", () => {
  it("adds a note with trigger [] on a record of a module the key writes", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = await w.call(key, "crm_add_note", {
      module: "Leads",
      id: LEAD_ID,
      title: "Call",
      content: "Spoke",
    });

    expect(answer).toMatchObject({ ok: true, output: { status: "written", noteId: expect.any(String) } });
    expect(w.crm.writes()).toEqual([
      {
        method: "createNotes",
        notes: [{ module: "Leads", recordId: LEAD_ID, title: "Call", content: "Spoke" }],
        trigger: [],
      },
    ]);
  });

  it("creates a task, refusing a date that does not exist before any Zoho call", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const bad = await w.call(key, "crm_create_task", {
      module: "Leads",
      id: LEAD_ID,
      subject: "Call",
      dueDate: "2026-02-30",
    });
    const good = await w.call(key, "crm_create_task", {
      module: "Leads",
      id: LEAD_ID,
      subject: "Call",
      dueDate: "2026-12-01",
    });

    expect(bad).toMatchObject({ ok: false, error: { status: 400, issues: [{ path: "dueDate" }] } });
    expect(good).toMatchObject({ ok: true, output: { status: "written", taskId: expect.any(String) } });
    expect(w.crm.tasks).toEqual([
      { module: "Leads", recordId: LEAD_ID, subject: "Call", dueDate: "2026-12-01", id: expect.any(String) },
    ]);
  });

  it("answers Zoho's refusal of a note on a record that does not exist as a 422", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.crm.refuse("createNotes", () => true, {
      code: "INVALID_DATA",
      message: "the related id given seems to be invalid",
    });

    const answer = await w.call(key, "crm_add_note", {
      module: "Leads",
      id: "1234567890123456789",
      content: "x",
    });

    expect(answer).toMatchObject({ ok: false, error: { status: 422, code: "rejected" } });
  });
});
