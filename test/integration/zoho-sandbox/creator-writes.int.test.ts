/**
 * Zoho sandbox, Creator v2.1 writes (checklist items 7-10 and 15): update by ID, validation against the form's
 * fields (max_char, choices, mandatory, read-only, 8011/8012/3002), bulk update by criteria, adding records (the
 * audit form), and the workflow engine: on-create/on-edit hooks POSTing the mediator's contract, suppressed by
 * `skip_workflow`, every delivery and write visible in the inspection log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restoreSandbox, snapshotSandbox } from "../../../infra/local/persistence.js";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type CreatorClient, connectCreator, control } from "../../helpers/creator.js";
import { startReceiver } from "../../helpers/receiver.js";

const APP = "data/zylker/service-desk";
const REPORT = `${APP}/report/All_Service_Requests`;

let sandbox: ZohoSandbox;
let creator: CreatorClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let id: string;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  receiver.received.length = 0;
  creator = await connectCreator(sandbox);
  id = (await creator.call(REPORT)).body.data[0].ID;
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const patch = (data: unknown, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  creator.call(`${REPORT}/${id}`, { method: "PATCH", body: { data, ...extra }, headers });
const read = async () => (await creator.call(`${REPORT}/${id}`)).body.data;
const hook = (extra: Record<string, unknown> = {}) =>
  control(sandbox, "creator/hooks", {
    form: "Service_Request",
    base_url: receiver.url,
    use_case: "request-triage",
    token: "hook-secret",
    ...extra,
  });
const posts = async () => {
  await sandbox.settle();
  return receiver.posts();
};

describe("update by ID", () => {
  it("updates the record, echoes the fields asked for and moves Modified_Time", async () => {
    const before = await read();
    sandbox.advanceClock(5);

    const res = await patch(
      {
        AI_Summary: "Duplicate charge on INV-20931; refund requested.",
        AI_Risk_Score: 0.87,
        Next_Action: "Refund",
      },
      { result: { fields: ["AI_Risk_Score", "Next_Action"] } },
    );
    const after = await read();

    expect(res.body).toEqual({
      code: 3000,
      data: { ID: id, AI_Risk_Score: "0.87", Next_Action: "Refund" },
      message: "Data Updated Successfully!",
    });
    expect(after).toMatchObject({ AI_Risk_Score: "0.87", AI_Summary: expect.stringContaining("INV-20931") });
    expect(after.Modified_Time).not.toBe(before.Modified_Time);
  });

  it("answers code 3190 for an unknown ID and 400 code 3020 without a body or data", async () => {
    const unknown = await creator.call(`${REPORT}/5545974000009999999`, {
      method: "PATCH",
      body: { data: {} },
    });
    const noBody = await creator.call(`${REPORT}/${id}`, { method: "PATCH" });
    const noData = await creator.call(`${REPORT}/${id}`, {
      method: "PATCH",
      body: { skip_workflow: ["all"] },
    });

    expect([unknown.status, unknown.body]).toEqual([
      404,
      { code: 3190, message: "No record with ID 5545974000009999999 found." },
    ]);
    expect([noBody.status, noBody.body.code]).toEqual([400, 3020]);
    expect([noData.status, noData.body.code]).toEqual([400, 3020]);
  });

  it.each([
    ["text over max_char", { Next_Action: "x".repeat(256) }, 3070, "can contain a maximum of 255 characters"],
    ["a value outside the dropdown", { Category: "Shipping" }, 3070, "not a valid choice for 'Category'"],
    ["a choice outside the multi select", { Tags: ["Web", "Fax"] }, 3070, "not a valid choice for 'Tags'"],
    ["a mandatory field emptied", { Subject: null }, 3070, "'Subject' cannot be empty"],
    ["an auto number", { Request_No: "SR-1" }, 3070, "cannot be written"],
    ["a system field", { Modified_Time: "01-Jan-2026 10:00:00" }, 3070, "system field"],
    ["a field the form lacks", { AI_Sentiment: "Happy" }, 3070, "not a field of Service_Request"],
    ["a date in another format", { Requested_On: "2026-03-01" }, 3070, "dd-MMM-yyyy"],
    ["too many digits", { AI_Risk_Score: 12.5 }, 8011, "'AI_Risk_Score' has exceeded its maximum digits."],
    ["not a decimal", { AI_Risk_Score: "high" }, 8012, "Input format does not match"],
    ["too many places", { AI_Risk_Score: 0.875 }, 8012, "Input format does not match"],
    ["a fraction for 0 places", { Estimated_Minutes: 12.5 }, 3002, "does not accept decimal values"],
  ])("refuses %s with code %i and leaves the record as it was", async (_what, data, code, message) => {
    const before = await read();

    const res = await patch(data);

    expect(res.status).toBe(200);
    expect(res.body.code).toBe(code);
    expect(res.body.message).toContain(message);
    expect(res.body.error).toEqual([expect.stringContaining(message)]);
    expect(await read()).toEqual(before);
  });

  it("puts the failure in a result entry with a field map when configured so", async () => {
    Object.assign(sandbox.options, {
      creatorValidationErrorPlacement: "result",
      creatorValidationErrorDetail: "map",
    });

    const res = await patch({ Category: "Shipping" });

    expect(res.body).toEqual({
      code: 3070,
      result: [
        {
          code: 3070,
          message: "Data validation failure: ['Shipping' is not a valid choice for 'Category']",
          error: { Category: "'Shipping' is not a valid choice for 'Category'" },
          data: { ID: id },
        },
      ],
    });
  });
});

describe("bulk update and add", () => {
  it("updates every record matching the criteria, with a per-record result", async () => {
    const res = await creator.call(REPORT, {
      method: "PATCH",
      body: { criteria: 'Priority == "Low"', data: { Next_Action: "Send FAQ link" }, skip_workflow: ["all"] },
    });
    const low = await creator.call(
      `${REPORT}?field_config=all&criteria=${encodeURIComponent('Priority == "Low"')}`,
    );

    expect(res.body.code).toBe(3000);
    expect(res.body.result).toHaveLength(low.body.data.length);
    expect(res.body.result[0]).toEqual({
      code: 3000,
      data: { ID: expect.any(String) },
      message: "Data Updated Successfully!",
    });
    expect(low.body.data.every((r: { Next_Action: string }) => r.Next_Action === "Send FAQ link")).toBe(true);
  });

  it("reports per-record failures inside result with code 3001", async () => {
    const res = await creator.call(REPORT, {
      method: "PATCH",
      body: { criteria: 'Priority == "Low"', data: { Category: "Nope" } },
    });

    expect(res.body.result[0]).toEqual({
      code: 3001,
      data: { ID: expect.any(String) },
      error: ["'Nope' is not a valid choice for 'Category'"],
      message: expect.stringContaining("Data validation failure"),
    });
  });

  it("refuses more than 200 matches with code 3960 unless process_until_limit is set", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      Subject: `Bulk ${i}`,
      Customer_Email: `b${i}@x.example`,
    }));
    await creator.call(`${APP}/form/Service_Request`, {
      method: "POST",
      body: { data: rows, skip_workflow: ["all"] },
    });
    const body = {
      criteria: 'Customer_Email.contains("@")',
      data: { Next_Action: "Triage" },
      skip_workflow: ["all"],
    };

    const refused = await creator.call(REPORT, { method: "PATCH", body });
    const limited = await creator.call(`${REPORT}?process_until_limit=true`, { method: "PATCH", body });

    expect([refused.status, refused.body.code]).toEqual([200, 3960]);
    expect(limited.body.result).toHaveLength(200);
    expect(limited.body.more_records).toBe(true);
  });

  it("adds one record or a list, refuses more than 200 with code 3950 and a missing mandatory field", async () => {
    const audit = `${APP}/form/AI_Audit_Log`;
    const one = await creator.call(audit, {
      method: "POST",
      body: {
        data: {
          Record_ID: id,
          Use_Case: "request-triage",
          Summary: "Set Category",
          Written_At: "02-Mar-2026 14:05:00",
          Model: "gpt-x",
        },
        skip_workflow: ["all"],
      },
    });
    const many = await creator.call(audit, {
      method: "POST",
      body: { data: [{ Record_ID: "1" }, { Use_Case: "no record id" }] },
    });
    const tooMany = await creator.call(audit, {
      method: "POST",
      body: { data: Array.from({ length: 201 }, () => ({ Record_ID: "1" })) },
    });
    const stored = await creator.call(`${APP}/report/All_AI_Audit_Logs/${one.body.data.ID}`);

    expect(one.body).toEqual({
      code: 3000,
      data: { ID: expect.stringMatching(/^\d{19}$/) },
      message: "Data Added Successfully!",
    });
    expect(stored.body.data).toMatchObject({
      Record_ID: id,
      Written_At: "02-Mar-2026 14:05:00",
      Model: "gpt-x",
    });
    expect(many.body.result.map((r: { code: number }) => r.code)).toEqual([3000, 3001]);
    expect(many.body.result[1].error).toEqual(["'Record_ID' cannot be empty."]);
    expect(tooMany.body.code).toBe(3950);
  });
});

describe("workflow hooks and skip_workflow", () => {
  it("fires the on-edit hook with the mediator's contract: owner, app, report, id, modified_time", async () => {
    await hook();

    await patch({ Next_Action: "Call the customer" });
    const [post] = await posts();
    const record = await read();

    expect(post?.url).toBe("/v1/hooks/creator/request-triage");
    expect(post?.headers["x-mediator-token"]).toBe("hook-secret");
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.body).toBe(
      JSON.stringify({
        owner: "zylker",
        app: "service-desk",
        report: "All_Service_Requests",
        id,
        modified_time: record.Modified_Time,
      }),
    );
  });

  it.each([[["form_workflow"]], [["all"]], [["form_workflow", "schedules"]]])(
    "fires no form workflow for a write with skip_workflow %j, and says so in the inspection log",
    async (skip) => {
      await hook();

      const res = await patch({ Next_Action: "Quiet write" }, { skip_workflow: skip });
      const inspect = await control(sandbox, "inspect", undefined, "GET");

      expect(res.body.code).toBe(3000);
      expect(await posts()).toHaveLength(0);
      expect(inspect.automations.at(-1)).toMatchObject({
        record_id: id,
        rules_fired: [],
        skip_workflow: skip,
      });
      expect(inspect.creator).toMatchObject({ writes: 1, hooks_fired: 0, hooks_skipped: 1 });
      expect(inspect.writes.at(-1)).toMatchObject({ service: "creator", ids: [id], skip_workflow: skip });
    },
  );

  it("lets schedules skip only schedule hooks", async () => {
    const form = await hook();
    const schedule = await hook({ type: "schedule", use_case: "schedule-check" });

    await patch({ Next_Action: "Follow up" }, { skip_workflow: ["schedules"] });
    const sent = await posts();
    const inspect = await control(sandbox, "inspect", undefined, "GET");

    expect(sent.map((p) => p.url)).toEqual(["/v1/hooks/creator/request-triage"]);
    expect(inspect.automations.at(-1).rules_fired).toEqual([form.id]);
    expect(inspect.automations.at(-1).rules_fired).not.toContain(schedule.id);
  });

  it("refuses a skip_workflow value it does not know, and writes nothing", async () => {
    await hook();
    const before = await read();

    const res = await patch({ Next_Action: "x" }, { skip_workflow: ["everything"] });
    const asString = await patch({ Next_Action: "x" }, { skip_workflow: "all" });

    expect([res.status, res.body.code]).toEqual([401, 1060]);
    expect(asString.body.code).toBe(1060);
    expect(await read()).toEqual(before);
    expect(await posts()).toHaveLength(0);
  });

  it("fires on-create hooks for added records unless skipped, and counts writes by skip_workflow", async () => {
    await hook({ events: ["create"] });
    const add = (extra: Record<string, unknown>) =>
      creator.call(`${APP}/form/Service_Request`, {
        method: "POST",
        body: { data: { Subject: "New request", Customer_Email: "new@x.example" }, ...extra },
      });

    const fired = await add({});
    await add({ skip_workflow: ["all"] });
    await patch({ Next_Action: "edit fires nothing: the hook is on create only" });
    const sent = await posts();
    const inspect = await control(sandbox, "inspect", undefined, "GET");

    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.body ?? "{}").id).toBe(fired.body.data.ID);
    expect(inspect.creator.skip_workflow).toEqual({ absent: 2, all: 1 });
  });

  it("runs blueprint hooks whatever skip_workflow says, unless configured otherwise", async () => {
    await hook({ type: "blueprint", use_case: "blueprint" });

    await patch({ Next_Action: "a" }, { skip_workflow: ["all"] });
    const runs = (await posts()).length;
    sandbox.options.creatorSkipWorkflowCoversBlueprints = true;
    await patch({ Next_Action: "b" }, { skip_workflow: ["all"] });

    expect(runs).toBe(1);
    expect(await posts()).toHaveLength(1);
  });

  it("fires hooks only for their environment's records", async () => {
    await hook({ environment: "development" });
    const dev = (await creator.call(REPORT, { headers: { environment: "development" } })).body.data[0].ID;

    await patch({ Next_Action: "production edit" });
    await creator.call(`${REPORT}/${dev}`, {
      method: "PATCH",
      headers: { environment: "development" },
      body: { data: { Next_Action: "development edit" } },
    });

    expect((await posts()).map((p) => JSON.parse(p.body).id)).toEqual([dev]);
  });

  it("fires for a person's edit in the app, and lists deliveries through the controls", async () => {
    await hook();

    const edit = await control(
      sandbox,
      `creator/records/production/zylker/service-desk/Service_Request/${id}`,
      { Priority: "Urgent" },
      "PATCH",
    );
    await sandbox.settle();
    const deliveries = await control(sandbox, "creator/deliveries", undefined, "GET");
    const stored = await control(
      sandbox,
      `creator/records/production/zylker/service-desk/Service_Request/${id}`,
      undefined,
      "GET",
    );

    expect(edit.code).toBe(3000);
    expect(deliveries.deliveries).toEqual([
      expect.objectContaining({
        kind: "creator-workflow",
        ok: true,
        status: 200,
        url: `${receiver.url}/v1/hooks/creator/request-triage`,
      }),
    ]);
    expect(stored.record.Priority).toBe("Urgent");
    expect((await control(sandbox, "inspect", undefined, "GET")).writes.at(-1).source).toBe("ui");
  });

  it("points the app's mediator form at the mediator with connect-hooks, replacing earlier hooks", async () => {
    await control(sandbox, "creator/connect-hooks", { base_url: "http://127.0.0.1:9", token: "old" });

    const res = await control(sandbox, "creator/connect-hooks", {
      base_url: receiver.url,
      token: "t0k",
      use_case: "triage",
    });
    await patch({ Next_Action: "x" });

    expect(res.hooks).toEqual([
      expect.objectContaining({
        owner: "zylker",
        app: "service-desk",
        form: "Service_Request",
        report: "All_Service_Requests",
        events: ["create", "edit"],
        url: `${receiver.url}/v1/hooks/creator/triage`,
        headers: { "X-Mediator-Token": "t0k" },
      }),
    ]);
    expect((await posts()).map((p) => p.url)).toEqual(["/v1/hooks/creator/triage"]);
  });
});

describe("snapshot", () => {
  it("keeps Creator records, hooks and the daily count across a snapshot and restore", async () => {
    await hook();
    await patch({ Next_Action: "Before the restart" }, { skip_workflow: ["all"] });
    const after = await startZohoSandbox();
    try {
      const restored = restoreSandbox(after, snapshotSandbox(sandbox, "demo"), "demo");
      creator = await connectCreator(after);

      const record = (await creator.call(`${REPORT}/${id}`)).body.data;
      await creator.call(`${REPORT}/${id}`, { method: "PATCH", body: { data: { Next_Action: "After" } } });
      await after.settle();
      const summary = (await (await fetch(`${after.url}/_sandbox/creator`)).json()) as { usage: object };

      expect(restored).toBe(true);
      expect(record.Next_Action).toBe("Before the restart");
      expect(receiver.posts()).toHaveLength(1);
      expect(Object.values(summary.usage)).toEqual([expect.objectContaining({ calls: 4 })]);
    } finally {
      await after.close();
    }
  });
});
