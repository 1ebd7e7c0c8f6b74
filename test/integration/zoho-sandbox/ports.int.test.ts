/**
 * Zoho sandbox, what the Zoho ports call beyond the checklist's minimum: Tasks with `Who_Id`, a record's Notes and
 * Tasks lists, search by phone and its errors, COQL's limits, record attachments (list and download, with a control
 * to attach a file), and the dispatcher's strict paths.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  conn = await connect(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});

type Rec = { id: string } & Record<string, unknown>;
const first = async (module: string, fields: string): Promise<Rec> =>
  (await conn.crm(`${module}?fields=${fields}&per_page=1`)).body.data[0] as Rec;
const createdId = (res: { body: { data: { details: { id: string } }[] } }) =>
  res.body.data[0]?.details.id as string;

describe("Tasks: What_Id with $se_module, and Who_Id", () => {
  it("relates a task to a deal and a contact, and lists it on the deal", async () => {
    const deal = await first("Deals", "Deal_Name");
    const contact = await first("Contacts", "Last_Name");

    const res = await conn.crm("Tasks", {
      method: "POST",
      body: {
        data: [
          {
            Subject: "Send the proposal",
            Priority: "High",
            What_Id: { id: deal.id },
            $se_module: "Deals",
            Who_Id: { id: contact.id },
          },
        ],
        trigger: [],
      },
    });
    const listed = await conn.crm(`Deals/${deal.id}/Tasks?fields=Subject,Who_Id,What_Id`);

    expect(res.status).toBe(201);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({
      id: createdId(res),
      Subject: "Send the proposal",
      What_Id: { id: deal.id },
      Who_Id: { id: contact.id },
    });
  });

  it("refuses a Who_Id that is not a contact with INVALID_DATA on Who_Id", async () => {
    const lead = await first("Leads", "Last_Name");

    const res = await conn.crm("Tasks", {
      method: "POST",
      body: { data: [{ Subject: "Call", Who_Id: { id: lead.id } }], trigger: [] },
    });

    expect(res.status).toBe(400);
    expect(res.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "Who_Id", json_path: "$.data[0].Who_Id" },
    });
  });

  it("lists the task on its contact too", async () => {
    const contact = await first("Contacts", "Last_Name");

    const res = await conn.crm("Tasks", {
      method: "POST",
      body: { data: [{ Subject: "Check in", Who_Id: contact.id }], trigger: [] },
    });
    const listed = await conn.crm(`Contacts/${contact.id}/Tasks?fields=Subject`);

    expect(res.status).toBe(201);
    expect(listed.body.data).toEqual([{ id: createdId(res), Subject: "Check in" }]);
  });

  it("takes a lead as Who_Id when taskWhoModules says so (the notes' reading)", async () => {
    const lead = await first("Leads", "Last_Name");
    const task = { data: [{ Subject: "Call", Who_Id: { id: lead.id } }], trigger: [] };

    const byDefault = await conn.crm("Tasks", { method: "POST", body: task });
    sandbox.options.taskWhoModules = ["Contacts", "Leads"];
    const allowed = await conn.crm("Tasks", { method: "POST", body: task });
    const malformed = await conn.crm("Tasks", {
      method: "POST",
      body: { data: [{ Subject: "Call", Who_Id: { id: "not-an-id" } }] },
    });

    expect(byDefault.status).toBe(400);
    expect(allowed.status).toBe(201);
    expect(sandbox.state.crm.find("Tasks", createdId(allowed))?.Who_Id).toMatchObject({ id: lead.id });
    expect(malformed.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "Who_Id", expected_data_type: "jsonobject" },
    });
  });

  it("refuses a task without a Subject with MANDATORY_NOT_FOUND", async () => {
    const res = await conn.crm("Tasks", { method: "POST", body: { data: [{ Priority: "Low" }] } });

    expect(res.body.data[0]).toMatchObject({ code: "MANDATORY_NOT_FOUND", details: { api_name: "Subject" } });
  });
});

describe("a record's Notes", () => {
  const note = (parent: string, title: string) => ({
    Note_Title: title,
    Note_Content: `${title} body`,
    Parent_Id: { module: { api_name: "Leads" }, id: parent },
  });

  it("lists only the record's notes, oldest first by default and newest first on request", async () => {
    const [a, b] = (await conn.crm("Leads?fields=Last_Name&per_page=2")).body.data as Rec[];
    await conn.crm("Notes", {
      method: "POST",
      body: {
        data: [
          note(a?.id as string, "first"),
          note(b?.id as string, "other"),
          note(a?.id as string, "second"),
        ],
      },
    });

    const asc = await conn.crm(`Leads/${a?.id}/Notes?fields=Note_Title`);
    const desc = await conn.crm(`leads/${a?.id}/notes?fields=Note_Title&sort_order=desc&per_page=1`);

    expect(asc.body.data.map((n: Rec) => n.Note_Title)).toEqual(["first", "second"]);
    expect(desc.body.data.map((n: Rec) => n.Note_Title)).toEqual(["second"]);
    expect(desc.body.info).toMatchObject({ per_page: 1, count: 1, more_records: true });
  });

  it("answers 204 when the record has none and INVALID_DATA for an unknown record", async () => {
    const lead = await first("Leads", "Last_Name");

    const none = await conn.crm(`Leads/${lead.id}/Notes`);
    const unknown = await conn.crm("Leads/1111111111111111111/Notes");

    expect([none.status, none.text]).toEqual([204, ""]);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: "INVALID_DATA", details: { id: "1111111111111111111" } });
  });
});

describe("search", () => {
  it("finds a record by phone, whatever the separators", async () => {
    const lead = await first("Leads", "Phone");
    const digits = String(lead.Phone).replace(/\D/g, "");

    const res = await conn.crm(`Leads/search?phone=${digits}&fields=Phone`);

    expect(res.status).toBe(200);
    expect(res.body.data.map((r: Rec) => r.id)).toContain(lead.id);
  });

  it("answers REQUIRED_PARAM_MISSING without a filter and INVALID_QUERY for an unknown field", async () => {
    const none = await conn.crm("Leads/search");
    const unknown = await conn.crm("Leads/search?criteria=(Shoe_Size:equals:9)");
    const unknownModule = await conn.crm("Gadgets/search?word=x");

    expect(none.body).toMatchObject({ code: "REQUIRED_PARAM_MISSING", details: { param_name: "criteria" } });
    expect(unknown.body).toMatchObject({ code: "INVALID_QUERY", details: { column_name: "Shoe_Size" } });
    expect(unknownModule.body).toMatchObject({ code: "INVALID_MODULE" });
  });
});

describe("COQL", () => {
  const coql = (select_query: string) => conn.crm("coql", { method: "POST", body: { select_query } });

  it("selects by field = 'value' and ... limit n", async () => {
    const lead = await first("Leads", "Email,Lead_Source");

    const res = await coql(
      `select Last_Name, Email from Leads where Email = '${lead.Email}' and Lead_Source = '${lead.Lead_Source}' limit 5`,
    );

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([expect.objectContaining({ id: lead.id, Email: lead.Email })]);
    expect(res.body.info).toEqual({ count: 1, more_records: false });
  });

  it("answers 204 when nothing matches, LIMIT_EXCEEDED above 2000, and REQUIRED_PARAM_MISSING without a query", async () => {
    const none = await coql("select Email from Leads where Email = 'nobody@nowhere.example' limit 1");
    const tooMany = await coql("select Email from Leads limit 2001");
    const missing = await conn.crm("coql", { method: "POST", body: {} });

    expect([none.status, none.text]).toEqual([204, ""]);
    expect(tooMany.body).toMatchObject({ code: "LIMIT_EXCEEDED" });
    expect(missing.body).toMatchObject({
      code: "REQUIRED_PARAM_MISSING",
      details: { param_name: "select_query" },
    });
  });
});

describe("attachments", () => {
  const attach = async (body: Record<string, unknown>) => {
    const res = await fetch(`${sandbox.url}/_sandbox/attachments`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const download = (module: string, id: string, attachmentId: string, token = conn.accessToken) =>
    fetch(`${conn.apiDomain}/crm/v8/${module}/${id}/Attachments/${attachmentId}`, {
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });
  const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x10, 0x80]);

  it("downloads an attached file's bytes with its content type and name", async () => {
    const lead = await first("Leads", "Last_Name");
    const added = await attach({
      module: "Leads",
      record_id: lead.id,
      file_name: "Q4 Report.pdf",
      content_type: "application/pdf",
      content_base64: pdf.toString("base64"),
    });

    const res = await download("Leads", lead.id, added.body.id as string);

    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ file_name: "Q4 Report.pdf", size: pdf.length });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="Q4 Report.pdf"');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(pdf);
  });

  it("lists a record's attachments as Get Attachments does", async () => {
    const lead = await first("Leads", "Last_Name");
    const file = await attach({ module: "Leads", record_id: lead.id, file_name: "notes.txt", text: "hello" });
    const link = await attach({
      module: "Leads",
      record_id: lead.id,
      file_name: "Website",
      link_url: "https://example.com/",
    });

    const res = await conn.crm(`Leads/${lead.id}/Attachments?fields=File_Name,Size,$type,Parent_Id`);

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        id: file.body.id,
        File_Name: "notes.txt",
        Size: "5",
        $type: "File",
        Parent_Id: { id: lead.id, name: expect.any(String) },
      },
      { id: link.body.id, File_Name: "Website", Size: "0", $type: "Link URL", Parent_Id: expect.any(Object) },
    ]);
  });

  it("answers 204 for an unknown attachment or another record's, INVALID_DATA for an unknown record, and DOWNLOAD_NOT_ALLOWED for a link", async () => {
    const [a, b] = (await conn.crm("Leads?fields=Last_Name&per_page=2")).body.data as Rec[];
    const file = await attach({ module: "Leads", record_id: a?.id, file_name: "a.txt", text: "a" });
    const link = await attach({
      module: "Leads",
      record_id: a?.id,
      file_name: "l",
      link_url: "https://x.example",
    });

    const unknown = await download("Leads", a?.id as string, "1111111111111111111");
    const otherRecord = await download("Leads", b?.id as string, file.body.id as string);
    const unknownRecord = await download("Leads", "1111111111111111111", file.body.id as string);
    const linked = await download("Leads", a?.id as string, link.body.id as string);
    const unknownModule = await download("Gadgets", a?.id as string, file.body.id as string);

    expect([unknown.status, await unknown.text()]).toEqual([204, ""]);
    expect(otherRecord.status).toBe(204);
    expect(unknownRecord.status).toBe(400);
    expect(await unknownRecord.json()).toEqual({
      code: "INVALID_DATA",
      details: { resource_path_index: 1 },
      message: "the related id given seems to be invalid",
      status: "error",
    });
    expect(linked.status).toBe(400);
    expect(await linked.json()).toMatchObject({ code: "DOWNLOAD_NOT_ALLOWED", status: "error" });
    expect(await unknownModule.json()).toMatchObject({ code: "INVALID_MODULE" });
  });

  it("needs the attachments scope as well as the module's", async () => {
    const lead = await first("Leads", "Last_Name");
    const file = await attach({ module: "Leads", record_id: lead.id, file_name: "a.txt", text: "a" });
    const moduleOnly = await connect(sandbox, ["ZohoCRM.modules.leads.READ"]);
    const both = await connect(sandbox, ["ZohoCRM.modules.leads.READ", "ZohoCRM.modules.attachments.READ"]);

    const refused = await download("Leads", lead.id, file.body.id as string, moduleOnly.accessToken);
    const allowed = await download("Leads", lead.id, file.body.id as string, both.accessToken);

    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "OAUTH_SCOPE_MISMATCH" });
    expect(allowed.status).toBe(200);
  });

  it("answers an empty list with 204 by default, 200 {data: []} when set, and can require fields", async () => {
    const lead = await first("Leads", "Last_Name");

    const byDefault = await conn.crm(`Leads/${lead.id}/Attachments`);
    Object.assign(sandbox.options, { attachmentListEmptyStatus: 200, attachmentListRequiresFields: true });
    const empty = await conn.crm(`Leads/${lead.id}/Attachments?fields=File_Name`);
    const noFields = await conn.crm(`Leads/${lead.id}/Attachments`);

    expect([byDefault.status, byDefault.text]).toEqual([204, ""]);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ data: [], info: { count: 0, more_records: false } });
    expect(noFields.body).toMatchObject({
      code: "REQUIRED_PARAM_MISSING",
      details: { param_name: "fields" },
    });
  });

  it("refuses to attach to a record that does not exist", async () => {
    const res = await attach({
      module: "Leads",
      record_id: "1111111111111111111",
      file_name: "x",
      text: "x",
    });

    expect(res.status).toBe(404);
  });
});

describe("the dispatcher", () => {
  it("answers INVALID_URL_PATTERN for a path no route registered, and 405 for a method watch does not take", async () => {
    const tooDeep = await conn.crm("Leads/1/Notes/2/extra");
    const wrongVersion = await fetch(`${conn.apiDomain}/crm/v2/Leads?fields=Email`, {
      headers: { authorization: `Zoho-oauthtoken ${conn.accessToken}` },
    });
    const watchHead = await conn.crm("actions/watch", { method: "OPTIONS" });

    expect(tooDeep.status).toBe(404);
    expect(tooDeep.body).toMatchObject({ code: "INVALID_URL_PATTERN" });
    expect(wrongVersion.status).toBe(404);
    expect(watchHead.status).toBe(405);
    expect(watchHead.body).toMatchObject({ code: "INVALID_REQUEST_METHOD" });
  });

  it("answers Desk's GET /organizations before any orgId is known, and needs Desk.basic.READ", async () => {
    const orgs = await conn.desk("organizations", { orgId: null });
    const noScope = await (await connect(sandbox, ["Desk.tickets.READ"])).desk("organizations", {
      orgId: null,
    });

    expect(orgs.status).toBe(200);
    expect(orgs.body.data).toEqual([expect.objectContaining({ id: sandbox.demo().orgId, isDefault: true })]);
    expect(noScope.status).toBe(401);
    expect(noScope.body).toMatchObject({ errorCode: "SCOPE_MISMATCH" });
  });

  it("answers Desk's URL_NOT_FOUND for an unknown Desk path", async () => {
    const ticket = (await conn.desk("tickets?limit=1")).body.data[0] as Rec;

    const res = await conn.desk(`tickets/${ticket.id}/threads/1/extra`);

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ errorCode: "URL_NOT_FOUND" });
  });
});
