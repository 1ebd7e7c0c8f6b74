/**
 * Property-based fuzzing of every ingest route (issue 9 acceptance): at least 2,000 runs per route, with bodies
 * that start from a valid fixture and get hostile values where it hurts: deep nesting, characters SQS cannot
 * carry, inherited property names (as keys, values and use cases), traversal strings in module and id fields, and
 * bare big-integer ids. Whatever arrives: never a 5xx (so never a 503 for bad input), nothing enqueued for a
 * refused request, and everything enqueued is a valid work message that SQS can carry, with exact ids.
 * In-process against the handler with a fake queue.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { uncarriableChar } from "../../../../shared/ingest/payload-bounds.js";
import { WorkMessageSchema } from "../../../../shared/schemas/work-message.js";
import { fixture, ingestHarness, SECRETS, signed } from "../../../helpers/ingest.js";

const RUNS = 2_000;

interface Route {
  path: string;
  /** A valid body for the route. */
  body: string;
  /** How a correct caller authenticates on this route. */
  auth: "header" | "query" | "body" | "signature";
  /** Where hostile values go: top-level keys, or keys of each array element's payload (Desk). */
  fields: string[];
  form?: boolean;
}

const ROUTES: Route[] = [
  {
    path: "/v1/hooks/crm/lead-enrichment",
    body: fixture("crm-lead-workflow.json"),
    auth: "header",
    fields: ["id", "module", "modified_time", "email", "Company"],
    form: true,
  },
  {
    path: "/v1/hooks/crm/notifications",
    body: fixture("crm-notification.json"),
    auth: "body",
    fields: ["ids", "module", "operation", "channel_id", "affected_fields", "server_time"],
  },
  {
    path: "/v1/hooks/desk",
    body: fixture("desk-events.json"),
    auth: "query",
    fields: ["id", "ticketId", "direction", "modifiedBy", "author"],
  },
  {
    path: "/v1/hooks/flow/email-triage",
    body: fixture("flow-email-triage.json"),
    auth: "signature",
    fields: ["from", "subject", "body", "params", "messageId"],
  },
  {
    path: "/v1/hooks/flow/call-transcript",
    body: fixture("flow-call-transcript.json"),
    auth: "header",
    fields: ["module", "recordId", "transcript", "transcriptRef", "durationSeconds", "params"],
  },
  {
    path: "/v1/hooks/flow/document-extraction",
    body: fixture("flow-document-extraction.json"),
    auth: "signature",
    fields: ["module", "recordId", "text", "documentRef", "fileName", "params"],
  },
  {
    path: "/v1/hooks/flow/lead-enrichment",
    body: '{"module":"Leads","id":"5545974000001000044","params":{"source":"n8n"}}',
    auth: "header",
    fields: ["module", "id", "params"],
  },
];

const INHERITED = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "__defineGetter__",
];
const TRAVERSAL = [
  "../../settings/x",
  "..",
  "%2e%2e%2fsettings",
  "Leads/../../x",
  "..\\..\\x",
  "Leads?x=1",
  "Leads#x",
  "/crm/v8/settings",
  "https://evil.example/",
  "1/../2",
  "5545974000001000044/../1",
  " 1",
  "１２３",
];
const UNENCODABLE = [
  "\uFFFE",
  "\uFFFF",
  "\uD800",
  "\uDFFF",
  "\u0000",
  "\u0001",
  "\u001B",
  "\u000B",
  "\u007F",
];

// Markers that the serialiser turns into raw JSON text a JSON value cannot express.
const BIG = "\u2063BIG:";
const DEEP = "\u2063DEEP:";

/** A hostile value for one field. Strings starting with a marker become raw text when serialised. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...TRAVERSAL),
  fc.constantFrom(...INHERITED),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...UNENCODABLE), fc.string({ maxLength: 8 }))
    .map(([a, c, b]) => `${a}${c}${b}`),
  fc.bigInt({ min: 1n, max: 10n ** 25n }).map((n) => `${BIG}${n}`),
  fc.constantFrom("9223372036854775807", "5545974000001000044", "0", "12345678901234567890"),
  fc.integer({ min: 17, max: 12_000 }).map((n) => `${DEEP}${n}`),
  fc.constantFrom(1.5, -1, 5.5e18, Number.MAX_SAFE_INTEGER, 0, true, null),
  fc.dictionary(fc.constantFrom(...INHERITED, "a", "module", "id"), fc.jsonValue(), { maxKeys: 4 }),
  fc.array(
    fc.oneof(
      fc.constantFrom(...TRAVERSAL),
      fc.bigInt({ min: 0n, max: 10n ** 20n }).map((n) => `${BIG}${n}`),
    ),
  ),
  fc.jsonValue(),
);

/** JSON text with the markers turned into bare big integers and deep nesting. */
function serialise(value: unknown): string {
  return JSON.stringify(value).replace(/"\u2063(BIG|DEEP):(\d+)"/g, (_m, kind: string, n: string) =>
    kind === "BIG" ? n : `${"[".repeat(Number(n))}${"]".repeat(Number(n))}`,
  );
}

/** Form text: a marker is sent as its digits (forms have no types) or a long run of brackets. */
function serialiseForm(value: Record<string, unknown>): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) {
    const s = typeof v === "string" ? v : JSON.stringify(v);
    out.append(
      k,
      (s ?? "").replace(/\u2063(BIG|DEEP):(\d+)/g, (_m, kind: string, n: string) =>
        kind === "BIG" ? n : "[".repeat(Number(n)),
      ),
    );
  }
  return out.toString();
}

const mutation = (route: Route) =>
  fc.record({
    /** Field to overwrite (Desk: in an event's payload). */
    field: fc.constantFrom(...route.fields),
    value: hostile,
    /** Extra key added next to it. */
    extraKey: fc.option(fc.oneof(fc.constantFrom(...INHERITED), fc.string({ maxLength: 10 }))),
    extraValue: hostile,
    drop: fc.boolean(),
    /** Desk: which event to touch. */
    index: fc.nat(3),
    asForm: fc.boolean(),
  });

type Auth = "correct" | "none" | "wrong" | "query-token" | "old-signature" | "stale-signature";
const authArb = fc.constantFrom<Auth>(
  "correct",
  "correct",
  "correct",
  "none",
  "wrong",
  "query-token",
  "old-signature",
  "stale-signature",
);

type Mutation = ReturnType<typeof mutation> extends fc.Arbitrary<infer T> ? T : never;

function build(route: Route, m: Mutation) {
  const parsed = JSON.parse(route.body) as Record<string, unknown> | Record<string, unknown>[];
  let target: Record<string, unknown>;
  if (Array.isArray(parsed)) {
    const event = parsed[m.index % parsed.length] as Record<string, unknown>;
    target = event.payload as Record<string, unknown>;
  } else target = parsed;
  if (m.drop) delete target[m.field];
  else target[m.field] = m.value;
  if (m.extraKey !== null)
    Object.defineProperty(target, m.extraKey, {
      value: m.extraValue,
      enumerable: true,
      configurable: true,
      writable: true,
    });
  const form = route.form === true && m.asForm && !Array.isArray(parsed);
  return {
    body: form ? serialiseForm(parsed as Record<string, unknown>) : serialise(parsed),
    contentType: form ? "application/x-www-form-urlencoded" : "application/json",
  };
}

function authenticate(route: Route, auth: Auth, body: string, key: string | undefined) {
  const headers: Record<string, string> = {};
  const query: Record<string, string> = {};
  const now = Math.floor(Date.now() / 1000);
  if (auth === "correct") {
    if (route.auth === "header") headers["x-mediator-token"] = SECRETS.token;
    if (route.auth === "query") query.token = SECRETS.token;
    if (route.auth === "signature")
      Object.assign(
        headers,
        signed(body, now, undefined, { path: route.path, ...(key ? { idempotencyKey: key } : {}) }),
      );
  }
  if (auth === "wrong") headers["x-mediator-token"] = "x".repeat(24);
  if (auth === "query-token") query.token = SECRETS.token;
  if (auth === "old-signature") headers["x-mediator-signature"] = `t=${now},v1=${"a".repeat(64)}`;
  if (auth === "stale-signature")
    Object.assign(headers, signed(body, now - 301, undefined, { path: route.path }));
  if (key) headers["idempotency-key"] = key;
  return { headers, query };
}

/** The invariants every answer must hold. */
function check(res: { statusCode: number; json: unknown }, sent: unknown[]) {
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 300) {
    expect(sent).toHaveLength(0);
    return;
  }
  // Desk's URL check answers a plain "OK" and enqueues nothing.
  const accepted = typeof res.json === "object" ? (res.json as { accepted: number }).accepted : 0;
  expect(sent.length).toBe(accepted);
  for (const m of sent) {
    expect(WorkMessageSchema.safeParse(m).success).toBe(true);
    expect(uncarriableChar(JSON.stringify(m))).toBeUndefined();
  }
}

describe("ingest fuzzing (2,000 runs per route)", () => {
  for (const route of ROUTES) {
    it(`${route.path}: no 5xx, nothing enqueued when refused, only valid carriable messages`, async () => {
      await fc.assert(
        fc.asyncProperty(
          mutation(route),
          authArb,
          fc.option(fc.constantFrom("k-1", "msg.2026@x", "__proto__")),
          async (m, auth, key) => {
            const { call, queue } = ingestHarness();
            const { body, contentType } = build(route, m);
            const { headers, query } = authenticate(
              route,
              auth,
              body,
              route.auth === "signature" ? (key ?? undefined) : undefined,
            );
            const res = await call({ path: route.path, body, contentType, headers, query });

            check(res, queue.sent);
            if (
              auth !== "correct" &&
              route.auth !== "body" &&
              !(auth === "query-token" && route.auth === "query")
            )
              expect(res.statusCode).toBe(401);
            // A bare big integer in a top-level id field is either refused or kept as its exact digits.
            const bare = typeof m.value === "string" && m.value.startsWith(BIG) && !m.drop;
            if (
              bare &&
              res.statusCode < 300 &&
              (m.field === "id" || m.field === "recordId") &&
              route.auth !== "query"
            )
              for (const sent of queue.sent)
                expect(sent.input[m.field]).toBe((m.value as string).slice(BIG.length));
          },
        ),
        { numRuns: RUNS },
      );
    }, 120_000);
  }

  it("any path, method, content type and credential: no 5xx, nothing enqueued when refused", async () => {
    const segment = fc.oneof(
      fc.constantFrom(...INHERITED, ...TRAVERSAL, "lead-enrichment", "email-triage", "notifications", ""),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("crm", "flow", "desk", "x", "__proto__"),
        segment,
        fc.option(segment),
        fc.constantFrom("POST", "POST", "GET", "PUT", "DELETE"),
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 200 }),
        ),
        fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", ""),
        fc.option(
          fc.oneof(fc.constantFrom(...INHERITED, "default", "emea", "apac"), fc.string({ maxLength: 10 })),
        ),
        async (source, useCase, extra, method, body, contentType, connection) => {
          const { call, queue } = ingestHarness();
          const path = `/v1/hooks/${source}/${useCase}${extra === null ? "" : `/${extra}`}`;
          const res = await call({
            method,
            path,
            body,
            contentType,
            headers: { "x-mediator-token": SECRETS.token },
            query: connection === null ? {} : { connection },
          });
          check(res, queue.sent);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("accepts every valid fixture on its route when authenticated correctly", async () => {
    for (const route of ROUTES) {
      const { call } = ingestHarness();
      const body = route.body;
      const { headers, query } = authenticate(route, "correct", body, undefined);
      const res = await call({ path: route.path, body, headers, query });
      expect(res.statusCode, route.path).toBeLessThan(300);
    }
  });
});
