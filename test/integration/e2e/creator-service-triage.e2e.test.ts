/**
 * The Creator example use case, defined only by configuration (`config/use-cases/examples/creator-service-triage.yaml`;
 * on the `alt` account its admin's own link names, `test/fixtures/use-cases/defined/creator-service-triage.alt.yaml`),
 * end to end on the local stack: a person edits a service request, the form's workflow calls the mediator (the
 * README's Deluge `invokeUrl`), the model triages it, and the mediator writes back with `skip_workflow`, so the form's
 * workflow does not fire again, plus a record in the app's audit form. A dropdown value the form no longer has is
 * quarantined; a duplicate delivery writes once; Creator's rate-limit answers (429 2955, the daily 200 + 4000) are
 * waited out.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { definedUseCase } from "../../../shared/use-cases/defined/index.js";
import { parseDefinition } from "../../../shared/use-cases/defined/parse.js";
import { deadLetters, deadLettersAtLeast, post, startTestStack, until } from "../../helpers/local-stack.js";

const ROOT = join(import.meta.dirname, "../../..");
const FILE =
  process.env.ZOHO_SANDBOX_PROFILE === "alt"
    ? join(ROOT, "test/fixtures/use-cases/defined/creator-service-triage.alt.yaml")
    : join(ROOT, "config/use-cases/examples/creator-service-triage.yaml");
const definition = parseDefinition(readFileSync(FILE, "utf8"), FILE);
if (definition.target.product !== "creator") throw new Error("a Creator definition");
const { app: appName, form: formName, report } = definition.target;
const auditForm = definition.audit?.kind === "form" ? definition.audit : undefined;

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({
    useCases: [...USE_CASE_CATALOG, definedUseCase(definition)],
    // A daily limit defers the event for SQS's maximum delay when deployed; here for a moment.
    workerExtras: { zohoRetry: { rateLimitRetryAfterMs: 200, dailyLimitWaitMs: 300 } },
  });
});
afterAll(() => stack?.stop());

const creator = () => {
  if (!stack.sandbox) throw new Error("no sandbox");
  return stack.sandbox.state.creator;
};
const owner = () => stack.sandbox?.demo().creatorOwner as string;
const app = () => {
  const found = creator().app(owner(), appName);
  if (!found) throw new Error(`no app ${appName}`);
  return found;
};
const rows = (form = formName) => creator().table(app(), "production", form);
const recordIds = () => [...rows().keys()];
const row = (id: string) => rows().get(id) as Record<string, unknown>;
const control = async (path: string, body?: unknown, method = body === undefined ? "GET" : "POST") => {
  const res = await fetch(`${stack.sandbox?.url}/_sandbox/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as Record<string, any>;
};
/** A person edits the record in the app: the form's on-edit workflow calls the mediator. */
const edit = (id: string, data: Record<string, unknown>) =>
  control(`creator/records/production/${owner()}/${appName}/${formName}/${id}`, data, "PATCH");
type Write = { service: string; ids: string[]; source: string; skip_workflow?: string[] | null };
const apiWrites = (id: string) =>
  ((stack.sandbox?.inspect().writes ?? []) as Write[]).filter(
    (w) => w.service === "creator" && w.source === "api" && w.ids.includes(id),
  );
const deliveries = async (id: string) =>
  ((await control("creator/deliveries")).deliveries as { body: string }[]).filter((d) => d.body.includes(id));
const auditRecords = (id: string) =>
  [...rows(auditForm?.form).values()].filter((r) => r[auditForm?.fields.recordId ?? ""] === id);
const choices = (field: string) =>
  app()
    .forms.find((f) => f.link_name === formName)
    ?.fields.find((f) => f.link_name === field)?.choices ?? [];
const summaryField = definition.outputs.find((o) => o.key === "summary")?.field as string;
const summaryOf = (id: string) => String(row(id)[summaryField] ?? "");

describe("the Creator service request triage, defined by configuration", () => {
  it("triages an edited request, writes back with skip_workflow (no workflow fires again) and audits it", async () => {
    const id = recordIds()[0] as string;

    await edit(id, { Description: `${String(row(id).Description ?? "")} The customer called again.` });

    await until(() => expect(summaryOf(id).length).toBeGreaterThan(0), 30_000);
    await until(() => expect(auditRecords(id).length).toBe(1), 30_000);
    expect(choices("Category")).toContain(row(id).Category);
    const writes = apiWrites(id);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.skip_workflow).toEqual(["form_workflow", "schedules"]);
    // Only the person's edit called the mediator: its own write fired no workflow.
    expect(await deliveries(id)).toHaveLength(1);
    expect(String(auditRecords(id)[0]?.[auditForm?.fields.text ?? ""])).toContain(
      "AI creator-service-triage by zoho-gpt-mediator",
    );
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("writes once for a duplicate delivery of the same event", async () => {
    const id = recordIds()[1] as string;
    const body = JSON.stringify({ owner: owner(), app: appName, report, id, modified_time: "dup-1" });
    const url = `${stack.api?.url}/v1/hooks/creator/${definition.name}`;
    const headers = { "x-mediator-token": stack.webhookToken };

    const [a, b] = await Promise.all([post(url, body, headers), post(url, body, headers)]);

    expect([a.status, b.status]).toEqual([202, 202]);
    // The same event is the same job: the worker claims it once, whichever delivery it reads first.
    const jobs = await Promise.all(
      [a, b].map(async (r) => ((await r.json()) as { jobIds: string[] }).jobIds),
    );
    expect(jobs[0]).toEqual(jobs[1]);
    await until(() => expect(summaryOf(id).length).toBeGreaterThan(0), 30_000);
    expect(apiWrites(id)).toHaveLength(1);
  }, 60_000);

  it("waits out Creator's per-minute 429 (2955) in the call, and its daily limit (HTTP 200, code 4000) on the queue", async () => {
    const id = recordIds()[2] as string;
    await control("faults", { target: "creator", kind: 429, count: 1 });
    await control("faults", { target: "creator", kind: "daily-limit", count: 1 });

    await edit(id, { Subject: `${String(row(id).Subject)} (urgent)` });

    await until(() => expect(summaryOf(id).length).toBeGreaterThan(0), 30_000);
    expect(apiWrites(id)).toHaveLength(1);
    // The daily limit is no error to retry today: the event was deferred (not dead-lettered), then written.
    expect(stack.events.some((e) => e.startsWith("deferred") && /daily API limit/.test(e))).toBe(true);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("quarantines a dropdown value the form dropped after the mediator read its fields", async () => {
    const [, , , id, warm] = recordIds();
    if (!id || !warm) throw new Error("too few records");
    // The mediator has read the form's fields (another record triaged): its cache holds the value.
    await edit(warm, { Subject: `${String(row(warm).Subject)} (again)` });
    await until(() => expect(summaryOf(warm).length).toBeGreaterThan(0), 30_000);
    const list = choices("Category");
    const [dropped] = list;
    if (!dropped) throw new Error("Category has no choices");
    stack.model?.inject({
      kind: "answer",
      match: String(row(id).Subject),
      count: 2,
      content: JSON.stringify({
        category: dropped,
        priority: choices("Priority")[0],
        summary: "A short summary.",
        next_action: "Call the customer.",
      }),
    });
    list.splice(0, 1);
    try {
      // The person clears the category: an empty field the use case fills (fill-empty).
      await edit(id, { Category: "", Description: "Still broken." });

      const [dead, ...more] = await deadLettersAtLeast(stack, 1, 30_000);
      expect(more).toEqual([]);
      expect(dead?.reason).toContain("Zoho rejected the update");
      expect(apiWrites(id)).toEqual([]);
      expect(row(id).Category).not.toBe(dropped);
    } finally {
      list.unshift(dropped);
    }
  }, 60_000);
});
