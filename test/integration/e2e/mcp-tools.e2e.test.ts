/**
 * The mediated inbound path end to end (issue 12 acceptance): an agent drives the local stack's MCP endpoint with
 * the official SDK client (`Client` + `StreamableHTTPClientTransport`), with keys an operator made through the CLI.
 * Everything the tests expect of the org (leads, fields, picklist values) is read from the connected org, so the
 * file runs unchanged on the demo org (integration project) and on the alt org (e2e-alt project).
 *
 * Written against CONTRACTS-12 (§3 CLI, §4 tools, §5 proposals, §6 MCP, §7 local stack): it passes once the keys,
 * tools, protocols and infra packages are merged.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadWrites, org, seededLeadIds, startTestStack } from "../../helpers/local-stack.js";
import {
  cli,
  connectMcp,
  createKey,
  jsonOut,
  mcpRaw,
  outputOf,
  restCall,
  secondsToUtcMidnight,
  toolErrorOf,
  toolsOf,
  zohoCallsSince,
  zohoMark,
} from "../../helpers/tools.js";

let stack: Awaited<ReturnType<typeof startTestStack>>;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await stack?.stop();
});

const connect = async (key: string | undefined) => {
  const client = await connectMcp(toolsOf(stack).mcpUrl, key);
  clients.push(client);
  return client;
};

type Row = Record<string, unknown> & { id: string };
const rows = (module: string): Row[] => [...(stack.sandbox?.state.crm.table(module).values() ?? [])] as Row[];
const refId = (v: unknown) => (typeof v === "object" && v !== null ? (v as { id?: string }).id : v);
const notesOn = (id: string) => rows("Notes").filter((n) => refId(n.Parent_Id) === id);
const allWrites = () => (stack.sandbox?.inspect().writes ?? []) as unknown[];

/** A different seeded lead for each test, so each test's writes are its own. */
let nextLead = 0;
const aLead = (): string => {
  const id = seededLeadIds(stack)[nextLead++];
  if (!id) throw new Error("the org has too few seeded leads for this suite");
  return id;
};

const TOOL_NAMES = [
  "crm_search",
  "crm_get_record",
  "crm_describe_module",
  "crm_propose_update",
  "crm_update",
  "crm_add_note",
  "crm_create_task",
  "desk_get_ticket",
  "desk_add_private_comment",
  "desk_save_draft_reply",
  "mediator_job_status",
];
const READ_TOOLS = [
  "crm_search",
  "crm_get_record",
  "crm_describe_module",
  "desk_get_ticket",
  "mediator_job_status",
];

type DescribedField = {
  name: string;
  type: string;
  length?: number;
  readOnly: boolean;
  picklist?: unknown[];
  writable: boolean;
};
const picklistValues = (f: DescribedField): string[] =>
  (f.picklist ?? [])
    .map((v) =>
      typeof v === "string"
        ? v
        : ((v as { actual_value?: string; value?: string; display_value?: string }).actual_value ??
          (v as { value?: string }).value ??
          (v as { display_value?: string }).display_value),
    )
    .filter((v): v is string => typeof v === "string" && v !== "-None-");

async function describeLeads(client: Client): Promise<DescribedField[]> {
  const out = outputOf<{ module: string; fields: DescribedField[]; jobId: string }>(
    await client.callTool({ name: "crm_describe_module", arguments: { module: "Leads" } }),
  );
  expect(out.module).toBe("Leads");
  expect(out.jobId).toMatch(/^call_/);
  return out.fields;
}

/** A writable free-text field of Leads (as the org defines it) with room for a short sentence. */
function textField(fields: DescribedField[], writable = true): DescribedField {
  const f = fields.find(
    (x) =>
      x.writable === writable &&
      !x.readOnly &&
      (x.type === "textarea" || x.type === "text") &&
      (x.length === undefined || x.length >= 100),
  );
  if (!f) throw new Error(`Leads has no ${writable ? "" : "non-"}writable text field for this key`);
  return f;
}

describe("an agent on the MCP endpoint (official SDK client)", () => {
  let writer: { key: string; id: string };
  const WRITER = "e2e-writer";

  beforeAll(async () => {
    writer = await createKey(stack, {
      name: WRITER,
      scopes: "crm.read,crm.write:Leads,jobs.read",
      allow: ["AI_*"],
    });
  });

  it("lists all eleven tools, each with an input schema, an output schema and a description for a model", async () => {
    const client = await connect(writer.key);
    const { tools } = await client.listTools();

    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    for (const t of tools) {
      expect(t.inputSchema.type, t.name).toBe("object");
      expect(t.outputSchema?.type, t.name).toBe("object");
      expect(t.description?.length, t.name).toBeGreaterThan(20);
      expect(t.description?.length ?? 0, t.name).toBeLessThanOrEqual(300);
      expect(t.annotations?.readOnlyHint ?? false, t.name).toBe(READ_TOOLS.includes(t.name));
    }
  });

  it("refuses to connect without a key, or with an unknown one: HTTP 401 with WWW-Authenticate: Bearer", async () => {
    const mark = zohoMark(stack);
    await expect(connectMcp(toolsOf(stack).mcpUrl, undefined)).rejects.toMatchObject({ code: 401 });
    const unknown = `zgm_${"a".repeat(12)}_${"B".repeat(43)}`;
    await expect(connectMcp(toolsOf(stack).mcpUrl, unknown)).rejects.toMatchObject({ code: 401 });
    const raw = await mcpRaw(stack, unknown, { method: "tools/list" });

    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate") ?? "").toMatch(/^Bearer/i);
    expect((raw.body as { error?: { message?: string } }).error?.message).toMatch(/unknown API key/i);
    expect(zohoCallsSince(stack, mark)).toEqual([]);
  });

  it("searches the org's own leads and trims each record to the requested fields", async () => {
    const client = await connect(writer.key);
    const lead = rows("Leads").find((r) => typeof r.Email === "string" && r.Email.includes("@"));
    if (!lead) throw new Error("the org has no lead with an e-mail");

    const byEmail = outputOf<{ module: string; records: Row[]; moreRecords: boolean; jobId: string }>(
      await client.callTool({
        name: "crm_search",
        arguments: { module: "Leads", email: lead.Email, fields: ["Last_Name", "Email"] },
      }),
    );
    expect(byEmail.records.map((r) => r.id)).toContain(lead.id);
    for (const r of byEmail.records) {
      expect(
        Object.keys(r).every((k) => ["id", "Last_Name", "Email"].includes(k)),
        JSON.stringify(r),
      ).toBe(true);
    }
    expect(byEmail.jobId).toMatch(/^call_/);

    const byFilter = outputOf<{ records: Row[]; page: number; perPage: number }>(
      await client.callTool({
        name: "crm_search",
        arguments: {
          module: "Leads",
          filters: [{ field: "Last_Name", op: "equals", value: String(lead.Last_Name) }],
          perPage: 5,
        },
      }),
    );
    expect(byFilter.records.map((r) => r.id)).toContain(lead.id);
    expect(byFilter.perPage).toBe(5);
    for (const r of byFilter.records) expect(Object.keys(r).filter((k) => k.startsWith("$"))).toEqual([]);

    // A filter on a field the org does not have: a clear tool error naming it, before any search.
    const unknown = toolErrorOf(
      await client.callTool({
        name: "crm_search",
        arguments: { module: "Leads", filters: [{ field: "No_Such_Field_X", op: "equals", value: "x" }] },
      }),
    );
    expect(unknown).toMatchObject({ status: 400, code: "invalid_arguments", retryable: false });
    expect(JSON.stringify(unknown)).toContain("No_Such_Field_X");
  });

  it("describes Leads from live metadata: picklist values are the org's, and writable follows the key's allow-list", async () => {
    const client = await connect(writer.key);
    const fields = await describeLeads(client);

    const names = fields.map((f) => f.name);
    expect(names).toContain("Last_Name");
    for (const f of fields) {
      // The writer key may write AI_* only: exactly the non-read-only AI_ fields are writable.
      expect(f.writable, f.name).toBe(f.name.startsWith("AI_") && !f.readOnly);
      if (f.type === "picklist")
        expect(picklistValues(f), f.name).toEqual(org(stack).crmPicklist("Leads", f.name));
    }
    expect(fields.some((f) => f.writable)).toBe(true);
  });

  it("writes a guarded update with trigger: [] and an audit note naming the key", async () => {
    const client = await connect(writer.key);
    const fields = await describeLeads(client);
    const text = textField(fields);
    const picklist = fields.find((f) => f.writable && f.type === "picklist" && picklistValues(f).length > 0);
    const lead = aLead();
    const value = `Summary from the e2e agent ${process.pid}`;
    const update: Record<string, unknown> = { [text.name]: value };
    if (picklist) update[picklist.name] = picklistValues(picklist).at(-1);

    const out = outputOf<{ status: string; module: string; id: string; fields: string[]; jobId: string }>(
      await client.callTool({
        name: "crm_update",
        arguments: { module: "Leads", id: lead, fields: update, reason: "e2e: the call notes say so" },
      }),
    );

    expect(out).toMatchObject({ status: "written", module: "Leads", id: lead });
    expect([...out.fields].sort()).toEqual(Object.keys(update).sort());
    const writes = leadWrites(stack, lead);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.trigger).toEqual([]);
    expect([...(writes[0]?.fields[0] ?? [])].sort()).toEqual(Object.keys(update).sort());
    const record = rows("Leads").find((r) => r.id === lead);
    expect(record?.[text.name]).toBe(value);
    if (picklist) expect(record?.[picklist.name]).toBe(update[picklist.name]);

    const audit = notesOn(lead).filter((n) => n.Note_Title === "AI update");
    expect(audit).toHaveLength(1);
    const content = String(audit[0]?.Note_Content);
    expect(content).toContain("AI agent update by zoho-gpt-mediator");
    expect(content).toContain(`key: ${WRITER} (${writer.id})`);
    expect(content).toContain("tool: crm_update");
    expect(content).toContain(`job: ${out.jobId}`);
    expect(content).toContain(text.name);
    expect(content).toContain("reason: e2e: the call notes say so");

    // The call is audited and visible to the key that made it.
    const status = outputOf<{ kind: string; status: string }>(
      await client.callTool({ name: "mediator_job_status", arguments: { jobId: out.jobId } }),
    );
    expect(status.kind).toBe("tool-call");
  });

  it("refuses a write outside the key's allow-list, all or nothing: nothing is written", async () => {
    const client = await connect(writer.key);
    const fields = await describeLeads(client);
    const allowed = textField(fields);
    const outside = textField(fields, false);
    const lead = aLead();
    const writesBefore = allWrites().length;
    const notesBefore = notesOn(lead).length;

    const error = toolErrorOf(
      await client.callTool({
        name: "crm_update",
        arguments: {
          module: "Leads",
          id: lead,
          fields: { [allowed.name]: "allowed", [outside.name]: "not allowed" },
        },
      }),
    );

    expect(error).toMatchObject({ status: 403, code: "forbidden", retryable: false });
    expect(error?.message).toContain(outside.name);
    expect(allWrites()).toHaveLength(writesBefore);
    expect(leadWrites(stack, lead)).toEqual([]);
    expect(notesOn(lead)).toHaveLength(notesBefore);
  });

  it("refuses a tool the key has no scope for with 403 and no Zoho call", async () => {
    const reader = await createKey(stack, { name: "e2e-reader", scopes: "crm.read" });
    const client = await connect(reader.key);
    const lead = aLead();
    const mark = zohoMark(stack);

    const error = toolErrorOf(
      await client.callTool({
        name: "crm_update",
        arguments: { module: "Leads", id: lead, fields: { X: 1 } },
      }),
    );

    expect(error).toMatchObject({ status: 403, code: "forbidden" });
    expect(error?.message).toContain("crm.write");
    expect(zohoCallsSince(stack, mark)).toEqual([]);
  });

  it("refuses a revoked key (keys revoke) with 401 and makes no Zoho call", async () => {
    const revokee = await createKey(stack, { name: "e2e-revokee", scopes: "crm.read" });
    const client = await connect(revokee.key);
    const lead = aLead();
    const got = outputOf<{ record: Row }>(
      await client.callTool({ name: "crm_get_record", arguments: { module: "Leads", id: lead } }),
    );
    expect(got.record.id).toBe(lead);

    const revoked = await cli(stack, ["keys", "revoke", revokee.id]);
    expect(revoked.code, revoked.out).toBe(0);
    const listed = jsonOut<unknown>((await cli(stack, ["keys", "list", "--json"])).out);
    const views = (Array.isArray(listed) ? listed : (listed as { keys: unknown[] }).keys) as {
      id: string;
      revokedAt?: string;
      hash?: string;
    }[];
    expect(views.find((k) => k.id === revokee.id)?.revokedAt).toBeTruthy();
    expect(views.every((k) => k.hash === undefined)).toBe(true);

    const mark = zohoMark(stack);
    // The connected client's next call, and a new connection: both refused at the HTTP level.
    await expect(
      client.callTool({ name: "crm_get_record", arguments: { module: "Leads", id: lead } }),
    ).rejects.toMatchObject({ code: 401 });
    await expect(connectMcp(toolsOf(stack).mcpUrl, revokee.key)).rejects.toMatchObject({ code: 401 });
    const raw = await mcpRaw(stack, revokee.key, {
      method: "tools/call",
      params: { name: "crm_get_record", arguments: { module: "Leads", id: lead } },
    });
    expect(raw.status).toBe(401);
    expect(raw.text).toMatch(/API key revoked/i);
    const rest = await restCall(stack, "crm_get_record", { module: "Leads", id: lead }, revokee.key);
    expect(rest.status).toBe(401);
    expect(zohoCallsSince(stack, mark)).toEqual([]);
  });

  it("answers 429 once the daily write budget is spent: a retryable tool error on MCP, 429 with retry-after on REST", async () => {
    const spender = await createKey(stack, {
      name: "e2e-budget",
      scopes: "crm.read,crm.write:Leads",
      allow: ["AI_*"],
      writeBudget: "1/day",
    });
    const client = await connect(spender.key);
    const field = textField(await describeLeads(client));
    const lead = aLead();
    const call = (n: number) =>
      client.callTool({
        name: "crm_update",
        arguments: { module: "Leads", id: lead, fields: { [field.name]: `w${n}` } },
      });

    expect(outputOf(await call(1))).toMatchObject({ status: "written" });
    const error = toolErrorOf(await call(2));
    const rest = await restCall(
      stack,
      "crm_update",
      { module: "Leads", id: lead, fields: { [field.name]: "w3" } },
      spender.key,
    );

    expect(error).toMatchObject({ status: 429, code: "rate_limited", retryable: true });
    const toMidnight = secondsToUtcMidnight();
    expect(error?.retryAfterSeconds).toBeGreaterThan(0);
    expect(Math.abs((error?.retryAfterSeconds ?? 0) - toMidnight)).toBeLessThanOrEqual(60);
    expect(rest.status).toBe(429);
    const retryAfter = Number(rest.headers.get("retry-after"));
    expect(
      Math.abs(retryAfter - toMidnight),
      `retry-after ${rest.headers.get("retry-after")}`,
    ).toBeLessThanOrEqual(60);
    expect(rest.body).toMatchObject({ error: "rate_limited" });
    expect(leadWrites(stack, lead)).toHaveLength(1);
  });

  it("stores a proposals-only key's update as a proposal; `proposals approve` writes it exactly once", async () => {
    const proposer = await createKey(stack, {
      name: "e2e-proposer",
      scopes: "crm.read,crm.write:Leads,jobs.read",
      allow: ["AI_*"],
      proposalsOnly: true,
    });
    const client = await connect(proposer.key);
    const field = textField(await describeLeads(client));
    const lead = aLead();
    const value = `Proposed by the e2e agent ${process.pid}`;

    const proposed = outputOf<{ status: string; proposalId: string; jobId: string }>(
      await client.callTool({
        name: "crm_update",
        arguments: { module: "Leads", id: lead, fields: { [field.name]: value }, reason: "e2e proposal" },
      }),
    );
    expect(proposed.status).toBe("proposed");
    expect(proposed.proposalId).toMatch(/^prop_/);
    expect(leadWrites(stack, lead)).toEqual([]);

    const listed = jsonOut<unknown>(
      (await cli(stack, ["proposals", "list", "--status", "pending", "--json"])).out,
    );
    const pending = (Array.isArray(listed) ? listed : (listed as { proposals: unknown[] }).proposals) as {
      id: string;
      status: string;
    }[];
    expect(pending.find((p) => p.id === proposed.proposalId)?.status).toBe("pending");

    const first = await cli(stack, ["proposals", "approve", proposed.proposalId, "--by", "e2e-operator"], {
      secrets: true,
    });
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain(`approved ${proposed.proposalId}: written`);
    const writes = leadWrites(stack, lead);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.trigger).toEqual([]);
    expect(rows("Leads").find((r) => r.id === lead)?.[field.name]).toBe(value);

    const second = await cli(stack, ["proposals", "approve", proposed.proposalId, "--by", "e2e-operator"], {
      secrets: true,
    });
    expect(second.code).toBe(1);
    expect(second.out).toMatch(/already written/);
    expect(leadWrites(stack, lead)).toHaveLength(1);

    const status = outputOf<{ kind: string; status: string }>(
      await client.callTool({ name: "mediator_job_status", arguments: { jobId: proposed.proposalId } }),
    );
    expect(status).toMatchObject({ kind: "proposal", status: "written" });
  });
  it("shows a call's status only to the key that made it", async () => {
    const own = await connect(writer.key);
    const other = await connect((await createKey(stack, { name: "e2e-other", scopes: "crm.read" })).key);
    const { jobId } = outputOf<{ jobId: string }>(
      await own.callTool({ name: "crm_describe_module", arguments: { module: "Leads" } }),
    );

    const mine = outputOf<{ kind: string; status: string }>(
      await own.callTool({ name: "mediator_job_status", arguments: { jobId } }),
    );
    const theirs = toolErrorOf(await other.callTool({ name: "mediator_job_status", arguments: { jobId } }));

    expect(mine.kind).toBe("tool-call");
    expect(theirs).toMatchObject({ status: 404, code: "not_found" });
  });

  it("turns Zoho's 429 into a retryable tool error after a bounded number of Zoho calls (no storm)", async () => {
    const client = await connect(writer.key);
    const lead = aLead();
    const sandbox = stack.sandbox;
    if (!sandbox) throw new Error("the stack runs no Zoho sandbox");
    sandbox.inject({ target: "crm", kind: 429, count: 50 });
    const mark = zohoMark(stack);
    try {
      const error = toolErrorOf(
        await client.callTool({ name: "crm_get_record", arguments: { module: "Leads", id: lead } }),
      );
      const calls = zohoCallsSince(stack, mark);

      expect(error).toMatchObject({ retryable: true });
      expect([429, 503]).toContain(error?.status);
      expect(error?.retryAfterSeconds).toBeGreaterThan(0);
      expect(calls.length).toBeGreaterThan(0);
      expect(
        calls.length,
        calls.map((c) => `${c.status} ${c.method} ${c.path}`).join("\n"),
      ).toBeLessThanOrEqual(5);
    } finally {
      await fetch(`${sandbox.url}/_sandbox/faults`, { method: "DELETE" });
    }
    // Once Zoho answers again, so does the tool.
    expect(
      outputOf<{ record: Row }>(
        await client.callTool({ name: "crm_get_record", arguments: { module: "Leads", id: lead } }),
      ).record.id,
    ).toBe(lead);
  });
});
