/**
 * The Creator v2.1 adapter over the real Zoho HTTP client and a scripted fetch: URLs, headers (environment,
 * record_cursor, accept), bodies (skip_workflow), cursor paging, lossless 19-digit IDs, record-level refusals as
 * `{ ok: false }`, the field-type mapping and every Creator code's translation into the error taxonomy.
 */
import { describe, expect, it } from "vitest";
import { ZohoCreatorHttp } from "../../../../../shared/adapters/zoho/creator.js";
import { ZohoUrlRefusedError } from "../../../../../shared/adapters/zoho/zoho-http-client.js";
import type { ZohoConnection } from "../../../../../shared/domain/zoho-connection.js";
import {
  NotFoundError,
  UpstreamAuthError,
  UpstreamRejectedError,
  UpstreamScopeError,
  UpstreamUnavailableError,
  ValidationError,
  WorkMustWaitError,
} from "../../../../../shared/errors.js";
import type { CreatorApp } from "../../../../../shared/ports/zoho-creator.js";
import { type ScriptedAnswer, scriptedZoho } from "../../../../helpers/zoho-fetch.js";

const APP: CreatorApp = { app: "order_desk" };
const ID = "3888833000000114027";
const BASE = "https://www.zohoapis.com/creator/v2.1";

function withCreator(answers: ScriptedAnswer[], connection: Partial<ZohoConnection> = {}) {
  const zoho = scriptedZoho(answers, connection);
  return { ...zoho, creator: new ZohoCreatorHttp(zoho.http) };
}

const ok = (data: unknown, headers?: Record<string, string>): ScriptedAnswer => ({
  status: 200,
  body: { code: 3000, data },
  ...(headers ? { headers } : {}),
});
const fail = (status: number, code: number, message = "refused"): ScriptedAnswer => ({
  status,
  body: { code, message },
});

describe("Creator reads", () => {
  it("gets a record by ID from the connection's owner, with accept exactly application/json and no environment header", async () => {
    const { creator, requests } = withCreator([ok({ ID, Status: "Open" })]);

    const record = await creator.getRecord(APP, "All_Orders", ID);

    expect(record).toEqual({ ID, Status: "Open" });
    expect(requests[0]?.method).toBe("GET");
    expect(requests[0]?.url.toString()).toBe(`${BASE}/data/acme/order_desk/report/All_Orders/${ID}`);
    expect(requests[0]?.headers).toEqual({
      authorization: "Zoho-oauthtoken 1000.token-1",
      accept: "application/json",
    });
  });

  it("keeps 19-digit IDs exact, also when Creator sends them as bare numbers, nested lookups included", async () => {
    const { creator } = withCreator([
      {
        status: 200,
        text: `{"code":3000,"data":{"ID":${ID},"Customer":{"ID":3888833000000114099,"zc_display_value":"Ada"}}}`,
      },
    ]);

    const record = await creator.getRecord(APP, "All_Orders", ID);

    expect(record?.ID).toBe(ID);
    expect(record?.Customer).toEqual({ ID: "3888833000000114099", zc_display_value: "Ada" });
  });

  it("sends the app's environment, else the connection's, and the app's owner over the connection's", async () => {
    const { creator, requests } = withCreator([ok({ ID }), ok({ ID }), ok({ ID })], {
      creator: { owner: "acme", environment: "development" },
    });

    await creator.getRecord(APP, "All_Orders", ID);
    await creator.getRecord({ ...APP, environment: "stage" }, "All_Orders", ID);
    await creator.getRecord({ ...APP, owner: "other_owner" }, "All_Orders", ID);

    expect(requests.map((r) => r.headers.environment)).toEqual(["development", "stage", "development"]);
    expect(requests[2]?.url.pathname).toBe(
      `/creator/v2.1/data/other_owner/order_desk/report/All_Orders/${ID}`,
    );
  });

  it("refuses, before sending anything, an app without an owner on a connection without Creator, a non-digit ID and a path-like link name", async () => {
    const noCreator = withCreator([], { creator: null });
    const { creator, requests } = withCreator([]);

    const errors = await Promise.all([
      noCreator.creator.getRecord(APP, "All_Orders", ID).catch((e: unknown) => e),
      creator.getRecord(APP, "All_Orders", "12ab").catch((e: unknown) => e),
      creator.getRecord(APP, "../settings", ID).catch((e: unknown) => e),
      creator.getRecord({ app: "x", owner: ".." }, "All_Orders", ID).catch((e: unknown) => e),
    ]);

    expect(errors[0]).toBeInstanceOf(UpstreamScopeError);
    expect((errors[0] as Error).message).toMatch(/connection "default" has no Creator owner configured/);
    expect(errors.slice(1).every((e) => e instanceof ValidationError)).toBe(true);
    expect(noCreator.requests).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("answers null for a record that is not there (3190), but a misnamed report still fails as NotFoundError", async () => {
    const { creator } = withCreator([
      fail(404, 3190, `No record with ID ${ID} found.`),
      fail(200, 3190, `No record with ID ${ID} found.`),
      fail(404, 2894, "No report named All_Orderz"),
    ]);

    const missing = await creator.getRecord(APP, "All_Orders", ID);
    const missingOn200 = await creator.getRecord(APP, "All_Orders", ID);
    const report = await creator.getRecord(APP, "All_Orderz", ID).catch((e: unknown) => e);

    expect(missing).toBeNull();
    expect(missingOn200).toBeNull();
    expect(report).toBeInstanceOf(NotFoundError);
    expect(report).toMatchObject({ code: "2894", upstream: "zoho-creator", retryable: false });
  });

  it("pages with record_cursor: the answer's header becomes the cursor, sent back as a request header", async () => {
    const { creator, requests } = withCreator([
      ok([{ ID: "3888833000000000001" }, { ID: "3888833000000000002" }], { record_cursor: "c0ffee12" }),
      ok([{ ID: "3888833000000000003" }]),
    ]);

    const first = await creator.listRecords(APP, "All_Orders", {
      criteria: '(Status == "Open")',
      maxRecords: 500,
    });
    const second = await creator.listRecords(APP, "All_Orders", {
      criteria: '(Status == "Open")',
      maxRecords: 500,
      ...(first.cursor ? { cursor: first.cursor } : {}),
    });

    expect(first).toEqual({
      records: [{ ID: "3888833000000000001" }, { ID: "3888833000000000002" }],
      cursor: "c0ffee12",
    });
    expect(second).toEqual({ records: [{ ID: "3888833000000000003" }] });
    expect(requests[0]?.url.toString()).toBe(
      `${BASE}/data/acme/order_desk/report/All_Orders?criteria=%28Status+%3D%3D+%22Open%22%29&max_records=500&field_config=all`,
    );
    expect(requests[0]?.headers.record_cursor).toBeUndefined();
    expect(requests[1]?.headers.record_cursor).toBe("c0ffee12");
  });

  it("answers an empty page when no record matches (3100)", async () => {
    const { creator } = withCreator([fail(404, 3100, "No records found for the given criteria.")]);

    expect(await creator.listRecords(APP, "All_Orders", { criteria: '(Status == "None")' })).toEqual({
      records: [],
    });
  });
});

describe("Creator writes", () => {
  it("updates by ID with PATCH and skip_workflow form_workflow + schedules, passing 19-digit lookup IDs through exactly", async () => {
    const { creator, requests } = withCreator([
      { status: 200, body: { code: 3000, data: { ID }, message: "Data Updated Successfully!" } },
    ]);

    const result = await creator.updateRecord(APP, "All_Orders", ID, {
      AI_Category: "High",
      Customer: "3888833000000114099",
    });

    expect(result).toEqual({ ok: true, id: ID });
    expect(requests[0]?.method).toBe("PATCH");
    expect(requests[0]?.url.toString()).toBe(`${BASE}/data/acme/order_desk/report/All_Orders/${ID}`);
    expect(requests[0]?.headers["content-type"]).toBe("application/json");
    expect(requests[0]?.body).toEqual({
      data: { AI_Category: "High", Customer: "3888833000000114099" },
      skip_workflow: ["form_workflow", "schedules"],
    });
  });

  it.each([
    [
      "8011 on HTTP 200",
      200,
      { code: 8011, message: "'AI_Score' has exceeded its maximum digits." },
      "8011",
      "AI_Score",
    ],
    [
      "8012 on HTTP 200",
      200,
      { code: 8012, message: "Input format does not match the required format for the field" },
      "8012",
      undefined,
    ],
    [
      "3070 with an error map",
      400,
      { code: 3070, message: "Data validation failure", error: { AI_Score: "Invalid" } },
      "3070",
      "AI_Score",
    ],
    [
      "3070 with an error list",
      400,
      { code: 3070, message: "Data validation failure", error: ["'AI_Category' is not a valid choice"] },
      "3070",
      "AI_Category",
    ],
    [
      "3002 (a fraction for a 0-decimal field)",
      400,
      { code: 3002, message: "Invalid value for AI_Score" },
      "3002",
      "AI_Score",
    ],
    [
      "3001 in a result list",
      200,
      { code: 3000, result: [{ code: 3001, error: ["Failed to Update Data."] }] },
      "3001",
      undefined,
    ],
  ])(
    "answers a record-level refusal (%s) as the record's { ok: false } result, not an exception",
    async (_name, status, body, code, field) => {
      const { creator } = withCreator([{ status, body }]);

      const result = await creator.updateRecord(APP, "All_Orders", ID, { AI_Score: 0.5, AI_Category: "X" });

      expect(result).toMatchObject({ ok: false, code });
      expect((result as { field?: string }).field).toBe(field);
      expect((result as { message: string }).message.length).toBeGreaterThan(0);
    },
  );

  it("throws a request-level refusal (3020, body missing) as UpstreamRejectedError", async () => {
    const { creator } = withCreator([fail(400, 3020, "API request's body is either missing or incomplete.")]);

    const error = await creator.updateRecord(APP, "All_Orders", ID, {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error).toMatchObject({ code: "3020", upstream: "zoho-creator", retryable: false, status: 400 });
  });

  it("adds a record to a form with POST and skip_workflow all, answering the new record's ID", async () => {
    const { creator, requests } = withCreator([
      {
        status: 200,
        body: { code: 3000, data: { ID: "3888833000000114555" }, message: "Data Added Successfully!" },
      },
    ]);

    const result = await creator.addRecord(APP, "AI_Audit_Log", { Record_ID: ID, Text: "written" });

    expect(result).toEqual({ ok: true, id: "3888833000000114555" });
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.url.toString()).toBe(`${BASE}/data/acme/order_desk/form/AI_Audit_Log`);
    expect(requests[0]?.body).toEqual({ data: { Record_ID: ID, Text: "written" }, skip_workflow: ["all"] });
  });

  it("never retries a write after a 5xx (it may have happened)", async () => {
    const { creator, requests } = withCreator([fail(500, 2930, "Error Occurred.")]);

    const error = await creator
      .updateRecord(APP, "All_Orders", ID, { AI_Category: "High" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(requests).toHaveLength(1);
  });
});

describe("Creator field metadata", () => {
  it("reads the meta API with the environment header and maps every type code to the mediator's field types", async () => {
    const field = (link_name: string, type: number, extra: Record<string, unknown> = {}) => ({
      link_name,
      display_name: link_name,
      type,
      mandatory: false,
      unique: false,
      ...extra,
    });
    const { creator, requests } = withCreator([
      {
        status: 200,
        body: {
          code: 3000,
          fields: [
            field("Single", 1, { max_char: 255, mandatory: true }),
            field("Multi", 2, { max_char: 2000 }),
            field("Mail", 3),
            field("Rich", 4),
            field("Count", 5),
            field("Price", 6),
            field("Share", 7),
            field("Amount", 8),
            field("Number_Seq", 9),
            field("Due", 10),
            field("Due_At", 11),
            field("Stage", 12, { choices: ["Open", "Won"] }),
            field("Channel", 13, { choices: [{ display_value: "Phone" }, { display_value: "Mail" }] }),
            field("Tags", 14, { choices: ["a", "b"] }),
            field("Flags", 15),
            field("Done", 16),
            field("Site", 17),
            field("Photo", 18),
            field("Name", 29),
          ],
        },
      },
    ]);

    const fields = await creator.fields({ ...APP, environment: "development" }, "Orders");

    expect(requests[0]?.url.toString()).toBe(`${BASE}/meta/acme/order_desk/form/Orders/fields`);
    expect(requests[0]?.headers.environment).toBe("development");
    expect(Object.fromEntries(fields.map((f) => [f.name, f.type]))).toEqual({
      Single: "text",
      Multi: "textarea",
      Mail: "email",
      Rich: "textarea",
      Count: "integer",
      Price: "double",
      Share: "double",
      Amount: "double",
      Number_Seq: "other",
      Due: "date",
      Due_At: "datetime",
      Stage: "picklist",
      Channel: "picklist",
      Tags: "multiselectpicklist",
      Flags: "multiselectpicklist",
      Done: "boolean",
      Site: "website",
      Photo: "other",
      Name: "other",
    });
    expect(fields[0]).toEqual({
      name: "Single",
      type: "text",
      length: 255,
      readOnly: false,
      mandatory: true,
    });
    expect(fields.find((f) => f.name === "Number_Seq")?.readOnly).toBe(true);
    expect(fields.find((f) => f.name === "Stage")?.picklist).toEqual(["Open", "Won"]);
    expect(fields.find((f) => f.name === "Channel")?.picklist).toEqual(["Phone", "Mail"]);
    expect(fields.find((f) => f.name === "Flags")?.picklist).toBeUndefined();
  });
});

describe("Creator codes in the error taxonomy", () => {
  it("treats the daily limit (HTTP 200, code 4000) as work that must wait: no retry today, the event is deferred", async () => {
    const limit = fail(200, 4000, "Account's Developer API limit has been reached.");
    const { creator, requests, sleeps } = withCreator([limit, limit, limit]);

    const error = await creator.getRecord(APP, "All_Orders", ID).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkMustWaitError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 15 * 60_000 });
    expect((error as Error).message).toContain("4000");
    expect(requests).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });

  it("retries a per-minute 429 (code 2955, no Retry-After) and succeeds, writes included (nothing was done)", async () => {
    const { creator, requests } = withCreator([
      fail(429, 2955, "You have reached your API call limit for a minute."),
      { status: 200, body: { code: 3000, data: { ID } } },
    ]);

    const result = await creator.updateRecord(APP, "All_Orders", ID, { AI_Category: "High" });

    expect(result).toEqual({ ok: true, id: ID });
    expect(requests).toHaveLength(2);
  });

  it("refreshes the token once on 1030 and retries with the new one; a second 1030 is UpstreamAuthError", async () => {
    const expired = fail(
      401,
      1030,
      "Authorization Failure. The access token is either invalid or has expired.",
    );
    const once = withCreator([expired, ok({ ID })]);
    const twice = withCreator([expired, expired]);

    const record = await once.creator.getRecord(APP, "All_Orders", ID);
    const error = await twice.creator.getRecord(APP, "All_Orders", ID).catch((e: unknown) => e);

    expect(record?.ID).toBe(ID);
    expect(once.invalidated).toEqual(["1000.token-1"]);
    expect(once.requests.map((r) => r.headers.authorization)).toEqual([
      "Zoho-oauthtoken 1000.token-1",
      "Zoho-oauthtoken 1000.token-2",
    ]);
    expect(error).toBeInstanceOf(UpstreamAuthError);
    expect(twice.requests).toHaveLength(2);
    expect(twice.invalidated).toHaveLength(1);
  });

  it.each([
    ["2945 (scope)", 401, 2945, /lacks the Creator scope/],
    ["1130 (API access off)", 403, 1130, /API access is turned off/],
    ["1130 on HTTP 200", 200, 1130, /API access is turned off/],
    ["2898 (no view permission)", 403, 2898, /no permission/],
  ])(
    "raises UpstreamScopeError for %s, without retrying or refreshing",
    async (_name, status, code, message) => {
      const { creator, requests, invalidated } = withCreator([fail(status, code)]);

      const error = await creator.getRecord(APP, "All_Orders", ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpstreamScopeError);
      expect((error as Error).message).toMatch(message);
      expect(error).toMatchObject({ retryable: false, upstream: "zoho-creator" });
      expect(requests).toHaveLength(1);
      expect(invalidated).toEqual([]);
    },
  );

  it.each([1040, 2892, 2893, 2894, 3100, 3190])(
    "raises NotFoundError with code %i from the client",
    async (code) => {
      const { http } = scriptedZoho([fail(404, code)]);

      const error = await http
        .request({ service: "creator", method: "GET", path: "/creator/v2.1/data/acme/order_desk/report/R" })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: String(code), upstream: "zoho-creator" });
    },
  );

  it("treats a 401 naming a bad parameter (1000) as our request's fault, not the token's", async () => {
    const { creator, invalidated } = withCreator([fail(401, 1000, "A mandatory parameter is absent")]);

    const error = await creator.getRecord(APP, "All_Orders", ID).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error).toMatchObject({ code: "1000", status: 401 });
    expect(invalidated).toEqual([]);
  });

  it("retries a read once after a 5xx", async () => {
    const { creator, requests } = withCreator([fail(500, 2930, "Error Occurred."), ok({ ID })]);

    expect((await creator.getRecord(APP, "All_Orders", ID))?.ID).toBe(ID);
    expect(requests).toHaveLength(2);
  });

  it("refuses a Creator path outside /creator/v2.1/ without sending it", async () => {
    const { http, requests } = scriptedZoho([]);

    const error = await http
      .request({ service: "creator", method: "GET", path: "/creator/v2.1/../../crm/v8/Leads" })
      .catch((e: unknown) => e);
    const other = await http
      .request({ service: "creator", method: "GET", path: "/crm/v8/Leads" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ZohoUrlRefusedError);
    expect(other).toBeInstanceOf(ZohoUrlRefusedError);
    expect(other).toMatchObject({ upstream: "zoho-creator" });
    expect(requests).toEqual([]);
  });
});
