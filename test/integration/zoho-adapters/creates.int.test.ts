/**
 * The writes the e-mail, transcript and document use cases add, against the Zoho sandbox: CRM records created with
 * `"trigger": []` (a missing mandatory field refused per item, naming it), `system_mandatory` read into
 * `ZohoField.mandatory`, a record's `Owner` as Zoho answers it, a task given to an owner, and a Desk ticket created
 * in the org's default department (Desk requires one) for a contact found or added by e-mail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { createZohoPorts } from "../../../shared/adapters/zoho/ports.js";
import { ValidationError } from "../../../shared/errors.js";
import type { ZohoCrm } from "../../../shared/ports/zoho-crm.js";
import type { ZohoDesk } from "../../../shared/ports/zoho-desk.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
let crm: ZohoCrm;
let desk: ZohoDesk;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
beforeEach(() => {
  Object.assign(h.sandbox.options, { ...DEFAULT_OPTIONS, port: h.sandbox.port, seed: true });
  ({ crm, desk } = createZohoPorts(h.container().zoho));
});
afterAll(() => h.close());

type Inspection = {
  requests: { method: string; path: string }[];
  writes: { service: string; module: string; operation: string; trigger: string[] | null; ids: string[] }[];
};
const inspect = () => h.sandbox.inspect() as unknown as Inspection;

describe("ZohoCrmHttp: creates", () => {
  it("creates records with trigger [] and answers each new id", async () => {
    const before = inspect().writes.length;

    const results = await crm.createRecords("Leads", [
      {
        Last_Name: "Okafor",
        Company: "Brightline",
        Email: "chidi@brightline.example",
        Lead_Source: "Web Download",
      },
      { Last_Name: "Lindqvist", Company: "Nordvik AB" },
    ]);

    expect(results.every((r) => r.ok)).toBe(true);
    const ids = results.map((r) => (r.ok ? r.id : ""));
    const leads = h.sandbox.state.crm.table("Leads");
    expect(leads.get(ids[0] as string)).toMatchObject({
      Last_Name: "Okafor",
      Email: "chidi@brightline.example",
    });
    expect(leads.get(ids[1] as string)).toMatchObject({ Company: "Nordvik AB" });
    const writes = inspect().writes.slice(before);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ module: "Leads", operation: "insert", trigger: [] });
  });

  it("answers a record without a mandatory field as a refused item naming the field (the others are created)", async () => {
    const results = await crm.createRecords("Leads", [{ Company: "No Name Ltd" }, { Last_Name: "Ito" }]);

    expect(results[0]).toMatchObject({ ok: false, code: "MANDATORY_NOT_FOUND", field: "Last_Name" });
    expect(results[1]).toMatchObject({ ok: true });
  });

  it("refuses more than 100 records before calling Zoho", async () => {
    const records = Array.from({ length: 101 }, (_, i) => ({ Last_Name: `L${i}` }));
    await expect(crm.createRecords("Leads", records)).rejects.toBeInstanceOf(ValidationError);
  });

  it("reads system_mandatory into ZohoField.mandatory", async () => {
    const fields = await crm.fields("Leads");

    expect(fields.find((f) => f.name === "Last_Name")?.mandatory).toBe(true);
    expect(fields.find((f) => f.name === "Company")?.mandatory).toBeFalsy();
    const served = h.sandbox.state.crm.modules
      .get("Leads")
      ?.fields.filter((f) => f.system_mandatory)
      .map((f) => f.api_name);
    expect(fields.filter((f) => f.mandatory).map((f) => f.name)).toEqual(served);
  });

  it("answers a record's Owner as Zoho does, and gives a task to an owner", async () => {
    const [created] = await crm.createRecords("Contacts", [
      { Last_Name: "Moreau", Email: "claire.moreau@lumen.example" },
    ]);
    const contactId = created?.ok ? created.id : "";
    const owner = h.sandbox.state.crm.users.at(-1);
    if (!owner) throw new Error("the sandbox has no users");

    const contact = await crm.getRecord("Contacts", contactId);
    expect(contact?.Owner).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      email: expect.any(String),
    });

    const [task] = await crm.createTasks([
      {
        module: "Contacts",
        recordId: contactId,
        subject: "Send the renewal quote",
        dueDate: "2026-12-04",
        ownerId: owner.id,
      },
    ]);
    expect(task?.ok).toBe(true);
    const stored = h.sandbox.state.crm.table("Tasks").get(task?.ok ? task.id : "");
    expect(stored?.Owner).toMatchObject({ id: owner.id });
    expect(stored).toMatchObject({ Subject: "Send the renewal quote", Due_Date: "2026-12-04" });
  });
});

describe("ZohoDeskHttp: createTicket", () => {
  it("creates a ticket in the org's default department for a new contact, and reads departments once", async () => {
    const before = inspect().requests.length;

    const first = await desk.createTicket({
      subject: "Cannot log in since the update",
      description: "Since Tuesday's update I get an error at login.",
      email: "noor.haddad@example.org",
      contactName: "Noor Haddad",
    });
    const second = await desk.createTicket({
      subject: "Invoice copy",
      description: "Please send a copy of invoice 4411.",
      email: "noor.haddad@example.org",
    });

    const state = h.sandbox.state.desk;
    const ticket = state.tickets.get(first.id);
    expect(ticket).toMatchObject({
      subject: "Cannot log in since the update",
      departmentId: state.departments[0]?.id,
    });
    const contact = state.contacts.find((c) => c.email === "noor.haddad@example.org");
    expect(contact).toMatchObject({ lastName: "Noor Haddad" });
    // The same e-mail is the same contact; the department list is read once per adapter.
    expect(state.tickets.get(second.id)?.contactId).toBe(contact?.id);
    const departmentReads = inspect()
      .requests.slice(before)
      .filter((r) => r.method === "GET" && r.path.endsWith("/api/v1/departments"));
    expect(departmentReads).toHaveLength(1);
  });

  it("creates the ticket in the department given", async () => {
    const other = h.sandbox.state.desk.departments[1];
    if (!other) throw new Error("the sandbox profile has one department");

    const { id } = await desk.createTicket({
      subject: "Refund",
      description: "Refund the double charge.",
      email: "ap@acme.example",
      departmentId: other.id,
    });

    expect(h.sandbox.state.desk.tickets.get(id)?.departmentId).toBe(other.id);
  });
});
