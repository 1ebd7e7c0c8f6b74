/**
 * One webhook followed through the local stack (ingest handler -> SQS emulator -> worker -> model server -> Zoho
 * sandbox) by its correlation id: every log line the ingest and the worker write for the event carries it, the Zoho
 * calls and the write included, and the worker's carry the job id too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../../infra/local/stack.js";
import { post, seededLeadIds, startTestStack, until } from "../../helpers/local-stack.js";
import { captureLogLines } from "../../helpers/log-lines.js";

let stack: LocalStack & { events: string[] };
let capture: ReturnType<typeof captureLogLines> | undefined;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());
afterEach(() => capture?.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const webhook = (id: string, headers: Record<string, string>) =>
  post(stack.hooks.crm, JSON.stringify({ module: "Leads", id, modified_time: "2026-11-30T10:00:00+00:00" }), {
    "x-mediator-token": stack.webhookToken,
    ...headers,
  });

describe("a correlation id through the local stack", () => {
  it("is on every ingest and worker log line of the event, its Zoho calls and its write included", async () => {
    capture = captureLogLines();
    const lines = capture.lines;
    const correlationId = `it-${Date.now()}:lead.1`;
    const leadId = seededLeadIds(stack)[2] as string;

    const res = await webhook(leadId, { "X-Correlation-Id": correlationId });
    const body = (await res.json()) as { jobIds: string[]; correlationId: string };
    const jobId = body.jobIds[0] as string;
    await until(() =>
      expect(lines.some((l) => l.message === "unit of work written" && l.job_id === jobId)).toBe(true),
    );

    expect(res.status).toBe(202);
    expect(res.headers.get("x-correlation-id")).toBe(correlationId);
    expect(body.correlationId).toBe(correlationId);
    // Only this event ran while the lines were captured: every ingest and worker line is about it.
    const ours = lines.filter((l) => l.service === "ingest" || l.service === "worker");
    expect(ours.length).toBeGreaterThan(3);
    for (const line of ours)
      expect(line, JSON.stringify(line)).toMatchObject({ correlation_id: correlationId });
    for (const line of ours.filter((l) => l.service === "worker"))
      expect(line, JSON.stringify(line)).toMatchObject({ job_id: jobId });
    // Any line that names the job (whatever the service) names the event too.
    for (const line of lines.filter((l) => JSON.stringify(l).includes(jobId)))
      expect(line.correlation_id, JSON.stringify(line)).toBe(correlationId);
    const messages = ours.map((l) => `${l.service}: ${l.message}`);
    expect(messages).toContain("ingest: trigger queued");
    expect(messages).toContain("worker: unit of work written");
    const zohoCalls = ours.filter((l) => l.message === "zoho call");
    // The read of the lead: a batch's reads are one GET /Leads?ids= list call (issue 14).
    expect(zohoCalls.some((l) => l.method === "GET" && /\/Leads(\?|$)/.test(String(l.path)))).toBe(true);
    // The write: the lead's update (PUT) and its audit note (POST).
    expect(zohoCalls.some((l) => l.method === "PUT" && String(l.path).endsWith("/Leads"))).toBe(true);
    expect(zohoCalls.some((l) => l.method === "POST" && String(l.path).includes("Notes"))).toBe(true);
  });

  it("replaces an X-Correlation-Id that is not a plain token with the request id", async () => {
    capture = captureLogLines();
    const leadId = seededLeadIds(stack)[3] as string;

    const res = await webhook(leadId, { "X-Correlation-Id": `${"x".repeat(129)}` });
    const spaced = await webhook(leadId, { "X-Correlation-Id": "a b" });

    expect(res.status).toBe(202);
    expect(res.headers.get("x-correlation-id")).toMatch(UUID);
    expect(spaced.headers.get("x-correlation-id")).toMatch(UUID);
    expect(JSON.stringify(capture.lines)).not.toContain("x".repeat(129));
  });
});
