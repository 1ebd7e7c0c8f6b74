/**
 * The CRM read tools: search builds Zoho's criteria from checked filters (escaped, fields against live metadata),
 * pages within Zoho's reach, trims records; get and describe answer only what the key may see.
 */
import { describe, expect, it } from "vitest";
import { UpstreamRejectedError } from "../../../shared/errors.js";
import type { ToolOutcome } from "../../../shared/tools/definition.js";
import { MAX_ANSWER_CHARS } from "../../../shared/tools/records.js";
import { buildCriteria, escapeCriteriaValue } from "../../../shared/tools/search-criteria.js";
import { LEAD_ID, OTHER_LEAD_ID, toolsWorld } from "./world.js";

type Ok = Extract<ToolOutcome, { ok: true }> & { output: Record<string, any> };
type Failed = Extract<ToolOutcome, { ok: false }>;

describe("search criteria", () => {
  it("escapes what could close a condition or add one", () => {
    expect(escapeCriteriaValue("a(b)c,d\\e")).toBe("a\\(b\\)c\\,d\\\\e");
    expect(
      buildCriteria(
        [
          { field: "Last_Name", op: "equals", value: "Doe)or(Email:equals:x" },
          { field: "AI_Score", op: "greater_than", value: 5 },
        ],
        "any",
      ),
    ).toBe("((Last_Name:equals:Doe\\)or\\(Email:equals:x)or(AI_Score:greater_than:5))");
    expect(buildCriteria([{ field: "Company", op: "starts_with", value: "Ac" }], "all")).toBe(
      "(Company:starts_with:Ac)",
    );
  });
});

describe("crm_search", () => {
  it("searches by filters with criteria built by the tool, trimmed to the asked fields", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = (await w.call(key, "crm_search", {
      module: "Leads",
      filters: [{ field: "Last_Name", op: "equals", value: "Doe" }],
      fields: ["Email"],
    })) as Ok;

    expect(answer.output).toEqual({
      module: "Leads",
      records: [{ id: LEAD_ID, Email: "jd@example.com" }],
      page: 1,
      perPage: 10,
      moreRecords: false,
      jobId: answer.callId,
    });
    expect(w.crm.calls.find((c) => c.method === "search")).toEqual({
      method: "search",
      args: ["Leads", { criteria: "(Last_Name:equals:Doe)" }],
    });
  });

  it("drops $ keys and fields outside the module's metadata, and cuts long strings at 2,000 characters", async () => {
    const w = toolsWorld();
    w.crm.put("Leads", {
      id: LEAD_ID,
      Last_Name: "Doe",
      Email: "jd@example.com",
      Description: "d".repeat(5_000),
      $state: "x",
      Secret_Internal: "s",
    });
    const { key } = await w.addKey();

    const answer = (await w.call(key, "crm_search", { module: "Leads", email: "jd@example.com" })) as Ok;

    const [record] = answer.output.records;
    expect(Object.keys(record).sort()).toEqual(["Description", "Email", "Last_Name", "id"]);
    expect(record.Description).toHaveLength(2_000);
  });

  it("keeps a page within GPT Actions' answer size by cutting long texts shorter", async () => {
    const w = toolsWorld();
    for (let i = 0; i < 50; i++)
      w.crm.put("Leads", {
        id: `48768760000003000${10 + i}`,
        Last_Name: "Big",
        Company: "Wide",
        Description: "d".repeat(2_000),
      });
    const { key } = await w.addKey();

    const answer = (await w.call(key, "crm_search", { module: "Leads", word: "Wide", perPage: 50 })) as Ok;

    expect(answer.output.records).toHaveLength(50);
    expect(JSON.stringify(answer.output).length).toBeLessThanOrEqual(MAX_ANSWER_CHARS + 200);
    expect(answer.output.records[0].Description).toHaveLength(1_000);
  });

  it("refuses a filter on a field the module does not have, naming it, before searching", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const answer = (await w.call(key, "crm_search", {
      module: "Leads",
      filters: [
        { field: "Last_Name", op: "equals", value: "Doe" },
        { field: "Password", op: "equals", value: "x" },
      ],
    })) as Failed;

    expect(answer.error).toMatchObject({
      status: 400,
      code: "invalid_arguments",
      issues: [{ path: "filters.1" }],
    });
    expect(answer.error.message).toContain("Password");
    expect(w.crm.calls.some((c) => c.method === "search")).toBe(false);
  });

  it("refuses none or two of word, email, phone and filters", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const none = await w.call(key, "crm_search", { module: "Leads" });
    const two = await w.call(key, "crm_search", { module: "Leads", word: "Doe", email: "jd@example.com" });

    expect(none).toMatchObject({ ok: false, error: { status: 400 } });
    expect(two).toMatchObject({ ok: false, error: { status: 400 } });
    expect(w.zohoCalls()).toBe(0);
  });

  it("caps the page size at the deployment's and pages within Zoho's first 200 matches", async () => {
    const w = toolsWorld();
    w.deps.config.maxPageSize = 20;
    const { key } = await w.addKey();

    const tooBig = await w.call(key, "crm_search", { module: "Leads", word: "Doe", perPage: 21 });
    const tooFar = await w.call(key, "crm_search", { module: "Leads", word: "Doe", perPage: 20, page: 11 });

    expect(tooBig).toMatchObject({ ok: false, error: { status: 400, issues: [{ path: "perPage" }] } });
    expect(tooFar).toMatchObject({ ok: false, error: { status: 400, issues: [{ path: "page" }] } });
    expect(w.crm.calls.some((c) => c.method === "search")).toBe(false);
  });

  it("answers the asked page and whether more records follow", async () => {
    const w = toolsWorld();
    for (let i = 0; i < 5; i++)
      w.crm.put("Leads", { id: `48768760000002000${10 + i}`, Last_Name: "Many", Company: "Same" });
    const { key } = await w.addKey();

    const first = (await w.call(key, "crm_search", { module: "Leads", word: "Same", perPage: 2 })) as Ok;
    const last = (await w.call(key, "crm_search", {
      module: "Leads",
      word: "Same",
      perPage: 2,
      page: 3,
    })) as Ok;

    expect(first.output.records.map((r: { id: string }) => r.id)).toEqual([
      "4876876000000200010",
      "4876876000000200011",
    ]);
    expect(first.output.moreRecords).toBe(true);
    expect(last.output.records.map((r: { id: string }) => r.id)).toEqual(["4876876000000200014"]);
    expect(last.output.moreRecords).toBe(false);
  });
});

describe("crm_get_record", () => {
  it("answers the record with the asked fields, and 404 when there is none", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    const found = (await w.call(key, "crm_get_record", {
      module: "Leads",
      id: OTHER_LEAD_ID,
      fields: ["Company"],
    })) as Ok;
    const missing = await w.call(key, "crm_get_record", { module: "Leads", id: "1111111111111111111" });

    expect(found.output.record).toEqual({ id: OTHER_LEAD_ID, Company: "Beta" });
    expect(missing).toMatchObject({ ok: false, error: { status: 404, code: "not_found", retryable: false } });
  });

  it("refuses an id that is not 19 digits (a number, an injection) before Zoho", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();

    for (const id of [
      Number("4876876000000100001"),
      "../Users",
      "1 OR 1=1",
      "48768760000001000011",
      "１２３",
    ]) {
      const answer = await w.call(key, "crm_get_record", { module: "Leads", id });
      expect(answer).toMatchObject({ ok: false, error: { status: 400, issues: [{ path: "id" }] } });
    }
    expect(w.zohoCalls()).toBe(0);
  });
});

describe("crm_describe_module", () => {
  it("lists fields with types and picklists, writable only where the key's allow-list takes them", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ allow: ["AI_*"] });

    const answer = (await w.call(key, "crm_describe_module", { module: "Leads" })) as Ok;

    const byName = Object.fromEntries(answer.output.fields.map((f: { name: string }) => [f.name, f]));
    expect(byName.AI_Rating).toEqual({
      name: "AI_Rating",
      type: "picklist",
      readOnly: false,
      picklist: ["-None-", "Hot", "Warm", "Cold"],
      writable: true,
    });
    expect(byName.AI_Computed.writable).toBe(false); // read-only in Zoho
    expect(byName.Description.writable).toBe(false); // not on this key's allow-list
    expect(byName.Last_Name).toMatchObject({ mandatory: true, length: 80, writable: false });
    expect(byName.Last_Name).not.toHaveProperty("picklist");
  });

  it("marks nothing writable for a read-only key, and answers 404 for a module the org lacks", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey({ scopes: "crm.read", allow: [] });

    const leads = (await w.call(key, "crm_describe_module", { module: "Leads" })) as Ok;
    const none = await w.call(key, "crm_describe_module", { module: "Nope" });

    expect(leads.output.fields.every((f: { writable: boolean }) => !f.writable)).toBe(true);
    expect(none).toMatchObject({ ok: false, error: { status: 404 } });
  });

  it("answers 404 when Zoho says the module is invalid (INVALID_MODULE)", async () => {
    const w = toolsWorld();
    const { key } = await w.addKey();
    w.crm.failNext(
      "fields",
      new UpstreamRejectedError(
        "zoho-crm",
        "Zoho rejected GET /crm/v8/settings/fields: INVALID_MODULE",
        "INVALID_MODULE",
        {},
      ),
    );

    const answer = await w.call(key, "crm_search", { module: "Nope", word: "xy" });

    expect(answer).toMatchObject({
      ok: false,
      error: { status: 404, code: "not_found", message: "no module Nope in this org" },
    });
  });
});
