/**
 * Zoho sandbox, Creator apps of the two seed profiles: `alt` is another account with its own owner, app, form and
 * report link names, dropdown values, lengths, precision, a mandatory Region, a US date format on a 12-hour clock
 * and Berlin time, so a client that hard-codes the demo app fails against it. Tests read names from the sandbox's
 * own summary (`GET /_sandbox/creator`), as a client reads metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, type SandboxProfile } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type CreatorClient, connectCreator, control } from "../../helpers/creator.js";
import { startReceiver } from "../../helpers/receiver.js";

let sandbox: ZohoSandbox;
let creator: CreatorClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

type Summary = {
  owner: string;
  app: string;
  date_format: string;
  time_format: string;
  time_zone: string;
  mediator: { form: string; audit_form: string };
  reports: { link_name: string; form: string }[];
};
const use = async (profile: SandboxProfile): Promise<Summary> => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port, profile });
  sandbox.reset();
  creator = await connectCreator(sandbox);
  return (await control(sandbox, "creator", undefined, "GET")).apps[0];
};
const reportOf = (s: Summary, form: string) => s.reports.find((r) => r.form === form)?.link_name as string;
const fields = async (s: Summary, form: string) =>
  new Map(
    (
      (await creator.call(`meta/${s.owner}/${s.app}/form/${form}/fields`)).body.fields as {
        link_name: string;
      }[]
    ).map((f) => [f.link_name, f as Record<string, any>]),
  );

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver();
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

describe("seeded apps", () => {
  it("gives each profile its own owner, app, forms, reports, formats and time zone", async () => {
    const demo = await use("demo");
    const alt = await use("alt");

    expect(demo).toMatchObject({
      owner: "zylker",
      app: "service-desk",
      date_format: "dd-MMM-yyyy",
      time_format: "HH:mm:ss",
      mediator: { form: "Service_Request", audit_form: "AI_Audit_Log" },
    });
    expect(reportOf(demo, "Service_Request")).toBe("All_Service_Requests");
    expect(alt).toMatchObject({
      owner: "altamira",
      app: "care-desk",
      date_format: "MM/dd/yyyy",
      time_format: "hh:mm:ss a",
      time_zone: "Europe/Berlin",
      mediator: { form: "Support_Case", audit_form: "Mediator_Audit" },
    });
    expect(reportOf(alt, "Support_Case")).toBe("Support_Cases");
  });

  it("does not know the demo app on alt: 404 code 1040", async () => {
    await use("alt");

    const res = await creator.call("data/zylker/service-desk/report/All_Service_Requests");

    expect([res.status, res.body.code]).toEqual([404, 1040]);
  });

  it("serves alt's own choices, lengths and mandatory fields in the meta API", async () => {
    const demo = await fields(await use("demo"), "Service_Request");
    const alt = await fields(await use("alt"), "Support_Case");
    const values = (f: Record<string, any> | undefined) => f?.choices.map((c: { value: string }) => c.value);

    expect(values(demo.get("Priority"))).toEqual(["Low", "Medium", "High", "Urgent"]);
    expect(values(alt.get("Priority"))).toEqual(["P1", "P2", "P3", "P4"]);
    expect(values(alt.get("Category"))).toContain("Billing & Payments");
    expect(alt.get("AI_Summary")?.max_char).toBe(500);
    expect(demo.get("AI_Summary")?.max_char).toBe(2000);
    expect(alt.get("Region")).toMatchObject({ mandatory: true, type: 12 });
    expect(demo.has("Region")).toBe(false);
  });

  it("writes and reads date-times in alt's format on a 12-hour clock, with its own IDs", async () => {
    const alt = await use("alt");
    const cases = `data/${alt.owner}/${alt.app}/report/${reportOf(alt, "Support_Case")}`;
    const audit = `data/${alt.owner}/${alt.app}/form/${alt.mediator.audit_form}`;
    const record = (await creator.call(cases)).body.data[0] as { ID: string };

    const added = await creator.call(audit, {
      method: "POST",
      body: { data: { Record_ID: record.ID, Written_At: "03/02/2026 02:05:00 PM" }, skip_workflow: ["all"] },
    });
    const demoFormat = await creator.call(audit, {
      method: "POST",
      body: { data: { Record_ID: record.ID, Written_At: "02-Mar-2026 14:05:00" } },
    });
    const stored = await creator.call(
      `data/${alt.owner}/${alt.app}/report/${reportOf(alt, alt.mediator.audit_form)}/${added.body.data.ID}`,
    );
    const detail = (await creator.call(`${cases}/${record.ID}`)).body.data;

    expect(record.ID).toMatch(/^4876213\d{12}$/);
    expect(stored.body.data.Written_At).toBe("03/02/2026 02:05:00 PM");
    expect(demoFormat.body.code).toBe(3070);
    expect(detail.Modified_Time).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} (AM|PM)$/);
  });

  it("refuses on alt what the demo app accepts: its lengths, choices and precision", async () => {
    const alt = await use("alt");
    const cases = `data/${alt.owner}/${alt.app}/report/${reportOf(alt, "Support_Case")}`;
    const id = (await creator.call(cases)).body.data[0].ID;
    const patch = (data: unknown) => creator.call(`${cases}/${id}`, { method: "PATCH", body: { data } });

    const summary = await patch({ AI_Summary: "x".repeat(501) });
    const priority = await patch({ Priority: "High" });
    const places = await patch({ AI_Risk_Score: 0.87 });
    const fits = await patch({ AI_Summary: "x".repeat(500), Priority: "P2", AI_Risk_Score: 7.5 });

    expect(summary.body.code).toBe(3070);
    expect(priority.body.code).toBe(3070);
    expect(places.body.code).toBe(8012);
    expect(fits.body.code).toBe(3000);
  });

  it("sends alt's own owner, app and report in its hooks, with its Modified_Time format", async () => {
    const alt = await use("alt");
    receiver.received.length = 0;
    await control(sandbox, "creator/connect-hooks", { base_url: receiver.url, token: "alt-token" });
    const cases = `data/${alt.owner}/${alt.app}/report/${reportOf(alt, "Support_Case")}`;
    const id = (await creator.call(cases)).body.data[0].ID;

    await creator.call(`${cases}/${id}`, { method: "PATCH", body: { data: { Next_Action: "Call back" } } });
    await sandbox.settle();
    const body = JSON.parse(receiver.posts()[0]?.body ?? "{}");

    expect(body).toEqual({
      owner: "altamira",
      app: "care-desk",
      report: "Support_Cases",
      id,
      modified_time: expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} (AM|PM)$/),
    });
  });
});
