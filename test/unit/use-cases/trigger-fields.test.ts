/**
 * Trigger fields (issue 14): a fresh workflow webhook's merge fields stand in for the lead's read; a stale one
 * (old, redelivered, deferred, replayed) reads the record, and the record as read is what the model sees.
 */
import { describe, expect, it } from "vitest";
import { isTriggerFresh } from "../../../shared/pipeline/trigger-freshness.js";
import { delivery, LEAD_ID, leadMessage, PipelineHarness, ticketMessage } from "../../fakes/pipeline.js";

/** Every field lead enrichment needs of the demo org's Leads, as a webhook's merge fields render them. */
const MERGE_FIELDS = {
  First_Name: "Ada",
  Last_Name: "Lovelace",
  Company: "Trigger Engines Ltd",
  Designation: "",
  Email: "ada@example.com",
  Website: "",
  City: "",
  Country: "",
  Lead_Source: "Web Download",
  Lead_Status: "",
  Industry: "",
  No_of_Employees: "250",
  Annual_Revenue: "",
  Description: "",
  Modified_Time: "2026-11-30T09:59:50+00:00",
};

const withTrigger = (receivedAt: string, fields: Record<string, unknown> = MERGE_FIELDS) =>
  leadMessage(LEAD_ID, "t1", {
    receivedAt,
    input: { module: "Leads", id: LEAD_ID, modifiedTime: "2026-11-30T09:59:50+00:00", fields },
  });

const reads = (h: PipelineHarness) =>
  h.crm.calls.filter((c) => c.method === "getRecord" || c.method === "getRecords").length;

/** The lead as Zoho holds it now: changed since the trigger. */
const seedChanged = (h: PipelineHarness) =>
  h.crm.put("Leads", {
    id: LEAD_ID,
    Last_Name: "Lovelace",
    Company: "Analytical Engines (renamed)",
    Modified_Time: "2026-11-30T09:59:58+00:00",
  });

describe("isTriggerFresh", () => {
  const now = Date.parse("2026-11-30T10:00:00Z");
  const first = { receiveCount: 1, deferrals: 0, maxAgeSeconds: 60 };
  const at = (iso: string) => ({ receivedAt: iso });

  it("is fresh on a first, prompt delivery younger than the bound", () => {
    expect(isTriggerFresh(at("2026-11-30T09:59:30Z"), first, now)).toBe(true);
    // A worker clock a little behind the ingest's.
    expect(isTriggerFresh(at("2026-11-30T10:00:02Z"), first, now)).toBe(true);
  });

  it("is stale when old, redelivered, deferred, replayed, turned off or unknown", () => {
    expect(isTriggerFresh(at("2026-11-30T09:59:00Z"), first, now)).toBe(false);
    expect(isTriggerFresh(at("2026-11-30T09:59:30Z"), { ...first, receiveCount: 2 }, now)).toBe(false);
    expect(isTriggerFresh(at("2026-11-30T09:59:30Z"), { ...first, deferrals: 1 }, now)).toBe(false);
    expect(isTriggerFresh(at("2026-11-30T09:59:30Z"), { ...first, replayId: "dl-1" }, now)).toBe(false);
    expect(isTriggerFresh(at("2026-11-30T09:59:30Z"), { ...first, maxAgeSeconds: 0 }, now)).toBe(false);
    expect(isTriggerFresh(at("2026-11-30T09:59:30Z"), undefined, now)).toBe(false);
  });
});

describe("lead enrichment with trigger fields", () => {
  it("a fresh trigger with every needed field is enriched without reading the lead", async () => {
    const h = new PipelineHarness();
    seedChanged(h);
    const [decision] = await h.run(delivery(withTrigger("2026-11-30T09:59:55.000Z")));
    expect(decision).toMatchObject({ action: "ack", result: "written" });
    expect(reads(h)).toBe(0);
    // The model saw the trigger's values, and the lead was written.
    expect(h.llm.requests[0]?.user).toContain("Trigger Engines Ltd");
    expect(h.crm.writes().filter((w) => w.method === "updateRecords")).toHaveLength(1);
  });

  it.each([
    ["older than TRIGGER_FIELDS_MAX_AGE_SECONDS", "2026-11-30T09:58:00.000Z", 1, {}],
    ["redelivered", "2026-11-30T09:59:55.000Z", 2, {}],
    ["deferred before", "2026-11-30T09:59:55.000Z", 1, { deferrals: 1 }],
    ["an operator's replay", "2026-11-30T09:59:55.000Z", 1, { replayId: "dl-1" }],
  ] as const)(
    "a trigger %s reads the lead, and the model sees the record as read",
    async (_, at, receives, extra) => {
      const h = new PipelineHarness();
      seedChanged(h);
      await h.run(delivery(withTrigger(at), receives, extra));
      expect(reads(h)).toBe(1);
      const user = h.llm.requests[0]?.user ?? "";
      expect(user).toContain("Analytical Engines (renamed)");
      expect(user).not.toContain("Trigger Engines Ltd");
    },
  );

  it("a fresh trigger missing a needed field reads the lead", async () => {
    const h = new PipelineHarness();
    seedChanged(h);
    const { Company: _, ...partial } = MERGE_FIELDS;
    await h.run(delivery(withTrigger("2026-11-30T09:59:55.000Z", partial)));
    expect(reads(h)).toBe(1);
    expect(h.llm.requests[0]?.user).toContain("Analytical Engines (renamed)");
  });

  it("with TRIGGER_FIELDS_MAX_AGE_SECONDS 0 every unit reads its lead", async () => {
    const h = new PipelineHarness();
    h.config = { ...h.config, triggerFieldsMaxAgeSeconds: 0 };
    seedChanged(h);
    await h.run(delivery(withTrigger("2026-11-30T09:59:59.000Z")));
    expect(reads(h)).toBe(1);
  });

  it("a read asks only for the fields the org has that the use case needs (the demo org has no Email)", async () => {
    const h = new PipelineHarness();
    await h.run(delivery(leadMessage()));
    const read = h.crm.calls.find((c) => c.method === "getRecord" || c.method === "getRecords");
    const fields = read && "args" in read ? (read.args[2] as string[]) : [];
    expect([...fields].sort()).toEqual(
      ["City", "Company", "Country", "Designation", "First_Name", "Industry", "Last_Name"].sort(),
    );
  });
});

describe("ticket triage with the ticket its Ticket_Add event carried", () => {
  const withTicket = (receivedAt: string) => {
    const message = JSON.parse(ticketMessage());
    message.receivedAt = receivedAt;
    message.input.ticket = {
      subject: "Charged twice (as the event saw it)",
      description: "Please refund",
      status: "Open",
      email: "ada@example.com",
      departmentId: "9",
    };
    return JSON.stringify(message);
  };
  const deskReads = (h: PipelineHarness) =>
    h.desk.calls.map((c) => c.method).filter((m) => m.startsWith("get") || m === "listThreads");

  it("a fresh event's ticket stands in for getTicket; the threads are still read", async () => {
    const h = new PipelineHarness();
    const [decision] = await h.run(delivery(withTicket("2026-11-30T09:59:55.000Z")));
    expect(decision).toMatchObject({ action: "ack", result: "written" });
    expect(deskReads(h).sort()).toEqual(["getThread", "listThreads"]);
    expect(h.llm.requests[0]?.user).toContain("Charged twice (as the event saw it)");
    expect(h.llm.requests[0]?.user).toContain("You charged me twice.");
    // The draft goes to the address the event carried.
    expect(JSON.stringify(h.desk.writes())).toContain("ada@example.com");
  });

  it("a stale event reads the ticket as it is now", async () => {
    const h = new PipelineHarness();
    await h.run(delivery(withTicket("2026-11-30T09:58:00.000Z")));
    expect(deskReads(h).sort()).toEqual(["getThread", "getTicket", "listThreads"]);
    expect(h.llm.requests[0]?.user).not.toContain("as the event saw it");
    expect(h.llm.requests[0]?.user).toContain("Charged twice");
  });
});
