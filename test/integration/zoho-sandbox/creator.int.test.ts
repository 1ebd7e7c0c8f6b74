/**
 * Zoho sandbox, Creator v2.1 reads (checklist items 1-6, 11, 12, 14, 15, 29, 30): both URL styles, Creator's 404
 * codes, auth, scopes and DCs, the `environment` header, criteria and `record_cursor` paging, v2.1 value shapes with
 * 19-digit string IDs, the Accept header, CSV, field metadata with choices, and the API access switch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type CreatorClient, connectCreator, control } from "../../helpers/creator.js";
import { tokenCall } from "../../helpers/zoho.js";

const APP = "data/zylker/service-desk";
const REPORT = `${APP}/report/All_Service_Requests`;

let sandbox: ZohoSandbox;
let creator: CreatorClient;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  creator = await connectCreator(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});

type Rec = Record<string, any> & { ID: string };
const all = async (query = "", headers: Record<string, string> = {}): Promise<Rec[]> =>
  (await creator.call(`${REPORT}?field_config=all${query}`, { headers })).body.data;
const where = (criteria: string) => `criteria=${encodeURIComponent(criteria)}`;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `dd-MMM-yyyy` (the demo app's date format) as `yyyy-mm-dd`. */
const iso = (date: string) => {
  const [day, month, year] = date.split("-");
  return `${year}-${String(MONTHS.indexOf(month ?? "") + 1).padStart(2, "0")}-${day}`;
};

describe("routing", () => {
  it("serves a report under /creator/v2.1/data and under the legacy /api/v2.1 path", async () => {
    const current = await creator.call(REPORT);
    const legacy = await creator.raw("/api/v2.1/zylker/service-desk/report/All_Service_Requests");

    expect(current.status).toBe(200);
    expect(current.body.code).toBe(3000);
    expect(legacy.body.data.map((r: Rec) => r.ID)).toEqual(current.body.data.map((r: Rec) => r.ID));
  });

  it("answers 404 with code 1040, 2892, 2894 and 2893 for an unknown owner, app, report and form", async () => {
    const owner = await creator.call("data/nobody/service-desk/report/All_Service_Requests");
    const app = await creator.call("data/zylker/no-such-app/report/All_Service_Requests");
    const report = await creator.call(`${APP}/report/No_Such_Report`);
    const form = await creator.call(`${APP}/form/No_Such_Form`, { method: "POST", body: { data: {} } });

    expect([owner.status, owner.body.code]).toEqual([404, 1040]);
    expect([app.status, app.body.code]).toEqual([404, 2892]);
    expect([report.status, report.body.code]).toEqual([404, 2894]);
    expect([form.status, form.body.code]).toEqual([404, 2893]);
  });

  it("has no record comments API and no v2 surface: 404 code 1000", async () => {
    const [first] = await all();

    const comments = await creator.call(`${REPORT}/${first?.ID}/comments`);
    const v2 = await creator.raw("/creator/v2/data/zylker/service-desk/report/All_Service_Requests");

    expect([comments.status, comments.body]).toEqual([
      404,
      { code: 1000, message: "Invalid API URL format." },
    ]);
    expect([v2.status, v2.body.code]).toEqual([404, 1000]);
  });
});

describe("auth and scopes", () => {
  it("answers 401 code 1030 without a token or with an unknown one", async () => {
    const none = await creator.call(REPORT, { token: null });
    const unknown = await creator.call(REPORT, { token: "1000.nope.nope" });

    expect([none.status, none.body.code]).toEqual([401, 1030]);
    expect([unknown.status, unknown.body.code]).toEqual([401, 1030]);
  });

  it("answers 401 code 2945 when the token lacks the call's ZohoCreator scope", async () => {
    const readOnly = await connectCreator(sandbox, ["ZohoCreator.report.READ"]);
    const [first] = await all();

    const read = await readOnly.call(REPORT);
    const update = await readOnly.call(`${REPORT}/${first?.ID}`, { method: "PATCH", body: { data: {} } });
    const add = await readOnly.call(`${APP}/form/AI_Audit_Log`, { method: "POST", body: { data: {} } });
    const meta = await readOnly.call("meta/zylker/service-desk/form/Service_Request/fields");
    const crmOnly = await (await connectCreator(sandbox, ["ZohoCRM.modules.ALL"])).call(REPORT);

    expect(read.status).toBe(200);
    for (const denied of [update, add, meta, crmOnly])
      expect([denied.status, denied.body.code]).toEqual([401, 2945]);
  });

  it("refuses a token from another DC's accounts server, and serves it on its own DC", async () => {
    const client = await control(sandbox, "clients", { dc: "eu" });
    const code = (await control(sandbox, "grant-codes", { client_id: client.client_id })).code;
    const tokens = await tokenCall(client.accounts_server, {
      grant_type: "authorization_code",
      client_id: client.client_id,
      client_secret: client.client_secret,
      code,
    });
    const token = tokens.body.access_token as string;

    const onUs = await creator.call(REPORT, { token });
    const onEu = await fetch(`${client.api_domain}/creator/v2.1/${REPORT}`, {
      headers: { authorization: `Zoho-oauthtoken ${token}`, accept: "application/json" },
    });

    expect(tokens.body.api_domain).toBe(`${sandbox.url}/api/eu`);
    expect([onUs.status, onUs.body.code]).toEqual([401, 1030]);
    expect(onEu.status).toBe(200);
  });
});

describe("environment header", () => {
  it("reads production without the header, and separate datasets for development and stage", async () => {
    const production = await creator.call(REPORT);
    const development = await creator.call(REPORT, { headers: { environment: "development" } });
    const stage = await creator.call(REPORT, { headers: { environment: "stage" } });
    const bad = await creator.call(REPORT, { headers: { environment: "sandbox" } });

    expect(production.body.data).toHaveLength(12);
    expect(development.body.data.map((r: Rec) => r.Subject)).toEqual([
      "[DEV] Test request from the app builder",
      "[DEV] Second test request",
    ]);
    expect(stage.body.data).toHaveLength(1);
    expect([bad.status, bad.body.code]).toEqual([401, 1060]);
  });

  it("writes in development never touch production", async () => {
    const dev = (await creator.call(REPORT, { headers: { environment: "development" } })).body.data[0] as Rec;

    const update = await creator.call(`${REPORT}/${dev.ID}`, {
      method: "PATCH",
      headers: { environment: "development" },
      body: { data: { Next_Action: "dev only" } },
    });
    const inProduction = await creator.call(`${REPORT}/${dev.ID}`);

    expect(update.body.code).toBe(3000);
    expect([inProduction.status, inProduction.body.code]).toEqual([404, 3190]);
  });
});

describe("records", () => {
  it("serves v2.1 value shapes with 19-digit string IDs beyond 2^53", async () => {
    const records = await all();
    const withUpdates = records.find((r) => r.Updates.length > 0) as Rec;

    expect(withUpdates.Customer).toEqual({
      Company: expect.any(String),
      ID: expect.stringMatching(/^\d{19}$/),
      zc_display_value: withUpdates.Customer.Company,
    });
    expect(withUpdates.Tags).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(withUpdates.Updates[0]).toMatchObject({
      ID: expect.stringMatching(/^\d{19}$/),
      Note: expect.any(String),
      Logged_At: "03-Mar-2026 04:15:00",
      zc_display_value: expect.stringContaining("awaiting logs"),
    });
    expect(withUpdates.Escalated).toEqual(expect.any(Boolean));
    expect(withUpdates.Requested_On).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4}$/);
    expect(withUpdates.Modified_Time).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
    expect(withUpdates.Estimated_Minutes).toMatch(/^\d+$/);
    for (const r of records) expect(BigInt(r.ID) > 2n ** 53n).toBe(true);
    expect(records.some((r) => String(Number(r.ID)) !== r.ID)).toBe(true);
  });

  it("shows the report's quick view by default and the detail view by ID", async () => {
    const quick = (await creator.call(REPORT)).body.data[0] as Rec;
    const detail = (await creator.call(`${REPORT}/${quick.ID}`)).body;

    expect(Object.keys(quick)).toEqual([
      "ID",
      "Request_No",
      "Subject",
      "Customer_Email",
      "Category",
      "Priority",
      "Requested_On",
    ]);
    expect(detail.code).toBe(3000);
    expect(detail.data).toMatchObject({ ID: quick.ID, AI_Summary: "", AI_Risk_Score: "", Next_Action: "" });
  });

  it("filters by criteria with ==, !=, <, >, &&, ||, .contains and lookups by ID", async () => {
    const records = await all();
    const customer = records[0]?.Customer.ID as string;
    const ids = (rs: Rec[]) => rs.map((r) => r.ID);

    const cases: [string, (r: Rec) => boolean][] = [
      ['Priority == "Urgent"', (r) => r.Priority === "Urgent"],
      ['Priority != "Low" && Category == "Billing"', (r) => r.Priority !== "Low" && r.Category === "Billing"],
      [
        'Estimated_Minutes > 150 || Priority == "Low"',
        (r) => Number(r.Estimated_Minutes) > 150 || r.Priority === "Low",
      ],
      ["Estimated_Minutes < 60", (r) => Number(r.Estimated_Minutes) < 60],
      ['Subject.contains("invoice")', (r) => r.Subject.includes("invoice")],
      ['(Tags.contains("API")) && Escalated == true', (r) => r.Tags.includes("API") && r.Escalated],
      [`Customer == ${customer}`, (r) => r.Customer.ID === customer],
      [
        `Customer.ID == ${customer} || Customer.Company == "Sakura Retail Group"`,
        (r) => r.Customer.ID === customer || r.Customer.Company === "Sakura Retail Group",
      ],
      ['Requested_On < "01-Mar-2026"', (r) => iso(r.Requested_On) < "2026-03-01"],
    ];
    for (const [criteria, expected] of cases) {
      const want = ids(records.filter(expected));
      const got = await creator.call(`${REPORT}?field_config=all&${where(criteria)}`);
      // Every case matches some records and not all, so the filter is really exercised.
      expect({ criteria, some: want.length > 0 && want.length < records.length }).toEqual({
        criteria,
        some: true,
      });
      expect({ criteria, ids: ids(got.body.data) }).toEqual({ criteria, ids: want });
    }
  });

  it("answers 404 code 3100 when nothing matches, and 1060 for a criteria it cannot read", async () => {
    const none = await creator.call(`${REPORT}?${where('Subject == "no such subject"')}`);
    const broken = await creator.call(`${REPORT}?${where('Subject == "x" &&')}`);
    const unknown = await creator.call(`${REPORT}?${where('Nope == "x"')}`);

    expect([none.status, none.body]).toEqual([
      404,
      { code: 3100, message: "No records found for the given criteria." },
    ]);
    expect([broken.status, broken.body.code]).toEqual([401, 1060]);
    expect(unknown.body.code).toBe(1060);
  });

  it("pages with max_records and the record_cursor header until the header is gone", async () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({
      Subject: `Bulk ${i}`,
      Customer_Email: `b${i}@x.example`,
    }));
    await creator.call(`${APP}/form/Service_Request`, {
      method: "POST",
      body: { data: rows.slice(0, 200), skip_workflow: ["all"] },
    });
    await creator.call(`${APP}/form/Service_Request`, {
      method: "POST",
      body: { data: rows.slice(200), skip_workflow: ["all"] },
    });
    const query = `${REPORT}?max_records=200&${where('Subject.contains("Bulk")')}`;

    const first = await creator.call(query);
    const cursor = first.headers.get("record_cursor") as string;
    const second = await creator.call(query, { headers: { record_cursor: cursor } });
    const everything = await creator.call(`${REPORT}?max_records=500`);

    expect(first.body.data).toHaveLength(200);
    expect(cursor).toMatch(/^[a-z0-9]+$/i);
    expect(second.body.data).toHaveLength(50);
    expect(second.headers.get("record_cursor")).toBeNull();
    expect(new Set([...first.body.data, ...second.body.data].map((r: Rec) => r.ID)).size).toBe(250);
    expect(everything.body.data).toHaveLength(262);
    expect(everything.headers.get("record_cursor")).toBeNull();
  });

  it("refuses a max_records other than 200, 500 or 1000, and an unknown record_cursor", async () => {
    const size = await creator.call(`${REPORT}?max_records=300`);
    const cursor = await creator.call(REPORT, { headers: { record_cursor: "abc123" } });

    expect([size.status, size.body.code]).toEqual([401, 1060]);
    expect(cursor.body).toEqual({ code: 1060, message: "Invalid request parameter found - record_cursor" });
  });

  it("answers text/csv when asked, and refuses any other Accept header (toggleable)", async () => {
    const csv = await creator.call(REPORT, { headers: { accept: "text/csv" } });
    const axios = await creator.call(REPORT, { headers: { accept: "application/json, text/plain, */*" } });
    sandbox.options.creatorStrictAccept = false;
    const lenient = await creator.call(REPORT, { headers: { accept: "application/json, text/plain, */*" } });

    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.text.split("\n")[0]).toBe(
      "ID,Request_No,Subject,Customer_Email,Category,Priority,Requested_On",
    );
    expect(csv.text.split("\n")).toHaveLength(13);
    expect([axios.status, axios.body.message]).toEqual([
      400,
      "Please enter a valid input for 'accept' header key",
    ]);
    expect(lenient.status).toBe(200);
  });

  it("writes IDs as bare JSON numbers behind creatorNumericIds, which a double cannot hold", async () => {
    sandbox.options.creatorNumericIds = true;

    const { text } = await creator.call(REPORT);
    const id = /"ID":(\d{19})/.exec(text)?.[1] as string;

    expect(text).not.toMatch(/"ID":"/);
    expect(String((JSON.parse(text) as { data: { ID: number }[] }).data[0]?.ID)).not.toBe(id);
  });
});

describe("field metadata", () => {
  it("lists the form's fields with official type codes, lengths, mandatory flags and dropdown choices", async () => {
    const res = await creator.call("meta/zylker/service-desk/form/Service_Request/fields");
    const field = (name: string) => res.body.fields.find((f: { link_name: string }) => f.link_name === name);

    expect(res.body.code).toBe(3000);
    expect(field("Subject")).toEqual({
      link_name: "Subject",
      display_name: "Subject",
      type: 1,
      mandatory: true,
      unique: false,
      max_char: 255,
    });
    expect(field("Category").choices).toEqual(
      ["Billing", "Technical", "Account", "Other"].map((c) => ({ display_value: c, value: c })),
    );
    expect(field("Priority").type).toBe(12);
    expect(field("Tags").type).toBe(14);
    expect(field("AI_Risk_Score").type).toBe(6);
    expect(field("Request_No").type).toBe(9);
    expect(field("Next_Action").max_char).toBe(255);
  });

  it("gives choices as plain strings, or leaves them out, as configured", async () => {
    sandbox.options.creatorMetaChoices = "strings";
    const strings = await creator.call("meta/zylker/service-desk/form/Service_Request/fields");
    sandbox.options.creatorMetaChoices = "none";
    const none = await creator.call("meta/zylker/service-desk/form/Service_Request/fields");
    const priority = (body: any) =>
      body.fields.find((f: { link_name: string }) => f.link_name === "Priority");

    expect(priority(strings.body).choices).toEqual(["Low", "Medium", "High", "Urgent"]);
    expect(priority(none.body)).not.toHaveProperty("choices");
  });
});

describe("API access switch", () => {
  it("answers code 1130 to every call while the app's API access is off", async () => {
    await control(sandbox, "config", { creatorApiAccess: false });

    const calls = await Promise.all([
      creator.call(REPORT),
      creator.call("meta/zylker/service-desk/form/Service_Request/fields"),
      creator.call(`${APP}/form/AI_Audit_Log`, { method: "POST", body: { data: { Record_ID: "1" } } }),
    ]);

    for (const c of calls)
      expect([c.status, c.body]).toEqual([
        403,
        { code: 1130, message: "You do not have permission to access this application's APIs." },
      ]);
  });
});
