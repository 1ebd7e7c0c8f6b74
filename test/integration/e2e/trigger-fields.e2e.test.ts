/**
 * Trigger fields end to end (issue 14): the sandbox's workflow webhook carries the lead's merge fields, and a fresh
 * event is enriched and written without the worker reading the lead (the sandbox's request log shows no record
 * read); the lead as the webhook rendered it is what the model saw.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../../infra/local/stack.js";
import { startTestStack, until } from "../../helpers/local-stack.js";

let stack: LocalStack & { events: string[] };
type Report = {
  requests: { method: string; path: string; service: string }[];
  writes: { source: string; module: string; ids: string[]; trigger: string[] | null }[];
};
const report = () => stack.sandbox?.inspect() as Report;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

describe("a workflow webhook with merge fields", () => {
  it("is written with trigger [] and no read of its lead", async () => {
    const id = [...(stack.sandbox?.state.crm.table("Leads").keys() ?? [])][5] as string;
    const before = report().requests.length;

    await fetch(`${stack.sandbox?.url}/_sandbox/crm/Leads/${id}`, {
      method: "PUT",
      body: JSON.stringify({
        Description: "Needs 300 seats before the fiscal year ends; budget signed off.",
      }),
    });
    await until(() =>
      expect(
        report().writes.filter((w) => w.source === "api" && w.module === "Leads" && w.ids.includes(id)),
      ).toHaveLength(1),
    );

    const write = report().writes.find(
      (w) => w.source === "api" && w.module === "Leads" && w.ids.includes(id),
    );
    expect(write?.trigger).toEqual([]);
    // Request paths carry the sandbox's data-centre prefix (`/api/us/crm/v8/...`).
    // The request log takes the write's entry once its answer is sent: wait for it, then look at every CRM call.
    const crmCalls = () =>
      report()
        .requests.slice(before)
        .filter((r) => r.service === "crm");
    await until(() =>
      expect(crmCalls().some((r) => r.method === "PUT" && r.path.endsWith("/crm/v8/Leads"))).toBe(true),
    );
    // No GET /crm/v8/Leads/{id} and no GET /crm/v8/Leads?ids=: the merge fields stood in for the read.
    const reads = crmCalls().filter(
      (r) =>
        r.method === "GET" && (r.path.endsWith(`/crm/v8/Leads/${id}`) || r.path.endsWith("/crm/v8/Leads")),
    );
    expect(reads).toEqual([]);
  });
});
