/**
 * Property-based fuzzing of every ingest route over HTTP, authenticated, on the local stack's API router and the
 * real ingest handler: one field of a valid body (or the use case in the path) is replaced by something hostile:
 * deep nesting, characters SQS cannot carry, inherited property names, traversal strings, bare big-integer ids.
 * Whatever arrives: no 5xx; a refusal enqueues nothing; what is accepted reaches the queue as a message SQS can
 * carry, with module names and ids that cannot leave a Zoho path. (The unit-level fuzz in
 * test/unit/shared/use-cases/ingest-fuzz.test.ts runs thousands of cases in memory; this one crosses the wire.)
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type HttpCase,
  KEYS,
  recordCase,
  type SecurityStack,
  SQS_MAX_BYTES,
  send,
  sqsForbidden,
  startSecurityStack,
} from "./helpers.js";

let stack: SecurityStack;
beforeAll(async () => {
  stack = await startSecurityStack({ ingestOnly: true });
});
afterAll(() => stack.stop());

const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? 100);
const LEAD = "5545974000001000044";

/** Raw JSON fragments (already encoded) an attacker puts in a field. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc
    .constantFrom(
      "../../settings/x",
      "..%2F..%2Fsettings",
      "Leads/../../settings/x",
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
      "Leads?x=1",
      "%00",
      "",
    )
    .map((s) => JSON.stringify(s)),
  fc
    .string({
      unit: fc.constantFrom(
        "\ufffe",
        "\uffff",
        "\ud800",
        "\udc00",
        "\u0000",
        "\u0001",
        "\u001b",
        "a",
        "/",
        ".",
        "5",
      ),
    })
    .map((s) => JSON.stringify(s)),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    "5545974000001000047",
    "12345678901234567890",
    "-5545974000001000047",
    "5545974000001000047.5",
    "1e400",
  ),
  fc.integer({ min: 1, max: 10_000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  fc.integer({ min: 1, max: 10_000 }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
);

type Template = {
  route: string;
  url: () => string;
  headers: () => Record<string, string>;
  fields: string[];
  body: (f: Record<string, string>) => string;
};
const tokenHeader = () => ({ "x-mediator-token": stack.webhookToken });
const TEMPLATES: Template[] = [
  {
    route: "crm workflow",
    url: () => "/v1/hooks/crm/lead-enrichment",
    headers: tokenHeader,
    fields: ["id", "module", "modified_time", "custom"],
    body: (f) =>
      `{"id":${f.id},"module":${f.module},"modified_time":${f.modified_time},"custom":${f.custom}}`,
  },
  {
    route: "notifications",
    url: () => "/v1/hooks/crm/notifications",
    headers: () => ({}),
    fields: ["module", "id", "channel_id", "server_time", "query_params"],
    body: (f) =>
      `{"module":${f.module},"ids":[${f.id}],"operation":"update","channel_id":${f.channel_id},"token":"${KEYS.notification}","server_time":${f.server_time},"query_params":${f.query_params}}`,
  },
  {
    route: "desk",
    url: () => `/v1/hooks/desk?token=${stack.webhookToken}`,
    headers: () => ({}),
    fields: ["id", "ticketId", "orgId", "eventTime", "subject"],
    body: (f) =>
      `[{"eventType":"Ticket_Thread_Add","orgId":${f.orgId},"eventTime":${f.eventTime},"payload":{"id":${f.id},"ticketId":${f.ticketId},"direction":"in","subject":${f.subject}}}]`,
  },
  {
    route: "flow email-triage",
    url: () => "/v1/hooks/flow/email-triage",
    headers: tokenHeader,
    fields: ["subject", "body", "params"],
    body: (f) =>
      `{"from":"a@example.com","subject":${f.subject},"body":${f.body},"params":{"x":${f.params}}}`,
  },
  {
    route: "flow call-transcript",
    url: () => "/v1/hooks/flow/call-transcript",
    headers: tokenHeader,
    fields: ["module", "recordId", "attachmentId", "refModule"],
    body: (f) =>
      `{"module":${f.module},"recordId":${f.recordId},"transcriptRef":{"module":${f.refModule},"recordId":"${LEAD}","attachmentId":${f.attachmentId}}}`,
  },
  {
    route: "flow document-extraction",
    url: () => "/v1/hooks/flow/document-extraction",
    headers: tokenHeader,
    fields: ["module", "recordId", "text"],
    body: (f) => `{"module":${f.module},"recordId":${f.recordId},"text":${f.text}}`,
  },
  {
    route: "flow lead-enrichment",
    url: () => "/v1/hooks/flow/lead-enrichment",
    headers: tokenHeader,
    fields: ["module", "id", "params"],
    body: (f) => `{"module":${f.module},"id":${f.id},"params":${f.params}}`,
  },
];
/** Valid values of every field above, as raw JSON. */
const VALID: Record<string, string> = {
  id: `"${LEAD}"`,
  module: '"Leads"',
  refModule: '"Leads"',
  modified_time: '"2026-11-25T10:00:00+00:00"',
  custom: '"x"',
  channel_id: '"1000000068001"',
  server_time: "1764000000000",
  query_params: "{}",
  ticketId: '"5545974000001000086"',
  orgId: '"60001234"',
  eventTime: '"1764000000000"',
  subject: '"Refund"',
  body: '"Please refund."',
  params: "{}",
  recordId: `"${LEAD}"`,
  attachmentId: '"5545974000001000123"',
  text: '"Contract for 40 seats."',
};

const MODULE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const ID = /^\d{1,19}$/;

/** What is wrong with an outcome; empty when the property holds. */
function problems(o: { status: number; enqueued: number; messages: string[] }): string[] {
  const out: string[] = [];
  if (o.status >= 500) out.push(`answered ${o.status}`);
  if (o.status >= 300 && o.enqueued > 0) out.push(`refused with ${o.status} but enqueued ${o.enqueued}`);
  for (const m of o.messages) {
    if (sqsForbidden(m)) out.push("a message SQS cannot carry");
    if (Buffer.byteLength(m, "utf8") > SQS_MAX_BYTES) out.push("a message over 256 KB");
    const w = JSON.parse(m) as {
      subject?: { module?: string; id?: string } | null;
      input?: Record<string, unknown>;
    };
    const modules = [
      w.subject?.module,
      w.input?.module,
      (w.input?.transcriptRef as { module?: unknown })?.module,
    ];
    for (const mod of modules)
      if (mod !== undefined && !MODULE.test(String(mod))) out.push(`module ${JSON.stringify(mod)} enqueued`);
    const ids = [w.subject?.id, w.input?.ticketId, w.input?.threadId, w.input?.recordId, w.input?.id];
    for (const id of ids)
      if (id !== undefined && !ID.test(String(id))) out.push(`id ${JSON.stringify(id)} enqueued`);
  }
  return out;
}

describe("fuzzing every ingest route over HTTP with hostile fields", () => {
  for (const t of TEMPLATES) {
    it(`${t.route}: ${RUNS} runs, no 5xx, refusals enqueue nothing, accepted messages are safe`, async () => {
      const failures: string[] = [];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...t.fields), hostile, async (field, value) => {
          const body = t.body({ ...VALID, [field]: value });
          const c: HttpCase = {
            name: `${t.route} ${field}`,
            url: t.url(),
            headers: t.headers(),
            body,
            expect: "refuse-or-clean",
          };
          const o = await send(stack, c);
          const p = problems(o);
          recordCase(import.meta.filename, {
            name: `fuzz ${t.route} ${field}`,
            expect: "refuse",
            status: o.status,
            enqueued: o.enqueued,
            breached: p.length > 0,
          });
          if (p.length) failures.push(`${field} = ${value.slice(0, 60)}: ${p.join("; ")}`);
          // Every run is collected (no early stop, no shrinking): the failures list says what broke.
          return true;
        }),
        { numRuns: RUNS, seed: 9 },
      );
      expect(
        [...new Set(failures.map((f) => f.split(": ").slice(1).join(": ")))].slice(0, 10),
        failures.slice(0, 10).join("\n"),
      ).toEqual([]);
    });
  }

  it(`use case names: ${RUNS} runs on crm and flow, no 5xx and nothing enqueued`, async () => {
    const failures: string[] = [];
    const name = fc.oneof(
      fc.constantFrom(
        "constructor",
        "__proto__",
        "toString",
        "valueOf",
        "hasOwnProperty",
        "isPrototypeOf",
        "..",
        "%2e%2e",
        "lead-enrichment%00",
      ),
      fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("crm", "flow"), name, async (source, useCase) => {
        const c: HttpCase = {
          name: `use case ${useCase}`,
          url: `/v1/hooks/${source}/${useCase}`,
          headers: tokenHeader(),
          body: `{"module":"Leads","id":"${LEAD}"}`,
          expect: "refuse-or-clean",
        };
        const o = await send(stack, c);
        const valid = ["lead-enrichment"].includes(useCase);
        const p = valid
          ? problems(o)
          : [...problems(o), ...(o.status < 400 ? [`unknown use case answered ${o.status}`] : [])];
        recordCase(import.meta.filename, {
          name: `fuzz use case ${source}`,
          expect: "refuse",
          status: o.status,
          enqueued: o.enqueued,
          breached: p.length > 0,
        });
        if (p.length) failures.push(`${source}/${useCase}: ${p.join("; ")}`);
        return true;
      }),
      { numRuns: RUNS, seed: 9 },
    );
    expect(failures.slice(0, 10)).toEqual([]);
  });
});
