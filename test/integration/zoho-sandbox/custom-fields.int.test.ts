/**
 * Zoho sandbox: CRM Create Custom Field API (`POST /crm/v8/settings/fields?module=`), its scope, its per-field
 * answers (201/207/400) and limits, and the new fields served by `GET /settings/fields` and enforced on writes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, type SandboxProfile } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;

const use = async (profile: SandboxProfile, scopes?: string[]) => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port, profile });
  sandbox.reset();
  conn = await connect(sandbox, scopes);
};
const create = (fields: unknown[], module = "Leads", c: Connection = conn) =>
  c.crm(`settings/fields?module=${module}`, { method: "POST", body: { fields } });
const field = async (api: string) =>
  ((await conn.crm("settings/fields?module=Leads")).body.fields as Record<string, any>[]).find(
    (f) => f.api_name === api,
  );
const firstLead = async () =>
  (await conn.crm("Leads?fields=Email&per_page=1")).body.data[0] as { id: string };

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe("Create Custom Field", () => {
  it("creates the alt org's missing AI_Buying_Stage picklist: served by settings/fields and enforced on writes", async () => {
    await use("alt");
    const before = await field("AI_Buying_Stage");

    const res = await create([
      {
        field_label: "AI Buying Stage",
        data_type: "picklist",
        pick_list_values: ["Awareness", "Consideration", "Decision"].map((v) => ({
          display_value: v,
          actual_value: v,
        })),
      },
    ]);
    const after = await field("AI_Buying_Stage");
    const lead = await firstLead();
    const good = await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, AI_Buying_Stage: "Decision" }], trigger: [] },
    });
    const bad = await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, AI_Buying_Stage: "Purchase" }], trigger: [] },
    });
    const stored = await conn.crm(`Leads/${lead.id}?fields=AI_Buying_Stage`);

    expect(before).toBeUndefined();
    expect(res.status).toBe(201);
    expect(res.body.fields).toEqual([
      {
        code: "SUCCESS",
        details: { id: expect.stringMatching(/^\d{19}$/), api_name: "AI_Buying_Stage" },
        message: "field created",
        status: "success",
      },
    ]);
    expect(after).toMatchObject({
      id: res.body.fields[0].details.id,
      field_label: "AI Buying Stage",
      data_type: "picklist",
      custom_field: true,
    });
    expect(after?.pick_list_values.map((p: { actual_value: string }) => p.actual_value)).toEqual([
      "-None-",
      "Awareness",
      "Consideration",
      "Decision",
    ]);
    expect(good.status).toBe(200);
    expect(bad.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "AI_Buying_Stage" },
    });
    expect(stored.body.data[0].AI_Buying_Stage).toBe("Decision");
  });

  it("honours length for text and textarea fields, and enforces it on writes", async () => {
    await use("demo");
    const res = await create([
      { field_label: "AI Short Note", data_type: "text", length: 20 },
      { field_label: "AI Long Note", data_type: "textarea", textarea: { type: "large" } },
      { field_label: "AI Rank", data_type: "integer" },
    ]);
    const lead = await firstLead();
    const tooLong = await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, AI_Short_Note: "x".repeat(21) }], trigger: [] },
    });

    expect(res.status).toBe(201);
    expect((await field("AI_Short_Note"))?.length).toBe(20);
    expect((await field("AI_Long_Note"))?.length).toBe(32_000);
    expect(await field("AI_Rank")).toMatchObject({ data_type: "integer", json_type: "integer" });
    expect(tooLong.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "AI_Short_Note", maximum_length: 20 },
    });
  });

  it("answers per field: DUPLICATE_DATA for a label in use, INVALID_DATA for an unsupported type (207 mixed)", async () => {
    await use("demo");
    const res = await create([
      { field_label: "ai summary", data_type: "textarea" },
      { field_label: "AI Formula", data_type: "formula" },
      { field_label: "AI Fresh", data_type: "text" },
      { field_label: "AI Fresh", data_type: "text" },
    ]);

    expect(res.status).toBe(207);
    expect(res.body.fields.map((f: { code: string }) => f.code)).toEqual([
      "DUPLICATE_DATA",
      "INVALID_DATA",
      "SUCCESS",
      "DUPLICATE_DATA",
    ]);
    expect(res.body.fields[1].details).toEqual({ api_name: "data_type", json_path: "$.fields[1].data_type" });
  });

  it("refuses bad input: missing label or type, long label, bad length, picklist without values (400 when none succeed)", async () => {
    await use("demo");
    const res = await create([
      { data_type: "text" },
      { field_label: "No Type" },
      { field_label: "A label far longer than twenty-five", data_type: "text" },
      { field_label: "Too Long Text", data_type: "text", length: 256 },
      { field_label: "Empty Pick", data_type: "picklist" },
    ]);
    const symbols = await create([{ field_label: "Score %$#", data_type: "text" }]);

    expect(res.status).toBe(400);
    expect(
      res.body.fields.map((f: { code: string; details: { api_name: string } }) => [
        f.code,
        f.details.api_name,
      ]),
    ).toEqual([
      ["MANDATORY_NOT_FOUND", "field_label"],
      ["MANDATORY_NOT_FOUND", "data_type"],
      ["INVALID_DATA", "field_label"],
      ["INVALID_DATA", "length"],
      ["MANDATORY_NOT_FOUND", "pick_list_values"],
    ]);
    expect(res.body.fields[2].details.maximum_length).toBe(25);
    expect(symbols.body.fields[0]).toEqual({
      code: "INVALID_DATA",
      details: { api_name: "field_label", json_path: "$.fields[0].field_label" },
      message: "invalid data",
      status: "error",
    });
  });

  it("applies the limits: fields per call, custom fields per module, picklist values (settings)", async () => {
    await use("demo");
    const six = Array.from({ length: 6 }, (_, i) => ({ field_label: `Extra ${i}`, data_type: "text" }));
    const perCall = await create(six);
    const customNow = (
      (await conn.crm("settings/fields?module=Leads")).body.fields as { custom_field: boolean }[]
    ).filter((f) => f.custom_field).length;
    sandbox.options.customFieldsPerModule = customNow + 1;
    sandbox.options.maxPicklistValues = 2;
    const limited = await create([
      { field_label: "One More", data_type: "text" },
      { field_label: "One Too Many", data_type: "text" },
    ]);
    const picklist = await create(
      [
        {
          field_label: "Big Pick",
          data_type: "picklist",
          pick_list_values: ["a", "b", "c"].map((v) => ({ display_value: v, actual_value: v })),
        },
      ],
      "Deals",
    );

    expect(perCall.status).toBe(400);
    expect(perCall.body).toMatchObject({ code: "LIMIT_EXCEEDED", details: { limit: 5 } });
    expect(limited.status).toBe(207);
    expect(limited.body.fields[1]).toMatchObject({
      code: "LIMIT_EXCEEDED",
      details: { limit: customNow + 1 },
    });
    expect(picklist.body.fields[0]).toMatchObject({ code: "LIMIT_EXCEEDED", details: { limit: 2 } });
  });

  it("needs ZohoCRM.settings.fields.CREATE, .ALL or ZohoCRM.settings.ALL; refuses an unknown module", async () => {
    const one = [{ field_label: "Scoped", data_type: "text" }];
    await use("demo", ["ZohoCRM.settings.fields.READ", "ZohoCRM.modules.ALL"]);
    const readOnly = await create(one);
    await use("demo", ["ZohoCRM.settings.fields.CREATE"]);
    const createScope = await create(one);
    await use("demo", ["ZohoCRM.settings.fields.ALL"]);
    const allFields = await create(one);
    await use("demo", ["ZohoCRM.settings.ALL"]);
    const allSettings = await create(one);
    const badModule = await create(one, "Nope");
    const noModule = await conn.crm("settings/fields", { method: "POST", body: { fields: one } });

    expect(readOnly.status).toBe(401);
    expect(readOnly.body.code).toBe("OAUTH_SCOPE_MISMATCH");
    expect(createScope.status).toBe(201);
    expect(allFields.status).toBe(201);
    expect(allSettings.status).toBe(201);
    expect(badModule.body.code).toBe("INVALID_MODULE");
    expect(noModule.body).toMatchObject({
      code: "REQUIRED_PARAM_MISSING",
      details: { param_name: "module" },
    });
  });
});
