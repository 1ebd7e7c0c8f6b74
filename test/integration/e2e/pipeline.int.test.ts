/**
 * End to end on the local stack: webhook -> ingest handler -> SQS emulator -> worker -> model server -> Zoho
 * sandbox, with the same handlers as AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../../infra/local/stack.js";
import { fixture } from "../../helpers/ingest.js";
import { deadLetters, org, post, startTestStack, until } from "../../helpers/local-stack.js";

let stack: LocalStack & { events: string[] };
type Write = {
  service: string;
  module: string;
  operation: string;
  ids: string[];
  trigger: string[] | null;
  source: string;
  fields: string[][];
};
const inspect = () =>
  stack.sandbox?.inspect() as {
    writes: Write[];
    automations: { module: string; ran: string[]; source: string; rules_fired: string[] }[];
    webhooks_fired: unknown[];
    webhook_failures: unknown[];
  };
const leadIds = () => [...(stack.sandbox?.state.crm.table("Leads").keys() ?? [])];
const lead = (id: string) => stack.sandbox?.state.crm.find("Leads", id) as Record<string, unknown>;
const apiWrites = (module: string, id: string) =>
  inspect().writes.filter((w) => w.source === "api" && w.module === module && w.ids.includes(id));

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

describe("lead enrichment end to end", () => {
  it("turns a Zoho workflow webhook into one guarded write with trigger [], no workflow re-fired, and an audit note", async () => {
    const id = leadIds()[3] as string;

    await fetch(`${stack.sandbox?.url}/_sandbox/crm/Leads/${id}`, {
      method: "PUT",
      body: JSON.stringify({
        Description: "Asked for a quote for 250 seats; budget approved; wants to sign this quarter.",
      }),
    });
    await until(() => expect(apiWrites("Leads", id)).toHaveLength(1));
    await until(() =>
      expect(inspect().writes.some((w) => w.module === "Notes" && w.source === "api")).toBe(true),
    );

    const update = apiWrites("Leads", id)[0] as Write;
    const record = lead(id);
    expect(update.trigger).toEqual([]);
    // Every AI target the org has is written; one it lacks (alt has no AI_Buying_Stage) is skipped, not fatal.
    const targets = [
      "AI_ICP_Fit",
      "AI_Intent",
      "AI_Buying_Stage",
      "AI_Score",
      "AI_Score_Reason",
      "AI_Summary",
      "AI_Enriched_At",
    ];
    const present = targets.filter((f) => org(stack).hasCrmField("Leads", f));
    expect(present.length).toBeGreaterThanOrEqual(6);
    expect(update.fields[0]).toEqual(expect.arrayContaining(present));
    for (const missing of targets.filter((f) => !present.includes(f)))
      expect(update.fields[0]).not.toContain(missing);
    // The value is one of the connected org's own picklist values, whichever org it is.
    expect(org(stack).crmPicklist("Leads", "AI_ICP_Fit")).toContain(record.AI_ICP_Fit);
    expect(record.AI_Score).toEqual(expect.any(Number));
    // The mediator's own write ran no automation, so the workflow rule fired once: for the person's edit only.
    expect(
      inspect()
        .automations.filter((a) => a.source === "api")
        .every((a) => a.ran.length === 0),
    ).toBe(true);
    expect(inspect().webhooks_fired).toHaveLength(1);
    const note = [...(stack.sandbox?.state.crm.table("Notes").values() ?? [])].find(
      (n) => (n.Parent_Id as { id: string }).id === id,
    );
    expect(note?.Note_Content).toMatch(
      /model: .*\nprompt: lead-enrichment\/.*\njob: .*\nfields changed: AI_ICP_Fit/s,
    );
  });

  it("writes a duplicate delivery once", async () => {
    const id = leadIds()[5] as string;
    const body = fixture("crm-lead-workflow.json").replace("5545974000001000044", id);
    const headers = { "x-mediator-token": stack.webhookToken };

    const [a, b] = await Promise.all([
      post(stack.hooks.crm, body, headers),
      post(stack.hooks.crm, body, headers),
    ]);
    await until(() => expect(apiWrites("Leads", id)).toHaveLength(1));
    // The job is done once its audit note is written too ("written"): only then is a redelivery a duplicate
    // rather than a unit that finds the job still held and comes back later.
    await until(() => expect(stack.events.some((e) => e.startsWith("written") && e.includes(id))).toBe(true));
    await post(stack.hooks.crm, body, headers);
    await until(() =>
      expect(
        stack.events.filter((e) => e.startsWith("duplicate") && e.includes(id)).length,
      ).toBeGreaterThanOrEqual(1),
    );

    expect([a.status, b.status]).toEqual([202, 202]);
    expect(apiWrites("Leads", id)).toHaveLength(1);
  });
});

describe("ticket triage end to end", () => {
  it("leaves a private comment, a draft reply (not sent) and the AI fields on the ticket", async () => {
    const created = (await (
      await fetch(`${stack.sandbox?.url}/_sandbox/desk/tickets`, {
        method: "POST",
        body: JSON.stringify({
          subject: "Refund please",
          description: "I was charged twice for my invoice. Please refund the duplicate charge.",
          email: "e2e@example.com",
        }),
      })
    ).json()) as { id: string };

    await until(async () => {
      const view = (await (
        await fetch(`${stack.sandbox?.url}/_sandbox/desk/tickets/${created.id}`)
      ).json()) as {
        ticket: { cf: Record<string, unknown> };
        threads: { status: string; direction: string }[];
        comments: { isPublic: boolean; content: string }[];
      };
      expect(view.comments).toHaveLength(1);
      expect(view.threads.some((t) => t.status === "DRAFT")).toBe(true);
    });
    const view = (await (
      await fetch(`${stack.sandbox?.url}/_sandbox/desk/tickets/${created.id}`)
    ).json()) as {
      ticket: { cf: Record<string, string> };
      threads: { status: string; direction: string; fromEmailAddress?: string }[];
      comments: { isPublic: boolean; content: string }[];
    };

    expect(view.threads.find((t) => t.status === "DRAFT")?.fromEmailAddress).toBe(
      org(stack).deskReplyAddress(),
    );
    expect(view.comments[0]?.isPublic).toBe(false);
    expect(view.comments[0]?.content).toMatch(/AI triage — .*urgency .*sentiment/);
    expect(view.threads.filter((t) => t.direction === "out" && t.status !== "DRAFT")).toHaveLength(0);
    expect(org(stack).deskPicklist("cf_ai_sentiment")).toContain(view.ticket.cf.cf_ai_sentiment);
    expect(org(stack).deskPicklist("cf_ai_category")).toContain(view.ticket.cf.cf_ai_category);
    expect(inspect().writes.filter((w) => w.module === "replies")).toHaveLength(0);
  });

  it("sends nothing to the dead-letter queue when everything works", async () => {
    expect(await deadLetters(stack)).toEqual([]);
  });
});
