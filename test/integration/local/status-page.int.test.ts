/**
 * The status page as a person sees it, in headless Chromium: a lead sent to the sandbox (what `send lead` does)
 * shows up as a written job with its fields and audit note; a dead-lettered job shows its reason, and its Replay
 * button runs it once more, exactly once. Record values on the page are text, never markup.
 */
import { request } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../../infra/local/stack.js";
import { launchChromium } from "../../../infra/local/status/browser.js";
import { leadWrites, startTestStack, until } from "../../helpers/local-stack.js";

let stack: LocalStack & { events: string[] };
let browser: Browser;
let page: Page;
beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(stack.statusUrl);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** What `send lead` does: creates a lead in the sandbox, whose workflow rule calls the mediator's webhook. */
async function sendLead(lead: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${stack.sandbox?.url}/_sandbox/crm/Leads`, {
    method: "POST",
    body: JSON.stringify(lead),
  });
  expect(res.ok).toBe(true);
  const body = (await res.json()) as { data?: { details?: { id?: string } }[]; id?: string };
  const id = body.data?.[0]?.details?.id ?? body.id;
  if (!id) throw new Error("the sandbox answered no lead id");
  return id;
}

const LEAD = {
  First_Name: "Ingrid",
  Last_Name: "Solberg",
  Company: "Nordlys Freight AS",
  Designation: "Head of Logistics",
  Email: "ingrid.solberg@nordlys-freight.example",
  Lead_Source: "Web Download",
};

/** The job's card on the page, found by the lead id in its subject. */
const jobCard = (leadId: string, status: string) =>
  page.locator(`article.job[data-status="${status}"]`, { hasText: leadId });

describe("status page", () => {
  let leadId: string;

  it("shows a sent lead's job written, with the fields it wrote, their values and the audit note", async () => {
    leadId = await sendLead(LEAD);

    const card = jobCard(leadId, "done");
    await card.waitFor({ timeout: 25_000 });

    const record = stack.sandbox?.state.crm.find("Leads", leadId) ?? {};
    const writtenFields = [...new Set(leadWrites(stack, leadId).flatMap((w) => w.fields.flat()))];
    expect(writtenFields.length).toBeGreaterThan(0);
    const shown = await card
      .locator("dd.written tr")
      .evaluateAll((rows) =>
        rows.map((r) => [r.getAttribute("data-field"), r.lastElementChild?.textContent]),
      );
    expect(shown.map(([field]) => field).sort()).toEqual([...writtenFields].sort());
    for (const [field, value] of shown) {
      const inOrg = record[field as string];
      expect(value).toBe(typeof inOrg === "string" ? inOrg : JSON.stringify(inOrg));
    }
    expect(await card.locator(".badge").textContent()).toBe("written");

    // The audit: the model and tokens from the job store, and the note the audit trail wrote on the lead.
    const notes = [...(stack.sandbox?.state.crm.table("Notes").values() ?? [])].filter(
      (n) => (n.Parent_Id as { id?: string } | undefined)?.id === leadId,
    );
    expect(notes).toHaveLength(1);
    expect(await card.locator("dd.audit").textContent()).toMatch(
      new RegExp(`^model ${stack.config.worker?.MODEL} · prompt \\S+ · [\\d,]+ \\+ [\\d,]+ tokens`),
    );
    expect(await card.locator("dd.notes .note").textContent()).toContain(String(notes[0]?.Note_Content));

    // The live counts moved through the stages.
    const count = (stage: string) => page.locator(`#stages li[data-stage="${stage}"] .n`).textContent();
    expect(Number(await count("received"))).toBeGreaterThanOrEqual(1);
    expect(Number(await count("queued"))).toBeGreaterThanOrEqual(1);
    expect(Number(await count("model"))).toBeGreaterThanOrEqual(1);
    expect(Number(await count("written"))).toBe(1);
    // The sandbox's inspect data lists the write.
    await page.locator("#sandbox-writes tbody tr", { hasText: leadId }).first().waitFor({ timeout: 5_000 });
  });

  it("shows a record value that looks like markup as text, never as markup", async () => {
    const record = stack.sandbox?.state.crm.find("Leads", leadId);
    const field = leadWrites(stack, leadId)[0]?.fields.flat()[0];
    if (!record || !field) throw new Error("the first test wrote a field");
    const hostile = `<img src=x onerror="window.__pwned=1"><b>bold</b>`;
    record[field] = hostile;

    const cell = jobCard(leadId, "done").locator(`dd.written tr[data-field="${field}"] td`).last();
    await until(async () => expect(await cell.textContent()).toBe(hostile), 10_000);
    expect(await cell.locator("img, b").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("lists dead letters with their reasons; a job's Replay button runs that job once more, exactly once, and leaves the other dead letter alone", async () => {
    // Two malformed answers per job: both jobs are dead-lettered.
    stack.model?.inject({ kind: "malformed", variant: "schema", count: 4 });
    const second = await sendLead({
      ...LEAD,
      First_Name: "Kari",
      Last_Name: "Nordmann",
      Email: "kari@nordlys.example",
    });
    const third = await sendLead({
      ...LEAD,
      First_Name: "Ola",
      Last_Name: "Hansen",
      Email: "ola@nordlys.example",
    });

    const row = page.locator("#dead-letters tbody tr", { hasText: second });
    const other = page.locator("#dead-letters tbody tr", { hasText: third });
    await row.waitFor({ timeout: 25_000 });
    await other.waitFor({ timeout: 25_000 });
    expect(await row.locator("td.reason").textContent()).toMatch(/^model output failed twice/);
    expect(await other.locator("td.reason").textContent()).toMatch(/^model output failed twice/);
    const jobId = await row.getAttribute("data-job-id");
    const otherJobId = await other.getAttribute("data-job-id");
    if (!jobId || !otherJobId) throw new Error("each dead letter row names its job");
    await jobCard(second, "dead-lettered").waitFor({ timeout: 10_000 });
    expect([...leadWrites(stack, second), ...leadWrites(stack, third)]).toEqual([]);
    expect(Number(await page.locator('#stages li[data-stage="dead-lettered"] .n').textContent())).toBe(2);

    await row.getByRole("button", { name: "Replay" }).click();

    await jobCard(second, "done").waitFor({ timeout: 25_000 });
    // The replay's answer may arrive after the job it replayed is already written: wait for it.
    await until(
      async () =>
        expect(await page.locator("#replay-result").textContent()).toMatch(
          /^Replayed 1 dead letter\(s\) of job /,
        ),
      10_000,
    );
    await until(async () => expect(await row.count()).toBe(0), 10_000);
    expect(leadWrites(stack, second)).toHaveLength(1);
    // The other job is still dead-lettered, its dead letter still listed with its reason, nothing written for it.
    expect(await other.count()).toBe(1);
    expect(stack.deadLetters().map((d) => (d.body as { jobId?: string }).jobId)).toEqual([otherJobId]);
    expect(await jobCard(third, "dead-lettered").count()).toBe(1);
    expect(leadWrites(stack, third)).toEqual([]);

    // A second replay of the same job finds nothing to replay: the job ran once.
    const again = await fetch(`${stack.api?.url}/_status/api/replay`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-status-page": "replay" },
      body: JSON.stringify({ jobId }),
    });
    expect(await again.json()).toEqual({ jobId, replayed: 0, left: 0 });
    expect(leadWrites(stack, second)).toHaveLength(1);
    expect(stack.deadLetters()).toHaveLength(1);
  });

  it("refuses a replay without the page's header (a cross-site request cannot send it) and a bad job id", async () => {
    const replay = (body: string, headers: Record<string, string>) =>
      fetch(`${stack.api?.url}/_status/api/replay`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });

    const noHeader = await replay(JSON.stringify({ jobId: "x" }), {});
    const badId = await replay(JSON.stringify({ jobId: "<script>" }), { "x-status-page": "replay" });
    const notJson = await replay("jobId=x", { "x-status-page": "replay" });

    expect(noHeader.status).toBe(403);
    expect(badId.status).toBe(400);
    expect(notJson.status).toBe(400);
  });

  it("answers only to a loopback Host: a site that rebinds its name to 127.0.0.1 reads nothing", async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${stack.statusUrl}/api/jobs`);
        request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
    expect(await get("evil.example")).toBe(403);
    expect(await get(`evil.example:${new URL(stack.statusUrl).port}`)).toBe(403);
    expect(await get(new URL(stack.statusUrl).host)).toBe(200);
    expect(await get(`localhost:${new URL(stack.statusUrl).port}`)).toBe(200);
  });
});
