/**
 * Hostile input on every ingest route, authenticated, through the local API router and the real ingest handler:
 * traversal and injection in every id, module and use-case field; inherited property names as use cases;
 * oversized, deeply nested and unencodable bodies; and 19-digit ids sent as bare JSON numbers, which must be
 * accepted as the exact digit string. Every refusal is a 4xx (never a 5xx, never a 503 "retry later") and enqueues
 * nothing; input the product may sanitise instead must reach the queue as a message SQS can carry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  breached,
  type HttpCase,
  KEYS,
  recordCase,
  type SecurityStack,
  send,
  startSecurityStack,
} from "./helpers.js";

let stack: SecurityStack;
let auth: Record<string, string>;
beforeAll(async () => {
  stack = await startSecurityStack({ ingestOnly: true });
  auth = { "x-mediator-token": stack.webhookToken };
});
afterAll(() => stack.stop());

const LEAD = "5545974000001000044";
const TICKET = "5545974000001000086";
let seq = 0;
const stamp = () =>
  `2026-11-25T11:${String(Math.floor(seq / 60) % 60).padStart(2, "0")}:${String(seq++ % 60).padStart(2, "0")}+00:00`;

/** Strings that try to leave the Zoho path they are put in, or to be something other than a name. */
const TRAVERSAL = [
  "../../settings/x",
  "..%2F..%2Fsettings%2Fx",
  "%2e%2e%2f%2e%2e%2fsettings",
  "..\\..\\settings\\x",
  "Leads/../../settings",
  "Leads?fields=all",
  "Leads#x",
  "Leads%00",
  "Leads\u0000",
  " Leads",
  "Le ads",
  "/crm/v8/settings/modules",
  "https://attacker.example/x",
];
/** Strings that are not a 1-19 digit Zoho id. */
const BAD_IDS = [
  "../1",
  "1/../../settings",
  "12a",
  "abc",
  "-1",
  "1e5",
  "0x10",
  " 123",
  "123 ",
  "１２３",
  "1 OR 1=1",
  "12345678901234567890",
  "",
];

type Route = {
  name: string;
  url: string;
  body: (v: string) => string;
  headers?: () => Record<string, string>;
};
const token = () => auth;
const deskToken = () => ({});
const deskUrl = () => `/v1/hooks/desk?token=${stack?.webhookToken ?? ""}`;

/** Every place a module name enters. */
const MODULE_FIELDS: Route[] = [
  {
    name: "crm workflow module",
    url: "/v1/hooks/crm/lead-enrichment",
    body: (m) => JSON.stringify({ module: m, id: LEAD, modified_time: stamp() }),
    headers: token,
  },
  {
    name: "notification module",
    url: "/v1/hooks/crm/notifications",
    body: (m) =>
      JSON.stringify({
        module: m,
        ids: [LEAD],
        operation: "update",
        channel_id: "1",
        token: KEYS.notification,
        server_time: seq++,
      }),
  },
  {
    name: "flow lead-enrichment module",
    url: "/v1/hooks/flow/lead-enrichment",
    body: (m) => JSON.stringify({ module: m, id: LEAD, params: { n: seq++ } }),
    headers: token,
  },
  {
    name: "flow call-transcript module",
    url: "/v1/hooks/flow/call-transcript",
    body: (m) => JSON.stringify({ module: m, recordId: LEAD, transcript: `t${seq++}` }),
    headers: token,
  },
  {
    name: "flow call-transcript transcriptRef.module",
    url: "/v1/hooks/flow/call-transcript",
    body: (m) =>
      JSON.stringify({
        module: "Leads",
        recordId: LEAD,
        transcriptRef: {
          module: m,
          recordId: LEAD,
          attachmentId: String(5545974000001000000 + seq++).slice(0, 19),
        },
      }),
    headers: token,
  },
  {
    name: "flow document-extraction module",
    url: "/v1/hooks/flow/document-extraction",
    body: (m) => JSON.stringify({ module: m, recordId: LEAD, text: `d${seq++}` }),
    headers: token,
  },
  {
    name: "flow document-extraction documentRef.module",
    url: "/v1/hooks/flow/document-extraction",
    body: (m) =>
      JSON.stringify({
        module: "Leads",
        recordId: LEAD,
        documentRef: { module: m, recordId: LEAD, attachmentId: "5545974000001000123" },
        fileName: `f${seq++}.pdf`,
      }),
    headers: token,
  },
];

/** Every place a Zoho id enters, as a string value. */
const ID_FIELDS: Route[] = [
  {
    name: "crm workflow id",
    url: "/v1/hooks/crm/lead-enrichment",
    body: (v) => JSON.stringify({ module: "Leads", id: v, modified_time: stamp() }),
    headers: token,
  },
  {
    name: "notification ids[]",
    url: "/v1/hooks/crm/notifications",
    body: (v) =>
      JSON.stringify({
        module: "Leads",
        ids: [v],
        operation: "update",
        channel_id: "1",
        token: KEYS.notification,
        server_time: seq++,
      }),
  },
  {
    name: "desk Ticket_Add payload.id",
    url: "",
    body: (v) =>
      JSON.stringify([
        {
          eventType: "Ticket_Add",
          orgId: "60001234",
          eventTime: String(1764000000000 + seq++),
          payload: { id: v },
        },
      ]),
    headers: deskToken,
  },
  {
    name: "desk Ticket_Thread_Add payload.ticketId",
    url: "",
    body: (v) =>
      JSON.stringify([
        {
          eventType: "Ticket_Thread_Add",
          orgId: "60001234",
          eventTime: String(1764000000000 + seq++),
          payload: { id: "5545974000001000201", ticketId: v, direction: "in" },
        },
      ]),
    headers: deskToken,
  },
  {
    name: "desk Ticket_Thread_Add payload.id (thread id)",
    url: "",
    body: (v) =>
      JSON.stringify([
        {
          eventType: "Ticket_Thread_Add",
          orgId: "60001234",
          eventTime: String(1764000000000 + seq++),
          payload: { id: v, ticketId: TICKET, direction: "in" },
        },
      ]),
    headers: deskToken,
  },
  {
    name: "flow lead-enrichment id",
    url: "/v1/hooks/flow/lead-enrichment",
    body: (v) => JSON.stringify({ module: "Leads", id: v, params: { n: seq++ } }),
    headers: token,
  },
  {
    name: "flow call-transcript recordId",
    url: "/v1/hooks/flow/call-transcript",
    body: (v) => JSON.stringify({ module: "Leads", recordId: v, transcript: `t${seq++}` }),
    headers: token,
  },
  {
    name: "flow call-transcript transcriptRef.attachmentId",
    url: "/v1/hooks/flow/call-transcript",
    body: (v) =>
      JSON.stringify({
        module: "Leads",
        recordId: LEAD,
        callId: `c${seq++}`,
        transcriptRef: { module: "Leads", recordId: LEAD, attachmentId: v },
      }),
    headers: token,
  },
  {
    name: "flow document-extraction documentRef.recordId",
    url: "/v1/hooks/flow/document-extraction",
    body: (v) =>
      JSON.stringify({
        module: "Leads",
        recordId: LEAD,
        fileName: `f${seq++}`,
        documentRef: { module: "Leads", recordId: v, attachmentId: "5545974000001000123" },
      }),
    headers: token,
  },
];
const urlOf = (r: Route) => r.url || deskUrl();

const cases: HttpCase[] = [];
const add = (c: Omit<HttpCase, "name"> & { name: string }) => cases.push(c);

// Use cases: inherited property names, traversal, encodings (defect 4).
for (const useCase of [
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
  "..",
  "%2e%2e",
  "..%2Fsettings",
  "lead-enrichment%00",
  "lead-enrichment%2F..",
  "LEAD-ENRICHMENT",
]) {
  for (const source of ["crm", "flow"]) {
    add({
      name: `${source} use case "${useCase}"`,
      url: `/v1/hooks/${source}/${useCase}`,
      body: JSON.stringify({ module: "Leads", id: LEAD, modified_time: stamp() }),
      expect: "refuse",
    });
  }
}

// Connection names that are inherited properties or traversal, authenticated.
for (const connection of ["constructor", "__proto__", "toString", "../default", "default%00", "DEFAULT"]) {
  add({
    name: `crm with connection "${connection}"`,
    url: `/v1/hooks/crm/lead-enrichment?connection=${encodeURIComponent(connection)}`,
    body: JSON.stringify({ module: "Leads", id: LEAD, modified_time: stamp() }),
    expect: "refuse",
  });
}

describe("traversal and injection in every id, module and use-case field", () => {
  for (const r of MODULE_FIELDS)
    for (const m of TRAVERSAL)
      it(`${r.name} = ${JSON.stringify(m)} is refused (defect 2)`, async () => {
        await check({
          name: `${r.name} = ${JSON.stringify(m)}`,
          url: urlOf(r),
          headers: r.headers?.() ?? {},
          body: r.body(m),
          expect: "refuse",
        });
      });
  for (const r of ID_FIELDS)
    for (const v of BAD_IDS)
      it(`${r.name} = ${JSON.stringify(v)} is refused`, async () => {
        await check({
          name: `${r.name} = ${JSON.stringify(v)}`,
          url: urlOf(r),
          headers: r.headers?.() ?? {},
          body: r.body(v),
          expect: "refuse",
        });
      });
  for (const c of cases)
    it(`${c.name} is refused`, async () => {
      await check({ ...c, headers: { ...auth, ...c.headers } });
    });
});

/** Replaces the quoted placeholder `"#ID#"` with a bare JSON number, as Zoho sends `${Leads.Lead Id}` unquoted. */
const bare = (json: string, digits: string) => json.replace('"#ID#"', digits);

describe("19-digit ids sent as bare JSON numbers are accepted exactly (defect 5)", () => {
  const ID = "5545974000001000047"; // 5545974000001000047 > 2^53: a double would round it.
  for (const r of ID_FIELDS) {
    it(`${r.name}`, async () => {
      const c: HttpCase = {
        name: `bare 19-digit ${r.name}`,
        url: urlOf(r),
        headers: r.headers?.() ?? {},
        body: bare(r.body("#ID#"), ID),
        expect: "accept",
      };
      const o = await send(stack, c);
      recordCase(import.meta.filename, {
        name: c.name,
        expect: "accept",
        status: o.status,
        enqueued: o.enqueued,
        breached: false,
      });

      expect(o.status, o.body).toBeGreaterThanOrEqual(200);
      expect(o.status, o.body).toBeLessThan(300);
      expect(o.messages).toHaveLength(1);
      // The exact digits travel on, never a rounded neighbour.
      expect(o.messages[0]).toContain(`"${ID}"`);
      expect(o.messages[0]).not.toContain(String(Number(ID)));
    });
  }
  for (const [name, digits] of [
    ["a 20-digit bare number", "12345678901234567890"],
    ["a negative bare number", "-5545974000001000047"],
    ["a fractional bare number", "5545974000001000047.5"],
    ["an exponent", "5.545974000001000047e18"],
  ] as const) {
    it(`refuses ${name} as a crm workflow id`, async () => {
      await check({
        name: `${name} as crm workflow id`,
        url: "/v1/hooks/crm/lead-enrichment",
        headers: auth,
        body: bare(JSON.stringify({ module: "Leads", id: "#ID#", modified_time: stamp() }), digits),
        expect: "refuse",
      });
    });
    it(`refuses ${name} in notification ids`, async () => {
      await check({
        name: `${name} in notification ids`,
        url: "/v1/hooks/crm/notifications",
        body: bare(
          JSON.stringify({
            module: "Leads",
            ids: ["#ID#"],
            operation: "update",
            channel_id: "1",
            token: KEYS.notification,
            server_time: seq++,
          }),
          digits,
        ),
        expect: "refuse",
      });
    });
    it(`refuses ${name} as a desk payload id`, async () => {
      await check({
        name: `${name} as desk payload id`,
        url: deskUrl(),
        body: bare(
          JSON.stringify([
            {
              eventType: "Ticket_Add",
              orgId: "60001234",
              eventTime: String(1764000000000 + seq++),
              payload: { id: "#ID#" },
            },
          ]),
          digits,
        ),
        expect: "refuse",
      });
    });
  }
});

/** A JSON value nested `depth` levels deep. */
const deep = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Unencodable characters as JSON escapes (what a JSON sender produces) and as raw text. */
const UNENCODABLE: [string, string][] = [
  ["U+FFFE", "\\ufffe"],
  ["U+FFFF", "\\uffff"],
  ["a lone high surrogate", "\\ud800"],
  ["a lone low surrogate", "\\udc00"],
  ["NUL", "\\u0000"],
  ["C0 control U+0001", "\\u0001"],
  ["C0 control U+001B (escape)", "\\u001b"],
  ["C0 control U+0008 (backspace)", "\\b"],
];

describe("oversized, deep and unencodable bodies", () => {
  const bodies: [string, () => HttpCase][] = [];
  /** Cases are built when they run: the stack's token exists only then, and the big bodies live only then. */
  const lazy = (make: () => HttpCase) => bodies.push([make().name, make]);
  const routes: [string, string, (inner: string) => string, Record<string, string> | undefined][] = [
    [
      "crm workflow",
      "/v1/hooks/crm/lead-enrichment",
      (x) => `{"module":"Leads","id":"${LEAD}","modified_time":"${stamp()}","custom":${x}}`,
      undefined,
    ],
    [
      "notification",
      "/v1/hooks/crm/notifications",
      (x) =>
        `{"module":"Leads","ids":["${LEAD}"],"operation":"update","channel_id":"1","token":"${KEYS.notification}","server_time":${seq++},"query_params":${x}}`,
      {},
    ],
    [
      "desk",
      "",
      (x) =>
        `[{"eventType":"Ticket_Add","orgId":"60001234","eventTime":"${1764000000000 + seq++}","payload":{"id":"${TICKET}","cf":${x}}}]`,
      {},
    ],
    [
      "flow email-triage",
      "/v1/hooks/flow/email-triage",
      (x) => `{"from":"a@example.com","subject":"s${seq++}","body":"hello","params":{"x":${x}}}`,
      undefined,
    ],
    [
      "flow lead-enrichment",
      "/v1/hooks/flow/lead-enrichment",
      (x) => `{"module":"Leads","id":"${LEAD}","params":{"x":${x}}}`,
      undefined,
    ],
  ];
  for (const [name, url, wrap, headers] of routes) {
    const u = () => url || deskUrl();
    for (const [label, value] of [
      ["arrays nested 10,000 deep", deep(10_000)],
      ["objects nested 10,000 deep", deepObject(10_000)],
    ] as const)
      lazy(() => ({
        name: `${name}: ${label}`,
        url: u(),
        headers: headers ?? {},
        body: wrap(value),
        expect: "refuse",
      }));
    // Moderate nesting may be accepted or refused, depending on the bound; never a 5xx.
    lazy(() => ({
      name: `${name}: arrays nested 200 deep`,
      url: u(),
      headers: headers ?? {},
      body: wrap(deep(200)),
      expect: "refuse-or-clean",
    }));
    lazy(() => ({
      name: `${name}: a body over 200 KB`,
      url: u(),
      headers: headers ?? {},
      body: wrap(`"${"x".repeat(210 * 1024)}"`),
      expect: "refuse",
    }));
    lazy(() => ({
      name: `${name}: a body over API Gateway's 10 MB`,
      url: u(),
      headers: headers ?? {},
      body: wrap(`"${"y".repeat(10 * 1024 * 1024 + 10)}"`),
      expect: "refuse",
    }));
    for (const [label, esc] of UNENCODABLE)
      lazy(() => ({
        name: `${name}: ${label} in a string`,
        url: u(),
        headers: headers ?? {},
        body: wrap(`"a${esc}b"`),
        expect: "refuse-or-clean",
      }));
  }
  // Flow text fields carry free text: unencodable characters there reach the message unless stripped or refused.
  for (const [label, esc] of UNENCODABLE)
    lazy(() => ({
      name: `flow email-triage body text: ${label}`,
      url: "/v1/hooks/flow/email-triage",
      body: `{"from":"a@example.com","subject":"s${seq++}","body":"hello ${esc} there"}`,
      expect: "refuse-or-clean",
    }));
  // Form bodies that grow past SQS's 256 KB once serialised: raw control characters become 6-byte JSON escapes.
  const formParams = (n: number, value: string) =>
    Array.from({ length: n }, (_, i) => `p${i}=${value}`).join("&");
  lazy(() => ({
    name: "crm form body: 66 KB of raw control characters across 34 parameters",
    url: "/v1/hooks/crm/lead-enrichment",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `id=${LEAD}&module=Leads&${formParams(34, "\u0001".repeat(1_950))}`,
    expect: "refuse-or-clean",
  }));
  lazy(() => ({
    name: "crm form body: 190 KB of percent-encoded quotes",
    url: "/v1/hooks/crm/lead-enrichment",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `id=${LEAD}&module=Leads&${formParams(30, "%22%5C".repeat(1_000))}`,
    expect: "refuse-or-clean",
  }));
  lazy(() => ({
    name: "crm form body: 20,000 parameters",
    url: "/v1/hooks/crm/lead-enrichment",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `id=${LEAD}&module=Leads&${formParams(20_000, "1")}`,
    expect: "refuse-or-clean",
  }));
  lazy(() => ({
    name: "crm JSON body: 20,000 custom parameters",
    url: "/v1/hooks/crm/lead-enrichment",
    body: JSON.stringify({
      id: LEAD,
      module: "Leads",
      ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`p${i}`, 1])),
    }),
    expect: "refuse-or-clean",
  }));
  lazy(() => ({
    name: "crm body that is not UTF-8",
    url: "/v1/hooks/crm/lead-enrichment",
    body: Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    expect: "refuse",
  }));
  lazy(() => ({
    name: "crm body with duplicate keys smuggling a second module",
    url: "/v1/hooks/crm/lead-enrichment",
    body: `{"module":"Leads","id":"${LEAD}","module":"../../settings/x"}`,
    expect: "refuse-or-clean",
  }));
  for (const [name, make] of bodies)
    it(name, async () => {
      const c = make();
      await check({ ...c, headers: { ...auth, ...c.headers } });
    });
});

/** Sends a case, records it for the summary, and asserts its expectation. */
async function check(c: HttpCase): Promise<void> {
  const o = await send(stack, c);
  // Whatever is accepted, no message may carry a traversal string on to the worker.
  const bad = breached(c, o) || o.messages.some((m) => m.includes("settings/x"));
  recordCase(import.meta.filename, {
    name: c.name,
    expect: "refuse",
    status: o.status,
    enqueued: o.enqueued,
    breached: bad,
  });
  expect(o.status, `5xx for bad input: ${o.body.slice(0, 300)}`).toBeLessThan(500);
  expect(
    bad,
    `${c.expect}: answered ${o.status} ${o.body.slice(0, 200)}, enqueued ${o.enqueued}${o.messages[0] ? `: ${o.messages[0].slice(0, 200)}` : ""}`,
  ).toBe(false);
}
