/**
 * Hostile input on every tool of the mediated inbound path (issue 12), through MCP (raw JSON-RPC, so the exact
 * HTTP status is seen) and REST, on the local stack: wrong types, missing and extra keys, injection strings in ids
 * and module names (traversal, `1 OR 1=1`, criteria breakers, NUL, 20-digit ids, look-alike unicode), huge
 * arguments (1 MB strings, 10,000 filters or fields), bad keys and foreign Host/Origin headers. Every case must be
 * refused (a 4xx, a JSON-RPC error or a tool error: never a 5xx) and must reach no Zoho API: the sandbox's request
 * log shows no CRM or Desk call for it. Each case is recorded for the suite's summary line (summary.ts).
 *
 * The key used has every scope and a high rate limit, so what refuses a case is the argument check, not a missing
 * scope or the rate limit.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededLeadIds, startTestStack } from "../helpers/local-stack.js";
import {
  createKey,
  mcpRaw,
  mcpRefused,
  type RawAnswer,
  restCall,
  toolsOf,
  zohoCallsSince,
  zohoMark,
} from "../helpers/tools.js";
import { recordCase } from "./helpers.js";

let stack: Awaited<ReturnType<typeof startTestStack>>;
let key: string;
let lead: string;
let ticket: string;

beforeAll(async () => {
  stack = await startTestStack();
  key = (
    await createKey(stack, {
      name: "sec-all-scopes",
      scopes: "crm.read,crm.write:Leads,crm.write:Contacts,desk.read,desk.comment,desk.send,jobs.read",
      allow: ["AI_*", "Description"],
      rate: "10000/min",
      writeBudget: "100000/day",
    })
  ).key;
  const l = seededLeadIds(stack)[0];
  const t = [...(stack.sandbox?.state.desk.tickets.keys() ?? [])][0];
  if (!l || !t) throw new Error("the org has no seeded lead or ticket");
  lead = l;
  ticket = t;
  // Live metadata is read once (and cached) by a valid call, so the cases below show what bad input itself causes:
  // a value the guard refuses is refused against the cached metadata, without another Zoho call.
  const warm = await restCall(stack, "crm_describe_module", { module: "Leads" }, key);
  if (warm.status !== 200)
    throw new Error(`crm_describe_module answered ${warm.status}: ${warm.text.slice(0, 300)}`);
});
afterAll(() => stack?.stop());

type Args = Record<string, unknown>;
/** Valid arguments of every tool (built once the stack is up); each case breaks one thing in them. */
const VALID: Record<string, () => Args> = {
  crm_search: () => ({ module: "Leads", word: "Smith" }),
  crm_get_record: () => ({ module: "Leads", id: lead }),
  crm_describe_module: () => ({ module: "Leads" }),
  crm_propose_update: () => ({ module: "Leads", id: lead, fields: { Description: "x" } }),
  crm_update: () => ({ module: "Leads", id: lead, fields: { Description: "x" } }),
  crm_add_note: () => ({ module: "Leads", id: lead, content: "x" }),
  crm_create_task: () => ({ module: "Leads", id: lead, subject: "x" }),
  desk_get_ticket: () => ({ ticketId: ticket }),
  desk_add_private_comment: () => ({ ticketId: ticket, content: "x" }),
  desk_save_draft_reply: () => ({ ticketId: ticket, content: "x" }),
  mediator_job_status: () => ({ jobId: `call_${"a".repeat(20)}` }),
};
const TOOLS = Object.keys(VALID);
const ID_KEYS: Record<string, string> = {
  crm_get_record: "id",
  crm_propose_update: "id",
  crm_update: "id",
  crm_add_note: "id",
  crm_create_task: "id",
  desk_get_ticket: "ticketId",
  desk_add_private_comment: "ticketId",
  desk_save_draft_reply: "ticketId",
};
const CRM_TOOLS = TOOLS.filter((t) => t.startsWith("crm_"));

/** Strings that are not a Zoho id: traversal, query breakers, NUL, too many digits, digits that only look like it. */
const BAD_IDS = (valid: () => string): [string, () => string][] => [
  ["../", () => "../"],
  ["traversal to settings", () => "../../settings/x"],
  ["1 OR 1=1", () => "1 OR 1=1"],
  ["Leads)or(", () => "Leads)or("],
  ["%00", () => "%00"],
  ["id%00", () => `${valid()}%00`],
  ["id + NUL", () => `${valid()}\u0000`],
  ["id/../../settings", () => `${valid()}/../../settings`],
  ["20 digits", () => "12345678901234567890"],
  ["fullwidth digits", () => "５５４５９７４０００００１００００４４"],
  ["arabic-indic digits", () => "٥٥٤٥٩٧٤٠٠٠٠٠١٠٠٠٠٤٤"],
  ["leading space", () => ` ${valid()}`],
  ["trailing newline", () => `${valid()}\n`],
  ["empty", () => ""],
  ["negative", () => "-1"],
];
/** Strings that are not a module api name. */
const BAD_MODULES: [string, string][] = [
  ["../", "../"],
  ["traversal to settings", "../../settings/x"],
  ["Leads/../../settings", "Leads/../../settings"],
  ["1 OR 1=1", "1 OR 1=1"],
  ["Leads)or(", "Leads)or("],
  ["Leads%00", "Leads%00"],
  ["Leads + NUL", "Leads\u0000"],
  ["Leads?fields=all", "Leads?fields=all"],
  ["accented", "Léads"],
  ["fullwidth", "Ｌｅａｄｓ"],
  ["leading space", " Leads"],
  ["51 characters", `L${"e".repeat(50)}`],
  ["__proto__", "__proto__"],
  ["empty", ""],
  ["url", "https://attacker.example/x"],
];
const MB = "x".repeat(1024 * 1024);

interface Case {
  name: string;
  tool: string;
  /** The arguments, or raw JSON text (for what JSON.stringify cannot produce). */
  args: () => unknown;
}
const cases: Case[] = [];
const add = (tool: string, name: string, args: () => unknown) =>
  cases.push({ tool, name: `${tool}: ${name}`, args });
const without = (o: Args, k: string) => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k));

const WRONG: [string, unknown][] = [
  ["a number", 12345],
  ["a boolean", true],
  ["null", null],
  ["an array", ["x"]],
  ["an object", { a: 1 }],
];
for (const tool of TOOLS) {
  const valid = VALID[tool] as () => Args;
  // Wrong types: every argument as each type it is not.
  for (const k of Object.keys(valid()))
    for (const [label, value] of WRONG)
      add(tool, `${k} as ${label}`, () => {
        const v = valid();
        const same =
          (Array.isArray(v[k]) && Array.isArray(value)) ||
          (!Array.isArray(v[k]) && !Array.isArray(value) && typeof v[k] === typeof value && value !== null);
        return { ...v, [k]: same ? [[value]] : value };
      });
  // Missing: every argument the valid call has (each is required, or the last of a one-of).
  for (const k of Object.keys(valid())) add(tool, `without ${k}`, () => without(valid(), k));
  // Extra keys: unknown ones are refused, never ignored.
  add(tool, "an extra key", () => ({ ...valid(), extra: 1 }));
  add(tool, "an extra key named trigger", () => ({ ...valid(), trigger: ["workflow"] }));
  add(
    tool,
    "a __proto__ key (raw JSON)",
    () => `{"__proto__":{"admin":true},${JSON.stringify(valid()).slice(1)}`,
  );
  add(tool, "arguments as an array", () => [valid()]);
  add(tool, "arguments as a string", () => '"crm"');
  // Huge arguments: every string argument at 1 MB.
  for (const [k, v] of Object.entries(valid()))
    if (typeof v === "string") add(tool, `${k} of 1 MB`, () => ({ ...valid(), [k]: MB }));
  // Injection in ids.
  const idKey = ID_KEYS[tool];
  if (idKey)
    for (const [label, value] of BAD_IDS(() => String(valid()[idKey])))
      add(tool, `${idKey} = ${label}`, () => ({ ...valid(), [idKey]: value() }));
}
for (const tool of CRM_TOOLS)
  for (const [label, value] of BAD_MODULES)
    add(tool, `module = ${label}`, () => ({ ...(VALID[tool] as () => Args)(), module: value }));
for (const [label, value] of BAD_IDS(() => `call_${"a".repeat(20)}`))
  add("mediator_job_status", `jobId = ${label}`, () => ({ jobId: value() }));
add("mediator_job_status", "jobId of 1 MB", () => ({ jobId: `call_${MB}` }));

// Search: filters and fields that try to break out of Zoho's criteria or exhaust the mediator.
const filter = (over: Args) => ({
  module: "Leads",
  filters: [{ field: "Last_Name", op: "equals", value: "x", ...over }],
});
for (const field of [
  "Last_Name)or(Email:equals:x",
  "Last_Name:equals:x",
  "../x",
  "1 OR 1=1",
  "$approved",
  "",
  "Last Name",
])
  add("crm_search", `filter field = ${JSON.stringify(field)}`, () => filter({ field }));
for (const op of ["equals)or(", "in", "between", "EQUALS", "", "starts_with:x"])
  add("crm_search", `filter op = ${JSON.stringify(op)}`, () => filter({ op }));
add("crm_search", "10,000 filters", () => ({
  module: "Leads",
  filters: Array.from({ length: 10_000 }, () => ({ field: "Last_Name", op: "equals", value: "x" })),
}));
add("crm_search", "11 filters", () => ({
  module: "Leads",
  filters: Array.from({ length: 11 }, () => ({ field: "Last_Name", op: "equals", value: "x" })),
}));
add("crm_search", "a filter value of 1 MB", () => filter({ value: MB }));
add("crm_search", "10,000 fields", () => ({
  module: "Leads",
  word: "Smith",
  fields: Array.from({ length: 10_000 }, (_, i) => `F${i}`),
}));
add("crm_search", "a raw criteria string", () => ({
  module: "Leads",
  criteria: "((Last_Name:equals:x)or(Email:starts_with:*))",
}));
add("crm_search", "two searches at once", () => ({ module: "Leads", word: "Smith", email: "a@b.example" }));
add("crm_search", "perPage 100000", () => ({ module: "Leads", word: "Smith", perPage: 100_000 }));
add("crm_search", "page 0", () => ({ module: "Leads", word: "Smith", page: 0 }));
add("crm_search", "page -1", () => ({ module: "Leads", word: "Smith", page: -1 }));
add("crm_search", "perPage 1.5", () => ({ module: "Leads", word: "Smith", perPage: 1.5 }));
add("crm_search", "a field name with traversal", () => ({
  module: "Leads",
  word: "Smith",
  fields: ["../../x"],
}));
// Updates: what the fields object may not hold.
for (const tool of ["crm_update", "crm_propose_update"]) {
  add(tool, "no fields", () => ({ module: "Leads", id: lead, fields: {} }));
  add(tool, "10,000 fields", () => ({
    module: "Leads",
    id: lead,
    fields: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`AI_F${i}`, "x"])),
  }));
  add(tool, "a field name with traversal", () => ({ module: "Leads", id: lead, fields: { "../../x": "x" } }));
  add(tool, "a field name starting with $", () => ({
    module: "Leads",
    id: lead,
    fields: { $approved: true },
  }));
  add(
    tool,
    "a field value nested 10,000 deep (raw JSON)",
    () =>
      `{"module":"Leads","id":"${lead}","fields":{"Description":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}}`,
  );
  add(tool, "a reason of 1 MB", () => ({
    module: "Leads",
    id: lead,
    fields: { Description: "x" },
    reason: MB,
  }));
}
add("crm_create_task", "dueDate not a date", () => ({
  module: "Leads",
  id: lead,
  subject: "x",
  dueDate: "tomorrow",
}));
add("crm_create_task", "dueDate 2026-02-30", () => ({
  module: "Leads",
  id: lead,
  subject: "x",
  dueDate: "2026-02-30",
}));
add("crm_create_task", "subject of 256 characters", () => ({
  module: "Leads",
  id: lead,
  subject: "s".repeat(256),
}));
add("crm_add_note", "title of 121 characters", () => ({
  module: "Leads",
  id: lead,
  title: "t".repeat(121),
  content: "x",
}));
add("crm_add_note", "content over the text limit", () => ({
  module: "Leads",
  id: lead,
  content: "c".repeat(10_001),
}));
add("desk_save_draft_reply", "send as a string", () => ({ ticketId: ticket, content: "x", send: "true" }));

/** Sends one case, records it, and asserts it was refused with no Zoho call. */
async function check(
  name: string,
  send: () => Promise<RawAnswer>,
  refused: (a: RawAnswer) => boolean,
): Promise<void> {
  const mark = zohoMark(stack);
  const a = await send();
  const calls = zohoCallsSince(stack, mark).map((r) => `${r.method} ${r.path}`);
  const ok = refused(a) && a.status < 500;
  recordCase(import.meta.filename, {
    name,
    expect: "refuse",
    status: a.status,
    breached: !ok || calls.length > 0,
  });
  expect(a.status, `5xx for bad input: ${a.text.slice(0, 300)}`).toBeLessThan(500);
  expect(ok, `not refused: ${a.status} ${a.text.slice(0, 300)}`).toBe(true);
  expect(calls, "Zoho calls made for refused input").toEqual([]);
}

const restRefused = (a: RawAnswer) => a.status >= 400 && a.status < 500;
/** A raw-JSON case: REST sends it as the body; MCP splices it into the JSON-RPC request as `arguments`. */
const asText = (args: unknown) => (typeof args === "string" ? args : JSON.stringify(args));

describe("every tool over REST: bad arguments are a 4xx and reach no Zoho API", () => {
  for (const c of cases)
    it(c.name, async () => {
      await check(`rest ${c.name}`, () => restCall(stack, c.tool, asText(c.args()), key), restRefused);
    });
});

describe("every tool over MCP: bad arguments are a tool error, a JSON-RPC error or a 4xx, and reach no Zoho API", () => {
  for (const c of cases)
    it(c.name, async () => {
      const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${JSON.stringify(c.tool)},"arguments":${asText(c.args())}}}`;
      await check(`mcp ${c.name}`, () => mcpRaw(stack, key, body), mcpRefused);
    });
});

/**
 * A 19-digit id sent as a bare JSON number: a double would round it to a neighbour's id. Both paths parse JSON
 * losslessly (as the ingest does), so the call may be refused or carried out, but only ever on the exact id: no
 * Zoho request, write or answer may carry the rounded number.
 */
describe("a 19-digit id sent as a bare JSON number is read exactly or refused, never rounded", () => {
  for (const [tool, idKey] of Object.entries(ID_KEYS))
    for (const via of ["rest", "mcp"] as const)
      it(`${via} ${tool}: ${idKey}`, async () => {
        const valid = (VALID[tool] as () => Args)();
        const id = String(valid[idKey]);
        const args = JSON.stringify({ ...valid, [idKey]: "#ID#" }).replace('"#ID#"', id);
        const rounded = [String(Number(id)), BigInt(Number(id)).toString()].filter((r) => r !== id);
        const mark = zohoMark(stack);
        const writesBefore = sandboxWrites().length;
        const a =
          via === "rest"
            ? await restCall(stack, tool, args, key)
            : await mcpRaw(
                stack,
                key,
                `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${tool}","arguments":${args}}}`,
              );
        const seen = [
          a.text,
          ...zohoCallsSince(stack, mark).map((r) => r.path),
          ...sandboxWrites()
            .slice(writesBefore)
            .flatMap((w) => w.ids),
        ].join("\n");
        const leaked = rounded.filter((r) => seen.includes(r));
        recordCase(import.meta.filename, {
          name: `${via} ${tool}: bare 19-digit ${idKey}`,
          expect: "contain",
          status: a.status,
          breached: leaked.length > 0 || a.status >= 500,
        });
        expect(a.status, a.text.slice(0, 300)).toBeLessThan(500);
        expect(leaked, "a rounded id reached Zoho or the answer").toEqual([]);
      });
});
const sandboxWrites = () => (stack.sandbox?.inspect().writes ?? []) as { ids: string[] }[];

describe("MCP requests that are not a tool call the server knows", () => {
  const raw: [string, () => string][] = [
    [
      "an unknown tool",
      () =>
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"crm_delete_all","arguments":{}}}`,
    ],
    [
      "a tool name with traversal",
      () => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"../crm_update","arguments":{}}}`,
    ],
    [
      "a tool name of 1 MB",
      () => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${MB}","arguments":{}}}`,
    ],
    ["no params", () => `{"jsonrpc":"2.0","id":1,"method":"tools/call"}`],
    [
      "an unknown method",
      () => `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///etc/passwd"}}`,
    ],
    ["not JSON", () => "{not json"],
    [
      "a JSON-RPC batch of bad calls",
      () =>
        JSON.stringify(
          Array.from({ length: 3 }, (_, i) => ({
            jsonrpc: "2.0",
            id: i,
            method: "tools/call",
            params: { name: "crm_get_record", arguments: { module: "Leads", id: "1" } },
          })),
        ),
    ],
    [
      "a body over 10 MB",
      () => `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"${"y".repeat(10 * 1024 * 1024 + 10)}"}}`,
    ],
  ];
  for (const [name, body] of raw)
    it(name, async () => {
      await check(`mcp ${name}`, () => mcpRaw(stack, key, body()), mcpRefused);
    });
});

describe("bad keys: 401 on both paths, before any Zoho call", () => {
  const authCases: [string, () => Record<string, string>][] = [
    ["no Authorization header", () => ({})],
    ["an empty bearer", () => ({ authorization: "Bearer " })],
    ["Basic scheme", () => ({ authorization: `Basic ${Buffer.from(`x:${key}`).toString("base64")}` })],
    ["a malformed key", () => ({ authorization: "Bearer zgm_short" })],
    [
      "an unknown well-formed key",
      () => ({ authorization: `Bearer zgm_${"q".repeat(12)}_${"Z".repeat(43)}` }),
    ],
    [
      "the right id with a wrong secret",
      () => ({ authorization: `Bearer ${key.slice(0, -43)}${"A".repeat(43)}` }),
    ],
    ["the key with a suffix", () => ({ authorization: `Bearer ${key}x` })],
    ["SQL in the key", () => ({ authorization: "Bearer ' OR 1=1 --" })],
    ["a header of 8 KB", () => ({ authorization: `Bearer ${"k".repeat(8 * 1024)}` })],
  ];
  for (const [name, headers] of authCases) {
    it(`REST: ${name}`, async () => {
      await check(
        `rest auth: ${name}`,
        () => restCall(stack, "crm_get_record", { module: "Leads", id: lead }, undefined, headers()),
        (a) => a.status === 401,
      );
    });
    it(`MCP: ${name}`, async () => {
      await check(
        `mcp auth: ${name}`,
        () =>
          mcpRaw(
            stack,
            undefined,
            {
              method: "tools/call",
              params: { name: "crm_get_record", arguments: { module: "Leads", id: lead } },
            },
            headers(),
          ),
        (a) => a.status === 401,
      );
    });
  }
});

/** A request with a Host header of our choosing (fetch does not let a caller set Host). */
function withHost(
  url: string,
  host: string,
  headers: Record<string, string>,
  body: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { ...headers, host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: h, text, body: parsed });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("DNS rebinding: a foreign Host or Origin is refused before anything else", () => {
  const initialize = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "sec", version: "1" } },
  });
  const mcpHeaders = () => ({
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${key}`,
  });
  it("MCP with Host evil.example.com", async () => {
    await check(
      "mcp host: evil.example.com",
      () => withHost(toolsOf(stack).mcpUrl, "evil.example.com", mcpHeaders(), initialize),
      (a) => a.status === 403,
    );
  });
  it("MCP with a local Host and Origin http://evil.example.com", async () => {
    const host = new URL(toolsOf(stack).mcpUrl).host;
    await check(
      "mcp origin: evil.example.com",
      () =>
        withHost(
          toolsOf(stack).mcpUrl,
          host,
          { ...mcpHeaders(), origin: "http://evil.example.com" },
          initialize,
        ),
      (a) => a.status === 403,
    );
  });
  it("REST with Host evil.example.com", async () => {
    const url = `${toolsOf(stack).restUrl.replace(/\/+$/, "")}/crm_get_record`;
    await check(
      "rest host: evil.example.com",
      () =>
        withHost(
          url,
          "evil.example.com",
          { "content-type": "application/json", authorization: `Bearer ${key}` },
          JSON.stringify({ module: "Leads", id: lead }),
        ),
      (a) => a.status === 403,
    );
  });
});

describe("REST bodies that are not a JSON object", () => {
  const bodies: [string, string, Record<string, string>][] = [
    ["text/plain", "module=Leads", { "content-type": "text/plain" }],
    [
      "form-encoded",
      `module=Leads&id=${"1".repeat(19)}`,
      { "content-type": "application/x-www-form-urlencoded" },
    ],
    ["invalid JSON", "{module:", {}],
    ["a JSON array", "[]", {}],
    ["JSON null", "null", {}],
    ["a body over 10 MB", `{"module":"${"y".repeat(10 * 1024 * 1024 + 10)}"}`, {}],
  ];
  for (const [name, body, headers] of bodies)
    it(name, async () => {
      await check(
        `rest body: ${name}`,
        () => restCall(stack, "crm_get_record", body, key, headers),
        restRefused,
      );
    });
});
