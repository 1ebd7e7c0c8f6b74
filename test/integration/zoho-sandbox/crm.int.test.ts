/** Zoho sandbox, CRM v8: checklist items 9-18 of zoho-api-notes §8. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { startReceiver } from "../../helpers/receiver.js";
import { type Connection, connect, eventually } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let receiverStatus = 200;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver(() => receiverStatus);
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  receiver.received.length = 0;
  receiverStatus = 200;
  conn = await connect(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const firstLead = async () =>
  (await conn.crm("Leads?fields=Last_Name,Email&per_page=1")).body.data[0] as { id: string; Email: string };
const addRule = (rule: Record<string, unknown>) =>
  fetch(`${sandbox.url}/_sandbox/workflow-rules`, { method: "POST", body: JSON.stringify(rule) });
const leadRule = (extra: Record<string, unknown> = {}) =>
  addRule({
    name: "to receiver",
    module: "Leads",
    on: "create_or_edit",
    webhook: {
      url: `${receiver.url}/v1/hooks/crm/lead-enrichment`,
      headers: { "X-Mediator-Token": "s3cret" },
      body: {
        type: "raw",
        template: '{"id":"${Leads.Lead Id}","email":"${Leads.Email}","name":"${Leads.Last Name}"}',
      },
    },
    ...extra,
  });

describe("item 9: Zoho-oauthtoken auth and its errors", () => {
  it("answers 401 AUTHENTICATION_FAILURE for a Bearer header or no header", async () => {
    const bearer = await fetch(`${conn.apiDomain}/crm/v8/Leads?fields=Email`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    const none = await fetch(`${conn.apiDomain}/crm/v8/Leads?fields=Email`);

    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toMatchObject({ code: "AUTHENTICATION_FAILURE", status: "error" });
    expect(((await none.json()) as { code: string }).code).toBe("AUTHENTICATION_FAILURE");
  });

  it("answers INVALID_TOKEN for a missing header when configured so", async () => {
    sandbox.options.missingAuthCode = "INVALID_TOKEN";

    const none = await fetch(`${conn.apiDomain}/crm/v8/Leads?fields=Email`);

    expect(await none.json()).toEqual({
      code: "INVALID_TOKEN",
      details: {},
      message: "invalid oauth token",
      status: "error",
    });
  });

  it("answers the exact INVALID_TOKEN body for an expired token", async () => {
    sandbox.advanceClock(3601);

    const res = await conn.crm("Leads?fields=Email");

    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: "INVALID_TOKEN",
      details: {},
      message: "invalid oauth token",
      status: "error",
    });
  });

  it("answers OAUTH_SCOPE_MISMATCH when the token lacks the scope", async () => {
    const readOnly = await connect(sandbox, ["ZohoCRM.modules.leads.READ"]);

    const read = await readOnly.crm("Leads?fields=Email");
    const write = await readOnly.crm("Leads", { method: "POST", body: { data: [{ Last_Name: "X" }] } });
    const otherModule = await readOnly.crm("Deals?fields=Deal_Name");

    expect(read.status).toBe(200);
    expect(write.status).toBe(401);
    expect(write.body).toEqual({
      code: "OAUTH_SCOPE_MISMATCH",
      details: {},
      message: "invalid oauth scope to access this URL",
      status: "error",
    });
    expect(otherModule.body.code).toBe("OAUTH_SCOPE_MISMATCH");
  });
});

describe("item 10: insert, update, upsert and their status rules", () => {
  it("answers 201 when every inserted record succeeds, with the success details Zoho sends", async () => {
    const res = await conn.crm("Leads", {
      method: "POST",
      body: { data: [{ Last_Name: "Doe", Company: "Acme" }], trigger: [] },
    });

    expect(res.status).toBe(201);
    expect(res.body.data[0]).toEqual({
      code: "SUCCESS",
      details: {
        Modified_Time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
        Modified_By: { name: "Sandbox Admin", id: expect.stringMatching(/^\d{19}$/) },
        Created_Time: expect.any(String),
        id: expect.stringMatching(/^\d{19}$/),
        Created_By: { name: "Sandbox Admin", id: expect.any(String) },
        $approval_state: "approved",
      },
      message: "record added",
      status: "success",
    });
  });

  it("answers 200 for an all-successful update, 207 for a mixed batch and 400 when all fail, results in input order", async () => {
    const lead = await firstLead();

    const ok = await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, Company: "New Co" }], trigger: [] },
    });
    const mixed = await conn.crm("Leads", {
      method: "PUT",
      body: {
        data: [
          { id: "1234567890123456789", Company: "x" },
          { id: lead.id, City: "Cork" },
        ],
        trigger: [],
      },
    });
    const allBad = await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, Lead_Status: "Nope" }], trigger: [] },
    });

    expect(ok.status).toBe(200);
    expect(ok.body.data[0].message).toBe("record updated");
    expect(mixed.status).toBe(207);
    expect(mixed.body.data.map((d: { status: string }) => d.status)).toEqual(["error", "success"]);
    expect(mixed.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      message: "the id given seems to be invalid",
    });
    expect(allBad.status).toBe(400);
  });

  it("updates one record at PUT /{module}/{id}", async () => {
    const lead = await firstLead();

    const res = await conn.crm(`Leads/${lead.id}`, {
      method: "PUT",
      body: { data: [{ City: "Lisbon" }], trigger: [] },
    });
    const after = await conn.crm(`Leads/${lead.id}`);

    expect(res.status).toBe(200);
    expect(after.body.data[0].City).toBe("Lisbon");
  });

  it("refuses more than 100 records in one call", async () => {
    const res = await conn.crm("Leads", {
      method: "POST",
      body: { data: Array.from({ length: 101 }, (_, i) => ({ Last_Name: `L${i}` })) },
    });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "LIMIT_EXCEEDED", status: "error" });
  });

  it("upserts: updates the duplicate-check match and inserts the rest, naming action and duplicate_field", async () => {
    const lead = await firstLead();

    const res = await conn.crm("Leads/upsert", {
      method: "POST",
      body: {
        data: [
          { Last_Name: "Same", Email: lead.Email },
          { Last_Name: "Fresh", Email: "fresh@new.example" },
        ],
        duplicate_check_fields: ["Email"],
        trigger: [],
      },
    });

    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({
      action: "update",
      duplicate_field: "Email",
      message: "record updated",
      details: { id: lead.id },
    });
    expect(res.body.data[1]).toMatchObject({ action: "insert", message: "record added" });
  });
});

describe("item 11: validation against the served field metadata", () => {
  it("serves field metadata with types, lengths, mandatory flags and picklist values", async () => {
    const res = await conn.crm("settings/fields?module=Leads");
    const byName = new Map((res.body.fields as { api_name: string }[]).map((f) => [f.api_name, f]));

    expect(byName.get("Last_Name")).toMatchObject({ data_type: "text", length: 80, system_mandatory: true });
    expect(byName.get("Lead_Status")).toMatchObject({
      data_type: "picklist",
      pick_list_values: expect.arrayContaining([expect.objectContaining({ actual_value: "Contacted" })]),
    });
    expect(byName.get("Created_Time")).toMatchObject({ read_only: true });
  });

  it("reports each kind of bad record with api_name and json_path", async () => {
    const lead = await firstLead();

    const res = await conn.crm("Leads", {
      method: "POST",
      body: {
        data: [
          { Company: "no last name" },
          { Last_Name: "T", No_of_Employees: "many" },
          { Last_Name: "x".repeat(81) },
          { Last_Name: "P", Lead_Status: "Hot" },
          { Last_Name: "D", Email: lead.Email.toUpperCase() },
          { Last_Name: "E", Email: "not-an-email" },
        ],
        trigger: [],
      },
    });

    expect(res.status).toBe(400);
    expect(res.body.data).toEqual([
      {
        code: "MANDATORY_NOT_FOUND",
        details: { api_name: "Last_Name", json_path: "$.data[0].Last_Name" },
        message: "required field not found",
        status: "error",
      },
      {
        code: "INVALID_DATA",
        details: {
          api_name: "No_of_Employees",
          json_path: "$.data[1].No_of_Employees",
          expected_data_type: "integer",
        },
        message: "invalid data",
        status: "error",
      },
      {
        code: "INVALID_DATA",
        details: { api_name: "Last_Name", json_path: "$.data[2].Last_Name", maximum_length: 80 },
        message: "invalid data",
        status: "error",
      },
      {
        code: "INVALID_DATA",
        details: {
          api_name: "Lead_Status",
          json_path: "$.data[3].Lead_Status",
          expected_data_type: "picklist",
        },
        message: "invalid data",
        status: "error",
      },
      {
        code: "DUPLICATE_DATA",
        details: {
          api_name: "Email",
          json_path: "$.data[4].Email",
          duplicate_record: {
            id: lead.id,
            module: { api_name: "Leads", id: expect.any(String) },
            Owner: { name: "Sandbox Admin", id: expect.any(String) },
          },
        },
        message: "duplicate data",
        status: "error",
      },
      {
        code: "INVALID_DATA",
        details: { api_name: "Email", json_path: "$.data[5].Email", expected_data_type: "email" },
        message: "invalid data",
        status: "error",
      },
    ]);
  });

  it("answers INVALID_MODULE for an unknown module", async () => {
    const res = await conn.crm("Widgets", { method: "POST", body: { data: [{}] } });

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("INVALID_MODULE");
  });
});

describe("item 12: trigger semantics", () => {
  it("fires workflow rules for a write without trigger, none for trigger [], and only workflow for ['workflow']", async () => {
    await leadRule();
    const lead = await firstLead();

    await conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, City: "A" }] } });
    await conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, City: "B" }], trigger: [] } });
    await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, City: "C" }], trigger: ["workflow"] },
    });
    await conn.crm("Leads", {
      method: "PUT",
      body: { data: [{ id: lead.id, City: "D" }], trigger: ["approval"] },
    });
    await sandbox.settle();
    const automations = (
      sandbox.inspect().automations as { ran: string[]; rules_fired: string[]; trigger: unknown }[]
    ).map((a) => ({ ran: a.ran, fired: a.rules_fired.length, trigger: a.trigger }));

    expect(receiver.posts()).toHaveLength(2);
    expect(automations).toEqual([
      { ran: ["workflow", "approval", "blueprint"], fired: 1, trigger: null },
      { ran: [], fired: 0, trigger: [] },
      { ran: ["workflow"], fired: 1, trigger: ["workflow"] },
      { ran: ["approval"], fired: 0, trigger: ["approval"] },
    ]);
  });
});

describe("item 13: workflow webhook emitter", () => {
  it("POSTs the raw JSON template with merge fields rendered and the static headers", async () => {
    await leadRule();
    const lead = await firstLead();

    await conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, Last_Name: 'O"Brien' }] } });
    await sandbox.settle();
    const hook = receiver.posts()[0];

    expect(hook?.url).toBe("/v1/hooks/crm/lead-enrichment");
    expect(hook?.headers["x-mediator-token"]).toBe("s3cret");
    expect(hook?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(hook?.body ?? "")).toEqual({ id: lead.id, email: lead.Email, name: 'O"Brien' });
  });

  it("sends form parameters in Zoho's form-data mode", async () => {
    await addRule({
      name: "form",
      module: "Leads",
      on: "create",
      webhook: {
        url: `${receiver.url}/form`,
        body: { type: "form", params: { leadId: "${Leads.Lead Id}", company: "${Leads.Company}" } },
      },
    });

    const res = await conn.crm("Leads", {
      method: "POST",
      body: { data: [{ Last_Name: "F", Company: "Ünïcode & Co" }] },
    });
    await sandbox.settle();

    expect(receiver.posts()[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(receiver.posts()[0]?.body))).toEqual({
      leadId: res.body.data[0].details.id,
      company: "Ünïcode & Co",
    });
  });

  it("records failures without retrying by default, and retries when configured", async () => {
    await leadRule();
    receiverStatus = 500;
    const lead = await firstLead();

    await conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, City: "X" }] } });
    await sandbox.settle();
    sandbox.options.webhookRetries = 2;
    await conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, City: "Y" }] } });
    await sandbox.settle();
    const failures = sandbox.inspect().webhook_failures as {
      attempts: number;
      status: number;
      error: string;
    }[];

    expect(failures.map((f) => [f.status, f.attempts])).toEqual([
      [500, 1],
      [500, 3],
    ]);
  });

  it("records an unreachable URL as a failure", async () => {
    await addRule({
      name: "dead",
      module: "Leads",
      on: "create",
      webhook: { url: "http://127.0.0.1:9/nowhere", body: { type: "raw", template: "{}" } },
    });

    await conn.crm("Leads", { method: "POST", body: { data: [{ Last_Name: "Z" }] } });
    await sandbox.settle();

    expect((sandbox.inspect().webhook_failures as { error: string }[])[0]?.error).toBeTruthy();
  });
});

describe("item 14: list and search", () => {
  it("requires fields on the list call", async () => {
    const res = await conn.crm("Leads");

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "REQUIRED_PARAM_MISSING", details: { param_name: "fields" } });
  });

  it("refuses per_page above 200 and pages with info", async () => {
    const tooMany = await conn.crm("Leads?fields=Email&per_page=201");
    const page = await conn.crm("Leads?fields=Email&per_page=10&page=2");

    expect(tooMany.status).toBe(400);
    expect(page.body.data).toHaveLength(10);
    expect(page.body.info).toEqual({
      per_page: 10,
      count: 10,
      page: 2,
      sort_by: "id",
      sort_order: "desc",
      more_records: true,
      next_page_token: null,
      previous_page_token: null,
      page_token_expiry: null,
    });
  });

  it("answers 204 with an empty body when a list or search matches nothing", async () => {
    const list = await conn.crm("Leads?fields=Email&ids=1111111111111111111");
    const search = await conn.crm("Leads/search?criteria=(Last_Name:equals:Nobody)");

    expect([list.status, list.text]).toEqual([204, ""]);
    expect([search.status, search.text]).toEqual([204, ""]);
  });

  it("searches by criteria, email and word", async () => {
    const lead = await firstLead();

    const byCriteria = await conn.crm(
      "Leads/search?criteria=((Lead_Source:equals:Chat)and(No_of_Employees:greater_than:100))",
    );
    const byEmail = await conn.crm(`Leads/search?email=${encodeURIComponent(lead.Email)}`);
    const byWord = await conn.crm("Leads/search?word=dispatchers");

    expect(byCriteria.body.data.length).toBeGreaterThan(0);
    expect(
      byCriteria.body.data.every(
        (r: { Lead_Source: string; No_of_Employees: number }) =>
          r.Lead_Source === "Chat" && r.No_of_Employees > 100,
      ),
    ).toBe(true);
    expect(byEmail.body.data[0].id).toBe(lead.id);
    expect(byWord.body.data.length).toBeGreaterThan(0);
  });
});

describe("item 15: Notes and Tasks", () => {
  it("creates a note under a parent record and lists it on the parent", async () => {
    const lead = await firstLead();

    const res = await conn.crm("Notes", {
      method: "POST",
      body: {
        data: [
          {
            Note_Title: "AI triage",
            Note_Content: "Summary",
            Parent_Id: { module: { api_name: "Leads" }, id: lead.id },
          },
        ],
        trigger: [],
      },
    });
    const related = await conn.crm(`Leads/${lead.id}/Notes?fields=Note_Title,Note_Content`);

    expect(res.status).toBe(201);
    expect(related.body.data[0]).toMatchObject({ Note_Title: "AI triage", Note_Content: "Summary" });
  });

  it("rejects a note whose parent does not exist with INVALID_DATA on Parent_Id", async () => {
    const res = await conn.crm("Notes", {
      method: "POST",
      body: {
        data: [
          { Note_Content: "x", Parent_Id: { module: { api_name: "Leads" }, id: "1111111111111111111" } },
        ],
      },
    });

    expect(res.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "Parent_Id", json_path: "$.data[0].Parent_Id" },
    });
  });

  it("creates a task on a parent with What_Id and $se_module, and rejects an unknown parent", async () => {
    const deal = (await conn.crm("Deals?fields=Deal_Name&per_page=1")).body.data[0];

    const ok = await conn.crm("Tasks", {
      method: "POST",
      body: {
        data: [
          {
            Subject: "Call back",
            Due_Date: "2027-01-05",
            Status: "Not Started",
            What_Id: { id: deal.id },
            $se_module: "Deals",
          },
        ],
        trigger: [],
      },
    });
    const bad = await conn.crm("Tasks", {
      method: "POST",
      body: { data: [{ Subject: "x", What_Id: { id: deal.id }, $se_module: "Leads" }] },
    });

    expect(ok.status).toBe(201);
    expect(bad.body.data[0]).toMatchObject({ code: "INVALID_DATA", details: { api_name: "What_Id" } });
  });
});

describe("item 16: COQL", () => {
  it("runs select / where / order by / limit", async () => {
    const res = await conn.crm("coql", {
      method: "POST",
      body: {
        select_query:
          "select Last_Name, No_of_Employees from Leads where No_of_Employees >= 1000 and Lead_Source != 'Chat' order by No_of_Employees desc limit 3",
      },
    });

    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(3);
    const sizes = res.body.data.map((r: { No_of_Employees: number }) => r.No_of_Employees);
    expect(sizes).toEqual([...sizes].sort((a: number, b: number) => b - a));
    expect(sizes.every((n: number) => n >= 1000)).toBe(true);
  });

  it("answers SYNTAX_ERROR with line, column and near", async () => {
    const res = await conn.crm("coql", {
      method: "POST",
      body: { select_query: "select Last_Name form Leads" },
    });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: "SYNTAX_ERROR",
      details: { line: 1, column: 18, near: "form" },
      message: "invalid query formed",
      status: "error",
    });
  });

  it("answers INVALID_QUERY for an unknown column", async () => {
    const res = await conn.crm("coql", {
      method: "POST",
      body: { select_query: "select Shoe_Size from Leads limit 1" },
    });

    expect(res.body).toMatchObject({ code: "INVALID_QUERY", details: { column_name: "Shoe_Size" } });
  });
});

describe("item 17: concurrency and credits", () => {
  it("answers 429 TOO_MANY_REQUESTS beyond the concurrency limit, with no Retry-After or X-RateLimit headers", async () => {
    Object.assign(sandbox.options, { concurrencyLimit: 2, latencyMs: 150 });

    const results = await Promise.all(
      Array.from({ length: 5 }, () => conn.crm("Leads?fields=Email&per_page=1")),
    );
    const limited = results.filter((r) => r.status === 429);

    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(limited).toHaveLength(3);
    expect(limited[0]?.body).toMatchObject({ code: "TOO_MANY_REQUESTS", details: {}, status: "error" });
    expect(limited[0]?.headers.get("retry-after")).toBeNull();
    expect([...(limited[0]?.headers.keys() ?? [])].some((h) => h.startsWith("x-ratelimit"))).toBe(false);
    expect(sandbox.inspect().peak_concurrency).toBe(2);
  });

  it("counts credits in a rolling day, adds X-API-CREDITS-REMAINING from 50 % used, and answers 429 when spent", async () => {
    sandbox.options.creditsPerDay = 10;
    const headers: (string | null)[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await conn.crm("Leads?fields=Email&per_page=1");
      statuses.push(r.status);
      headers.push(r.headers.get("x-api-credits-remaining"));
    }

    expect(headers.slice(0, 4)).toEqual([null, null, null, null]);
    expect(headers.slice(4, 10)).toEqual(["5", "4", "3", "2", "1", "0"]);
    expect(statuses[10]).toBe(429);
    sandbox.advanceClock(86_401);
    conn = await connect(sandbox); // the old access token died an hour into that day
    expect((await conn.crm("Leads?fields=Email&per_page=1")).status).toBe(200);
  });

  it("charges writes one credit per 10 records", async () => {
    sandbox.options.creditsPerDay = 6;

    await conn.crm("Leads", {
      method: "POST",
      body: { data: Array.from({ length: 25 }, (_, i) => ({ Last_Name: `Bulk${i}` })), trigger: [] },
    });
    const next = await conn.crm("Leads?fields=Email&per_page=1");

    expect(next.headers.get("x-api-credits-remaining")).toBe("2");
  });
});

describe("item 18: Notifications API", () => {
  it("calls the channel's notify_url with ids, operation, channel_id and token on every change, whatever trigger says", async () => {
    const lead = await firstLead();
    const watch = await conn.crm("actions/watch", {
      method: "POST",
      body: {
        watch: [
          {
            channel_id: "1000000068001",
            events: ["Leads.all"],
            notify_url: `${receiver.url}/v1/hooks/crm/notifications`,
            token: "chan-token",
          },
        ],
      },
    });

    await conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, City: "Z" }], trigger: [] } });
    await sandbox.settle();

    expect(watch.body.watch[0].status).toBe("success");
    await eventually(() => expect(receiver.posts()).toHaveLength(1));
    expect(JSON.parse(receiver.posts()[0]?.body ?? "")).toMatchObject({
      module: "Leads",
      ids: [lead.id],
      operation: "update",
      channel_id: "1000000068001",
      token: "chan-token",
      server_time: expect.any(Number),
    });
  });
});
