/**
 * Zoho sandbox seed profiles (`demo`, `alt`): two independently configured orgs. Covers the CRM metadata each serves
 * and enforces, Desk `organizationFields` in Zoho's shape (validated against the same data), the Desk mail reply
 * addresses, and Desk's refusal of e-mail drafts and replies without an active `fromEmailAddress`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, type SandboxProfile } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;

const control = async (path: string, body?: unknown, method = "POST") =>
  (
    await fetch(`${sandbox.url}/_sandbox/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  ).json() as Promise<any>;

const use = async (profile: SandboxProfile) => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port, profile });
  sandbox.reset();
  conn = await connect(sandbox);
};

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

type Field = {
  api_name: string;
  data_type: string;
  length: number;
  pick_list_values: { actual_value: string }[];
};
const leadFields = async () =>
  new Map(
    ((await conn.crm("settings/fields?module=Leads")).body.fields as Field[]).map((f) => [f.api_name, f]),
  );
const values = (f: Field | undefined) => f?.pick_list_values.map((p) => p.actual_value);
const firstLead = async () =>
  (await conn.crm("Leads?fields=Email&per_page=1")).body.data[0] as { id: string };
const firstTicket = async () =>
  (await conn.desk("tickets?limit=1")).body.data[0] as { id: string; email: string; departmentId: string };

const EXPECT = {
  demo: {
    icp: ["-None-", "Strong", "Moderate", "Weak"],
    intent: ["-None-", "High", "Medium", "Low"],
    buyingStage: true,
    scoreReason: { type: "textarea", length: 2000 },
    summaryLength: 2000,
    industry: "Systems Integrator",
    sentiment: ["Positive", "Neutral", "Negative"],
    urgency: ["Low", "Medium", "High", "Critical"],
    category: "Billing",
    deskSummaryLength: 2000,
    picklistMaxLength: 50,
    from: "support@zylker.example",
    other: "help@alt-desk.example",
  },
  alt: {
    icp: ["-None-", "A - Ideal", "B - Good", "C - Poor"],
    intent: ["-None-", "Hot", "Warm", "Cold"],
    buyingStage: false,
    scoreReason: { type: "text", length: 255 },
    summaryLength: 1000,
    industry: "Software & SaaS",
    sentiment: ["Happy", "Neutral", "Unhappy"],
    urgency: ["P1", "P2", "P3", "P4"],
    category: "Billing & Payments",
    deskSummaryLength: 500,
    picklistMaxLength: null,
    from: "help@alt-desk.example",
    other: "support@zylker.example",
  },
} as const;

describe("profiles differ in ordinary ways", () => {
  it("gives each org its own client, Desk org id and record ids; /_sandbox/demo reports the profile", async () => {
    await use("demo");
    const demo = await control("demo", undefined, "GET");
    const demoLead = await firstLead();
    await use("alt");
    const alt = await control("demo", undefined, "GET");
    const altLead = await firstLead();

    expect(demo.profile).toBe("demo");
    expect(alt.profile).toBe("alt");
    expect(alt.clientId).not.toBe(demo.clientId);
    expect(alt.clientSecret).not.toBe(demo.clientSecret);
    expect(alt.orgId).not.toBe(demo.orgId);
    expect(altLead.id.slice(0, 7)).not.toBe(demoLead.id.slice(0, 7));
    expect(altLead.id).toMatch(/^\d{19}$/);
  });

  it("POST /_sandbox/reset re-seeds the current profile, and {profile} switches it", async () => {
    await use("alt");
    await conn.crm("Leads", { method: "POST", body: { data: [{ Last_Name: "Extra" }], trigger: [] } });
    const before = (await conn.crm("Leads?fields=Email&per_page=200")).body.data.length;

    const reset = await control("reset");
    conn = await connect(sandbox);
    const after = (await conn.crm("Leads?fields=Email&per_page=200")).body.data.length;
    const switched = await control("reset", { profile: "demo" });
    const reported = await control("demo", undefined, "GET");
    const bad = await fetch(`${sandbox.url}/_sandbox/reset`, {
      method: "POST",
      body: JSON.stringify({ profile: "nope" }),
    });
    const badConfig = await fetch(`${sandbox.url}/_sandbox/config`, {
      method: "POST",
      body: JSON.stringify({ profile: "nope" }),
    });
    await control("config", { profile: "alt" });
    const viaConfig = await control("reset");

    expect(reset).toEqual({ ok: true, profile: "alt" });
    expect(after).toBe(before - 1);
    expect(switched).toEqual({ ok: true, profile: "demo" });
    expect(reported.profile).toBe("demo");
    expect(bad.status).toBe(400);
    expect(badConfig.status).toBe(400);
    expect(viaConfig).toEqual({ ok: true, profile: "alt" });
  });
});

describe.each(["demo", "alt"] as const)("profile %s", (profile) => {
  const x = EXPECT[profile];
  beforeEach(() => use(profile));

  it("serves the org's own AI fields, picklist values, lengths and Industry values", async () => {
    const fields = await leadFields();

    expect(values(fields.get("AI_ICP_Fit"))).toEqual(x.icp);
    expect(values(fields.get("AI_Intent"))).toEqual(x.intent);
    expect(fields.has("AI_Buying_Stage")).toBe(x.buyingStage);
    expect(fields.get("AI_Score_Reason")).toMatchObject({
      data_type: x.scoreReason.type,
      length: x.scoreReason.length,
    });
    expect(fields.get("AI_Summary")?.length).toBe(x.summaryLength);
    expect(fields.get("AI_Score")?.data_type).toBe("integer");
    expect(fields.get("AI_Enriched_At")?.data_type).toBe("datetime");
    expect(fields.get("AI_Audit")?.data_type).toBe("textarea");
    expect(values(fields.get("Industry"))).toContain(x.industry);
  });

  it("enforces that metadata on record writes: its own values and lengths, not the other org's", async () => {
    const lead = await firstLead();
    const other = profile === "demo" ? EXPECT.alt : EXPECT.demo;
    const write = (data: Record<string, unknown>) =>
      conn.crm("Leads", { method: "PUT", body: { data: [{ id: lead.id, ...data }], trigger: [] } });

    const own = await write({ AI_ICP_Fit: x.icp[1], AI_Intent: x.intent[1], Industry: x.industry });
    const foreign = await write({ AI_ICP_Fit: other.icp[1] });
    const tooLong = await write({ AI_Score_Reason: "r".repeat(x.scoreReason.length + 1) });

    expect(own.status).toBe(200);
    expect(foreign.status).toBe(400);
    expect(foreign.body.data[0]).toMatchObject({ code: "INVALID_DATA", details: { api_name: "AI_ICP_Fit" } });
    expect(tooLong.body.data[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "AI_Score_Reason", maximum_length: x.scoreReason.length },
    });
  });

  it("answers organizationFields in Zoho's shape: allowedValues objects or null, maxLength null where none", async () => {
    const res = await conn.desk("organizationFields?module=tickets");
    const byName = new Map(
      (res.body.data as { apiName: string }[]).map((f) => [f.apiName, f as Record<string, any>]),
    );
    const names = (f: Record<string, any> | undefined) =>
      ((f?.allowedValues ?? []) as { value: string }[]).map((v) => v.value);

    expect(res.status).toBe(200);
    expect(byName.get("status")?.allowedValues).toContainEqual({ value: "Open", statusType: "Open" });
    expect(byName.get("status")?.maxLength).toBeNull();
    expect(byName.get("subject")).toMatchObject({ allowedValues: null, maxLength: 1000 });
    expect(names(byName.get("cf_ai_sentiment"))).toEqual(x.sentiment);
    expect(names(byName.get("cf_ai_urgency"))).toEqual(x.urgency);
    expect(names(byName.get("cf_ai_category"))).toContain(x.category);
    expect(byName.get("cf_ai_sentiment")?.maxLength).toBe(x.picklistMaxLength);
    expect(byName.get("cf_ai_summary")).toMatchObject({
      isCustomField: true,
      allowedValues: null,
      maxLength: x.deskSummaryLength,
    });
  });

  it("validates cf writes against the same field data it serves", async () => {
    const ticket = await firstTicket();
    const other = profile === "demo" ? EXPECT.alt : EXPECT.demo;
    const patch = (cf: Record<string, unknown>) =>
      conn.desk(`tickets/${ticket.id}`, { method: "PATCH", body: { cf } });

    const ok = await patch({
      cf_ai_sentiment: x.sentiment[0],
      cf_ai_urgency: x.urgency[0],
      cf_ai_category: x.category,
      cf_ai_summary: "s".repeat(x.deskSummaryLength),
    });
    const foreign = await patch({ cf_ai_sentiment: other.sentiment[0] });
    const tooLong = await patch({ cf_ai_summary: "s".repeat(x.deskSummaryLength + 1) });
    const unknown = await patch({ cf_nope: "x" });

    expect(ok.status).toBe(200);
    expect(ok.body.cf.cf_ai_category).toBe(x.category);
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual([{ fieldName: "/cf/cf_ai_sentiment", errorType: "invalid" }]);
    expect(tooLong.body.errors).toEqual([{ fieldName: "/cf/cf_ai_summary", errorType: "invalid" }]);
    expect(unknown.status).toBe(422);
  });

  it("lists the org's mail reply addresses (List MailReplyAddresses)", async () => {
    const all = await conn.desk("mailReplyAddress");
    const active = await conn.desk("mailReplyAddress?isActive=true");
    const dept = (all.body.data[0] as { departmentId: string }).departmentId;
    const byDept = await conn.desk(`mailReplyAddress?departmentId=${dept}&isActive=true&from=0&limit=1`);
    const badDept = await conn.desk("mailReplyAddress?departmentId=123");
    const badLimit = await conn.desk("mailReplyAddress?limit=0");

    expect(all.status).toBe(200);
    expect(active.body.data).toEqual([
      {
        id: expect.stringMatching(/^\d{19}$/),
        address: x.from,
        displayName: expect.any(String),
        departmentId: dept,
        isActive: true,
        isVerified: true,
        isDefault: true,
        isSmtpEnabled: false,
        serviceProviderType: "ZohoSMTP",
        createdTime: expect.any(String),
      },
    ]);
    expect(byDept.body.data.map((a: { address: string }) => a.address)).toEqual([x.from]);
    expect(badDept.status).toBe(422);
    expect(badLimit.status).toBe(422);
  });

  it("refuses e-mail drafts and replies without an active fromEmailAddress of the org; accepts its own", async () => {
    const ticket = await firstTicket();
    const post = (kind: "draftReply" | "sendReply", extra: Record<string, unknown>) =>
      conn.desk(`tickets/${ticket.id}/${kind}`, {
        method: "POST",
        body: { channel: "EMAIL", content: "Hello", to: ticket.email, ...extra },
      });

    const draftNone = await post("draftReply", {});
    const draftOther = await post("draftReply", { fromEmailAddress: x.other });
    const sendNone = await post("sendReply", {});
    const draftOwn = await post("draftReply", { fromEmailAddress: x.from.toUpperCase() });
    const sendOwn = await post("sendReply", { fromEmailAddress: x.from });
    const writes = (sandbox.inspect().writes as { module: string }[]).map((w) => w.module);

    expect(draftNone.status).toBe(422);
    expect(draftNone.body).toMatchObject({
      errorCode: "INVALID_DATA",
      errors: [{ fieldName: "/fromEmailAddress", errorType: "missing" }],
    });
    expect(draftOther.body.errors).toEqual([{ fieldName: "/fromEmailAddress", errorType: "invalid" }]);
    expect(sendNone.status).toBe(422);
    expect(draftOwn.body).toMatchObject({ status: "DRAFT", direction: "out" });
    expect(sendOwn.body).toMatchObject({ status: "SUCCESS", fromEmailAddress: x.from });
    expect(writes).toEqual(["drafts", "replies"]);
  });
});

describe("Desk reply-address rules (settings)", () => {
  it("refuses an inactive reply address, with the status and errorCode configurable", async () => {
    await use("alt");
    const ticket = await firstTicket();
    const listed = await conn.desk("mailReplyAddress?isActive=false");
    sandbox.options.deskFromAddressErrorCode = "UNPROCESSABLE_ENTITY";
    sandbox.options.deskFromAddressErrorStatus = 400;

    const res = await conn.desk(`tickets/${ticket.id}/draftReply`, {
      method: "POST",
      body: { channel: "EMAIL", content: "Hello", fromEmailAddress: "legacy-support@alt-desk.example" },
    });

    expect(listed.body.data.map((a: { address: string }) => a.address)).toEqual([
      "legacy-support@alt-desk.example",
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      errorCode: "UNPROCESSABLE_ENTITY",
      errors: [{ fieldName: "/fromEmailAddress", errorType: "invalid" }],
    });
  });

  it("needs no fromEmailAddress for other channels, and can require departmentId when listing", async () => {
    await use("demo");
    const ticket = await firstTicket();
    const web = await conn.desk(`tickets/${ticket.id}/draftReply`, {
      method: "POST",
      body: { channel: "WEB", content: "Hello" },
    });
    sandbox.options.deskMailReplyAddressRequiresDepartment = true;
    const noDept = await conn.desk("mailReplyAddress");
    const withDept = await conn.desk(`mailReplyAddress?departmentId=${ticket.departmentId}`);

    expect(web.status).toBe(200);
    expect(noDept.status).toBe(422);
    expect(noDept.body.errors).toEqual([{ fieldName: "/departmentId", errorType: "missing" }]);
    expect(withDept.status).toBe(200);
  });

  it("answers an empty list with {data: []}, or 204 when deskEmptyListNoContent is set", async () => {
    await use("demo");
    const billing = (await firstTicket()).departmentId; // the first demo ticket is a billing one: no address there
    const empty = await conn.desk(`mailReplyAddress?departmentId=${billing}`);
    sandbox.options.deskEmptyListNoContent = true;
    const noContent = await conn.desk(`mailReplyAddress?departmentId=${billing}`);

    expect(empty.body).toEqual({ data: [] });
    expect(noContent.status).toBe(204);
  });

  it("refuses the list without a Desk settings or basic read scope", async () => {
    await use("demo");
    const narrow = await connect(sandbox, ["Desk.tickets.ALL"]);

    const res = await narrow.desk("mailReplyAddress");

    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe("SCOPE_MISMATCH");
  });
});
