/**
 * A property over every tool: whatever JSON an agent sends, the answer is a ToolOutcome that is never a 5xx, and
 * arguments that fail the tool's schema never reach Zoho. Arguments are drawn from arbitrary JSON and from objects
 * with the tool's own keys (so some pass the schema and the tool runs against the fakes).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";
import { LEAD_ID, TICKET_ID, toolsWorld } from "./world.js";

const KEYS = [
  "module",
  "id",
  "fields",
  "reason",
  "word",
  "email",
  "phone",
  "filters",
  "match",
  "page",
  "perPage",
  "title",
  "content",
  "subject",
  "dueDate",
  "description",
  "ticketId",
  "includeThreads",
  "send",
  "jobId",
  "extra",
];

const plausible = fc.oneof(
  fc.constantFrom(
    "Leads",
    "Contacts",
    LEAD_ID,
    TICKET_ID,
    "AI_Score",
    "Hot",
    "2026-12-01",
    "../x",
    "Leads)or(",
    "%00",
  ),
  fc.constantFrom(1, 0, -1, 19, 1e21, 4876876000000100000),
  fc.dictionary(
    fc.constantFrom("AI_Score", "AI_Rating", "Description", "Company", "$x", "trigger"),
    fc.jsonValue(),
  ),
  fc.array(
    fc.record({
      field: fc.constantFrom("Last_Name", "AI_Score", "Nope", "a b"),
      op: fc.constantFrom("equals", "starts_with", "like"),
      value: fc.oneof(fc.string(), fc.integer()),
    }),
    { maxLength: 3 },
  ),
  fc.jsonValue(),
);

/** A valid call of each tool, which the generator mutates: some keys replaced, dropped or added. */
const VALID: Record<string, Record<string, unknown>> = {
  crm_search: { module: "Leads", word: "Doe" },
  crm_get_record: { module: "Leads", id: LEAD_ID },
  crm_describe_module: { module: "Leads" },
  crm_propose_update: { module: "Leads", id: LEAD_ID, fields: { AI_Score: 1 } },
  crm_update: { module: "Leads", id: LEAD_ID, fields: { AI_Rating: "warm" } },
  crm_add_note: { module: "Leads", id: LEAD_ID, content: "x" },
  crm_create_task: { module: "Leads", id: LEAD_ID, subject: "Call" },
  desk_get_ticket: { ticketId: TICKET_ID },
  desk_add_private_comment: { ticketId: TICKET_ID, content: "x" },
  desk_save_draft_reply: { ticketId: TICKET_ID, content: "x" },
  mediator_job_status: { jobId: "call_aaaaaaaaaaaaaaaaaaaa" },
};

const mutated = (tool: string) =>
  fc
    .tuple(
      fc.dictionary(fc.constantFrom(...KEYS), plausible, { maxKeys: 3 }),
      fc.subarray(Object.keys(VALID[tool] ?? {}), { maxLength: 1 }),
    )
    .map(([changes, dropped]) => {
      const out: Record<string, unknown> = { ...VALID[tool], ...changes };
      for (const k of dropped) delete out[k];
      return out;
    });

const call = fc
  .constantFrom(...TOOL_CATALOG)
  .chain((tool) =>
    fc.tuple(
      fc.constant(tool),
      fc.oneof(
        fc.jsonValue(),
        fc.dictionary(fc.constantFrom(...KEYS), plausible, { maxKeys: 6 }),
        mutated(tool.name),
        fc.constant(VALID[tool.name]),
      ),
    ),
  );

it("no arguments to any tool produce a 5xx, and arguments the schema refuses never reach Zoho", async () => {
  const w = toolsWorld();
  const { key } = await w.addKey({
    scopes: "crm.read,crm.write:Leads,desk.read,desk.comment,desk.send,jobs.read",
    budget: "100000/day",
    rate: "10000/min",
  });
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(call, async ([tool, input]) => {
      const before = w.zohoCalls();
      const valid = tool.input.safeParse(input ?? {}).success;

      const outcome = await w.call(key, tool.name, input);
      if (valid) ran += 1;

      if (!outcome.ok) expect(outcome.error.status).toBeLessThan(500);
      if (!valid) {
        expect(outcome).toMatchObject({ ok: false, error: { status: 400, code: "invalid_arguments" } });
        expect(w.zohoCalls()).toBe(before);
      }
    }),
    { numRuns: 600 },
  );
  // The property saw tools run, not only refusals.
  expect(ran).toBeGreaterThan(60);
  // 600 calls take under a second alone; a loaded machine (the whole suite on two workers) needs more.
}, 60_000);
