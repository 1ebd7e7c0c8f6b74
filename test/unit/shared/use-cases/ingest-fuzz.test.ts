/**
 * Property-based fuzzing of every ingest route: whatever arrives, the answer is never a 5xx, and a rejected
 * request enqueues nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fixture, ingestHarness, SECRETS, signed } from "../../../helpers/ingest.js";

const ROUTES = [
  "/v1/hooks/crm/lead-enrichment",
  "/v1/hooks/crm/notifications",
  "/v1/hooks/desk",
  "/v1/hooks/flow/email-triage",
  "/v1/hooks/flow/call-transcript",
  "/v1/hooks/flow/document-extraction",
  "/v1/hooks/flow/lead-enrichment",
];
const VALID_BODIES = [
  fixture("crm-lead-workflow.json"),
  fixture("crm-notification.json"),
  fixture("desk-events.json"),
  fixture("flow-email-triage.json"),
  fixture("flow-call-transcript.json"),
  fixture("flow-document-extraction.json"),
];

/** Mutates a valid JSON body: drops, retypes or corrupts values, including deep ones. */
const mutated = fc
  .tuple(
    fc.constantFrom(...VALID_BODIES),
    fc.jsonValue(),
    fc.nat(),
    fc.constantFrom("drop", "replace", "truncate", "wrap"),
  )
  .map(([body, value, n, how]) => {
    if (how === "truncate") return body.slice(0, n % body.length);
    const parsed = JSON.parse(body) as Record<string, unknown> | unknown[];
    const target = Array.isArray(parsed)
      ? ((parsed[n % parsed.length] as Record<string, unknown>) ?? {})
      : parsed;
    const keys = Object.keys(target);
    const key = keys[n % Math.max(1, keys.length)] ?? "x";
    if (how === "drop") delete target[key];
    else if (how === "replace") target[key] = value;
    else return JSON.stringify([parsed, value]);
    return JSON.stringify(parsed);
  });

const body = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  mutated,
  fc.constantFrom(...VALID_BODIES),
);
const contentType = fc.constantFrom(
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "application/json; charset=utf-8",
  "",
  "multipart/form-data; boundary=x",
);
const path = fc.oneof(
  fc.constantFrom(...ROUTES),
  fc.string({ maxLength: 60 }).map((s) => `/v1/hooks/${s}`),
  fc.constantFrom("/", "/v1/hooks/", "/v1/hooks/crm/", "/v1/hooks/desk/x"),
);
const auth = fc.constantFrom("token", "previous", "query", "none", "wrong", "signed", "bad-signature");
const method = fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE");

describe("ingest fuzzing", () => {
  it("never answers 5xx and never enqueues anything for a rejected request", async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        body,
        contentType,
        auth,
        fc.option(fc.string({ maxLength: 30 })),
        fc.boolean(),
        async (m, p, b, ct, a, connection, b64) => {
          const { call, queue } = ingestHarness();
          const headers: Record<string, string> = {};
          const query: Record<string, string> = {};
          if (a === "token") headers["x-mediator-token"] = SECRETS.token;
          if (a === "previous") headers["x-mediator-token"] = SECRETS.previousToken as string;
          if (a === "query") query.token = SECRETS.token;
          if (a === "wrong") headers["x-mediator-token"] = "x".repeat(24);
          if (a === "signed") Object.assign(headers, signed(b));
          if (a === "bad-signature") headers["x-mediator-signature"] = "t=1,v1=00";
          if (connection !== null) query.connection = connection;

          const res = await call({
            method: m,
            path: p,
            body: b,
            contentType: ct,
            headers,
            query,
            base64: b64,
          });

          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 300) expect(queue.sent).toHaveLength(0);
          else expect(queue.sent.length).toBe((res.json as { accepted: number }).accepted ?? 0);
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it("accepts every valid fixture on its route however it is authenticated correctly", async () => {
    const pairs: [string, string, Record<string, string>, Record<string, string>][] = [
      [ROUTES[0] as string, fixture("crm-lead-workflow.json"), { "x-mediator-token": SECRETS.token }, {}],
      [ROUTES[1] as string, fixture("crm-notification.json"), {}, {}],
      [ROUTES[2] as string, fixture("desk-events.json"), {}, { token: SECRETS.token }],
      [ROUTES[3] as string, fixture("flow-email-triage.json"), signed(fixture("flow-email-triage.json")), {}],
    ];
    for (const [p, b, headers, query] of pairs) {
      const { call } = ingestHarness();
      expect((await call({ path: p, body: b, headers, query })).statusCode).toBeLessThan(300);
    }
  });
});
