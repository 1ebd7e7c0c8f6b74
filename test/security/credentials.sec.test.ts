/**
 * Credentials on every ingest route, through the local API router and the real ingest handler: valid, missing,
 * forged, stale (rotated out; signatures outside the window), replayed (the same signature with a fresh
 * Idempotency-Key, on another use case, on another connection) and placed where the route must not read them (a
 * query token on CRM and flow routes, a bearer header, the body). Unauthenticated callers learn nothing: a known
 * and an unknown connection answer alike. Every refused request answers 4xx and enqueues nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  breached,
  type HttpCase,
  KEYS,
  recordCase,
  type SecurityStack,
  send,
  setWebhookSecret,
  signature,
  startSecurityStack,
} from "./helpers.js";

let stack: SecurityStack;
let token: string;
beforeAll(async () => {
  stack = await startSecurityStack({ ingestOnly: true });
  token = stack.webhookToken;
});
afterAll(() => stack.stop());

const LEAD = "5545974000001000044";
let seq = 0;
/** A distinct modified time per request, so no two requests are the same delivery. */
const fresh = () =>
  `2026-11-25T10:${String(Math.floor(seq / 60) % 60).padStart(2, "0")}:${String(seq++ % 60).padStart(2, "0")}+00:00`;

const FLOW_BODIES: Record<string, () => string> = {
  "email-triage": () =>
    JSON.stringify({ from: "buyer@example.com", subject: `Quote ${seq++}`, body: "Please send a quote." }),
  "call-transcript": () =>
    JSON.stringify({ module: "Leads", recordId: LEAD, transcript: `Call ${seq++}: wants a demo.` }),
  "document-extraction": () =>
    JSON.stringify({ module: "Leads", recordId: LEAD, text: `Contract ${seq++}: 40 seats.` }),
  "lead-enrichment": () => JSON.stringify({ module: "Leads", id: LEAD, params: { n: seq++ } }),
};
const deskBody = () =>
  JSON.stringify([
    {
      eventType: "Ticket_Add",
      orgId: "60001234",
      eventTime: String(1764000000000 + seq++),
      payload: { id: "5545974000001000086", subject: "Refund" },
    },
  ]);
const crmBody = () => JSON.stringify({ module: "Leads", id: LEAD, modified_time: fresh() });
const notificationBody = (channelToken: string | undefined) =>
  JSON.stringify({
    module: "Leads",
    ids: [LEAD],
    operation: "update",
    channel_id: "1000000068001",
    server_time: 1764000000000 + seq++,
    ...(channelToken !== undefined ? { token: channelToken } : {}),
  });

/** A token of the same length and alphabet with one character changed. */
const forge = (t: string) => `${t.slice(0, -1)}${t.endsWith("0") ? "1" : "0"}`;

type Make = () => HttpCase;
const cases = new Map<string, Make>();
const add = (name: string, make: Make) => cases.set(name, make);

// ----- CRM workflow webhook: header token only.
add("crm: valid header token", () => ({
  name: "",
  url: "/v1/hooks/crm/lead-enrichment",
  headers: { "x-mediator-token": token },
  body: crmBody(),
  expect: "accept",
}));
add("crm: missing token", () => ({
  name: "",
  url: "/v1/hooks/crm/lead-enrichment",
  body: crmBody(),
  expect: "refuse",
}));
add("crm: forged token", () => ({
  name: "",
  url: "/v1/hooks/crm/lead-enrichment",
  headers: { "x-mediator-token": forge(token) },
  body: crmBody(),
  expect: "refuse",
}));
add("crm: token in the query string (defect 7)", () => ({
  name: "",
  url: `/v1/hooks/crm/lead-enrichment?token=${token}`,
  body: crmBody(),
  expect: "refuse",
}));
add("crm: token as a bearer header", () => ({
  name: "",
  url: "/v1/hooks/crm/lead-enrichment",
  headers: { authorization: `Bearer ${token}` },
  body: crmBody(),
  expect: "refuse",
}));
add("crm: token in the body", () => ({
  name: "",
  url: "/v1/hooks/crm/lead-enrichment",
  body: JSON.stringify({ module: "Leads", id: LEAD, modified_time: fresh(), token }),
  expect: "refuse",
}));
add("crm: HMAC signature instead of the token", () => {
  const body = crmBody();
  return {
    name: "",
    url: "/v1/hooks/crm/lead-enrichment",
    headers: { "x-mediator-signature": signature({ path: "/v1/hooks/crm/lead-enrichment", body }) },
    body,
    expect: "refuse",
  };
});

// ----- CRM notifications: the channel token in the body only.
add("notifications: valid channel token", () => ({
  name: "",
  url: "/v1/hooks/crm/notifications",
  body: notificationBody(KEYS.notification),
  expect: "accept",
}));
add("notifications: missing channel token", () => ({
  name: "",
  url: "/v1/hooks/crm/notifications",
  body: notificationBody(undefined),
  expect: "refuse",
}));
add("notifications: forged channel token", () => ({
  name: "",
  url: "/v1/hooks/crm/notifications",
  body: notificationBody(forge(KEYS.notification)),
  expect: "refuse",
}));
add("notifications: the webhook token instead of a channel token", () => ({
  name: "",
  url: "/v1/hooks/crm/notifications",
  body: notificationBody(token),
  expect: "refuse",
}));
add("notifications: channel token in a header", () => ({
  name: "",
  url: "/v1/hooks/crm/notifications",
  headers: { "x-mediator-token": KEYS.notification },
  body: notificationBody(undefined),
  expect: "refuse",
}));
add("notifications: channel token in the query string", () => ({
  name: "",
  url: `/v1/hooks/crm/notifications?token=${KEYS.notification}`,
  body: notificationBody(undefined),
  expect: "refuse",
}));

// ----- Desk: the query token (Desk cannot set headers).
add("desk GET: valid query token", () => ({
  name: "",
  method: "GET",
  url: `/v1/hooks/desk?token=${token}`,
  expect: "accept",
}));
add("desk GET: missing token", () => ({ name: "", method: "GET", url: "/v1/hooks/desk", expect: "refuse" }));
add("desk GET: forged token", () => ({
  name: "",
  method: "GET",
  url: `/v1/hooks/desk?token=${forge(token)}`,
  expect: "refuse",
}));
add("desk POST: valid query token", () => ({
  name: "",
  url: `/v1/hooks/desk?token=${token}`,
  body: deskBody(),
  expect: "accept",
}));
add("desk POST: missing token", () => ({
  name: "",
  url: "/v1/hooks/desk",
  body: deskBody(),
  expect: "refuse",
}));
add("desk POST: forged token", () => ({
  name: "",
  url: `/v1/hooks/desk?token=${forge(token)}`,
  body: deskBody(),
  expect: "refuse",
}));
add("desk POST: token as a bearer header", () => ({
  name: "",
  url: "/v1/hooks/desk",
  headers: { authorization: `Bearer ${token}` },
  body: deskBody(),
  expect: "refuse",
}));

// ----- Flow: header token or HMAC signature, on every use case.
for (const useCase of Object.keys(FLOW_BODIES)) {
  const path = `/v1/hooks/flow/${useCase}`;
  const body = FLOW_BODIES[useCase] as () => string;
  add(`flow ${useCase}: valid header token`, () => ({
    name: "",
    url: path,
    headers: { "x-mediator-token": token },
    body: body(),
    expect: "accept",
  }));
  add(`flow ${useCase}: valid signature`, () => {
    const b = body();
    const key = `k-${seq++}`;
    return {
      name: "",
      url: path,
      headers: {
        "x-mediator-signature": signature({ path, body: b, idempotencyKey: key }),
        "idempotency-key": key,
      },
      body: b,
      expect: "accept",
    };
  });
  add(`flow ${useCase}: missing credentials`, () => ({
    name: "",
    url: path,
    body: body(),
    expect: "refuse",
  }));
  add(`flow ${useCase}: forged token`, () => ({
    name: "",
    url: path,
    headers: { "x-mediator-token": forge(token) },
    body: body(),
    expect: "refuse",
  }));
  add(`flow ${useCase}: token in the query string (defect 7)`, () => ({
    name: "",
    url: `${path}?token=${token}`,
    body: body(),
    expect: "refuse",
  }));
  add(`flow ${useCase}: signature with an unknown key`, () => {
    const b = body();
    return {
      name: "",
      url: path,
      headers: { "x-mediator-signature": signature({ path, body: b, key: KEYS.otherHmac }) },
      body: b,
      expect: "refuse",
    };
  });
  add(`flow ${useCase}: signature 6 minutes old`, () => {
    const b = body();
    return {
      name: "",
      url: path,
      headers: {
        "x-mediator-signature": signature({ path, body: b, t: Math.floor(Date.now() / 1000) - 360 }),
      },
      body: b,
      expect: "refuse",
    };
  });
  add(`flow ${useCase}: signature 6 minutes in the future`, () => {
    const b = body();
    return {
      name: "",
      url: path,
      headers: {
        "x-mediator-signature": signature({ path, body: b, t: Math.floor(Date.now() / 1000) + 360 }),
      },
      body: b,
      expect: "refuse",
    };
  });
  add(`flow ${useCase}: malformed signature header`, () => ({
    name: "",
    url: path,
    headers: { "x-mediator-signature": "t=abc,v1=../../etc/passwd" },
    body: body(),
    expect: "refuse",
  }));
  add(`flow ${useCase}: signature over another body`, () => {
    const b = body();
    return {
      name: "",
      url: path,
      headers: { "x-mediator-signature": signature({ path, body: body() }) },
      body: b,
      expect: "refuse",
    };
  });
}

const ORDER = [...cases.keys()];

describe("credentials on every route", () => {
  for (const name of ORDER) {
    it(name, async () => {
      const c = { ...(cases.get(name) as Make)(), name };
      const o = await send(stack, c);
      const bad = breached(c, o);
      recordCase(import.meta.filename, {
        name,
        expect: c.expect === "accept" ? "accept" : "refuse",
        status: o.status,
        enqueued: o.enqueued,
        breached: bad,
      });
      expect(o.status, o.body).toBeLessThan(500);
      if (c.expect === "accept") {
        expect(o.status, o.body).toBeGreaterThanOrEqual(200);
        expect(o.status, o.body).toBeLessThan(300);
        expect(o.enqueued).toBe(c.method === "GET" ? 0 : 1);
      } else {
        expect(o.status, o.body).toBeGreaterThanOrEqual(400);
        expect(o.enqueued, "a refused request enqueued work").toBe(0);
      }
    });
  }
});

describe("token rotation", () => {
  it("accepts the previous token while it is being rotated out, and refuses it once it is removed", async () => {
    const during: HttpCase = {
      name: "crm: previous token during rotation",
      url: "/v1/hooks/crm/lead-enrichment",
      headers: { "x-mediator-token": KEYS.stale },
      body: crmBody(),
      expect: "accept",
    };
    const a = await send(stack, during);
    recordCase(import.meta.filename, {
      name: during.name,
      expect: "accept",
      status: a.status,
      breached: false,
    });
    await setWebhookSecret(stack, { previousToken: null });
    const routes: HttpCase[] = [
      {
        name: "crm: stale token",
        url: "/v1/hooks/crm/lead-enrichment",
        headers: { "x-mediator-token": KEYS.stale },
        body: crmBody(),
        expect: "refuse",
      },
      {
        name: "desk POST: stale token",
        url: `/v1/hooks/desk?token=${KEYS.stale}`,
        body: deskBody(),
        expect: "refuse",
      },
      {
        name: "desk GET: stale token",
        method: "GET",
        url: `/v1/hooks/desk?token=${KEYS.stale}`,
        expect: "refuse",
      },
      ...Object.keys(FLOW_BODIES).map(
        (u): HttpCase => ({
          name: `flow ${u}: stale token`,
          url: `/v1/hooks/flow/${u}`,
          headers: { "x-mediator-token": KEYS.stale },
          body: (FLOW_BODIES[u] as () => string)(),
          expect: "refuse",
        }),
      ),
    ];
    const outcomes = [];
    for (const c of routes) {
      const o = await send(stack, c);
      recordCase(import.meta.filename, {
        name: c.name,
        expect: "refuse",
        status: o.status,
        enqueued: o.enqueued,
        breached: breached(c, o),
      });
      outcomes.push([c.name, o.status, o.enqueued]);
    }
    await setWebhookSecret(stack, { previousToken: KEYS.stale });

    expect(a.status).toBe(202);
    expect(outcomes).toEqual(routes.map((c) => [c.name, 401, 0]));
  });
});

describe("replayed signatures", () => {
  const path = "/v1/hooks/flow/call-transcript";
  /** Valid for both call-transcript and document-extraction: each keeps the field it reads. */
  /** A record of its own per case: the per-record ingest rate limit must not be what refuses a replay. */
  const body = () =>
    JSON.stringify({
      module: "Leads",
      recordId: String(5545974000002000000n + BigInt(seq)),
      transcript: `Replay ${seq}`,
      text: `Replay ${seq++}`,
    });

  const replays: [string, (sig: string, b: string) => HttpCase][] = [
    [
      "the same signature with a fresh Idempotency-Key (defect 1)",
      (sig, b) => ({
        name: "",
        url: path,
        headers: { "x-mediator-signature": sig, "idempotency-key": "fresh-key-2" },
        body: b,
        expect: "refuse",
      }),
    ],
    [
      "the same signature without the Idempotency-Key (defect 1)",
      (sig, b) => ({
        name: "",
        url: path,
        headers: { "x-mediator-signature": sig },
        body: b,
        expect: "refuse",
      }),
    ],
    [
      "the same signature on another use case (defect 1)",
      (sig, b) => ({
        name: "",
        url: "/v1/hooks/flow/document-extraction",
        headers: { "x-mediator-signature": sig, "idempotency-key": "orig-key-1" },
        body: b,
        expect: "refuse",
      }),
    ],
    [
      "the same signature on another connection",
      (sig, b) => ({
        name: "",
        url: `${path}?connection=emea`,
        headers: { "x-mediator-signature": sig, "idempotency-key": "orig-key-1" },
        body: b,
        expect: "refuse",
      }),
    ],
    [
      "the same signature on another connection by header",
      (sig, b) => ({
        name: "",
        url: path,
        headers: {
          "x-mediator-signature": sig,
          "idempotency-key": "orig-key-1",
          "x-mediator-connection": "emea",
        },
        body: b,
        expect: "refuse",
      }),
    ],
  ];
  for (const [name, make] of replays) {
    it(`refuses ${name}`, async () => {
      const b = body();
      const sig = signature({ path, body: b, idempotencyKey: "orig-key-1" });
      const original = await send(stack, {
        name: "original",
        url: path,
        headers: { "x-mediator-signature": sig, "idempotency-key": "orig-key-1" },
        body: b,
        expect: "accept",
      });
      const c = { ...make(sig, b), name: `replay: ${name}` };
      const o = await send(stack, c);
      recordCase(import.meta.filename, {
        name: c.name,
        expect: "refuse",
        status: o.status,
        enqueued: o.enqueued,
        breached: breached(c, o),
      });

      expect(original.status).toBe(202);
      expect(o.status, o.body).toBeGreaterThanOrEqual(400);
      expect(o.status, o.body).toBeLessThan(500);
      expect(o.enqueued, "a replay enqueued new work").toBe(0);
    });
  }

  it("an exact replay (same key) is the same job, not new work", async () => {
    const b = body();
    const sig = signature({ path, body: b, idempotencyKey: "exact-key" });
    const c: HttpCase = {
      name: "replay: exact",
      url: path,
      headers: { "x-mediator-signature": sig, "idempotency-key": "exact-key" },
      body: b,
      expect: "accept",
    };
    const first = await send(stack, c);
    const second = await send(stack, c);
    recordCase(import.meta.filename, {
      name: c.name,
      expect: "accept",
      status: second.status,
      breached: false,
    });
    const job = (o: typeof first) => (JSON.parse(o.body) as { jobIds?: string[] }).jobIds ?? [];

    expect(second.status).toBeLessThan(500);
    if (second.status < 300) expect(job(second)).toEqual(job(first));
    else expect(second.enqueued).toBe(0);
  });
});

describe("connections are not probed before authentication (defect 6)", () => {
  const routes: [string, string, () => string | undefined, string][] = [
    ["crm", "/v1/hooks/crm/lead-enrichment", crmBody, "POST"],
    ["notifications", "/v1/hooks/crm/notifications", () => notificationBody(undefined), "POST"],
    ["desk POST", "/v1/hooks/desk", deskBody, "POST"],
    ["desk GET", "/v1/hooks/desk", () => undefined, "GET"],
    ...Object.keys(FLOW_BODIES).map((u): [string, string, () => string | undefined, string] => [
      `flow ${u}`,
      `/v1/hooks/flow/${u}`,
      FLOW_BODIES[u] as () => string,
      "POST",
    ]),
  ];
  for (const [name, path, body, method] of routes) {
    for (const by of ["query", "header"] as const) {
      it(`${name}: an unknown and a known connection (by ${by}) answer alike without credentials`, async () => {
        const probe = async (connection: string) => {
          const b = body();
          const c: HttpCase = {
            name: `${name}: unauthenticated probe of connection "${connection}" by ${by}`,
            method,
            url: by === "query" ? `${path}?connection=${connection}` : path,
            headers: by === "header" ? { "x-mediator-connection": connection } : {},
            ...(b !== undefined ? { body: b } : {}),
            expect: "refuse",
          };
          const o = await send(stack, c);
          recordCase(import.meta.filename, {
            name: c.name,
            expect: "refuse",
            status: o.status,
            enqueued: o.enqueued,
            breached: breached(c, o),
          });
          return o;
        };
        const known = await probe("default");
        const unknown = await probe("acme-prod-eu");

        expect(known.status).toBeGreaterThanOrEqual(400);
        expect(known.status).toBeLessThan(500);
        expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
        expect(known.enqueued + unknown.enqueued).toBe(0);
      });
    }
  }
});

describe("a noisy record is rate-limited at ingest (defect 1)", () => {
  it("100 valid, distinct requests for one record in a burst: some answered 429, none enqueued when refused, none 5xx", async () => {
    const path = "/v1/hooks/flow/lead-enrichment";
    const outcomes: { status: number; enqueued: number }[] = [];
    for (let i = 0; i < 100; i++) {
      const b = JSON.stringify({ module: "Leads", id: LEAD });
      const key = `burst-${i}`;
      const o = await send(stack, {
        name: `burst ${i}`,
        url: path,
        headers: {
          "x-mediator-signature": signature({ path, body: b, idempotencyKey: key }),
          "idempotency-key": key,
        },
        body: b,
        expect: "accept",
      });
      outcomes.push({ status: o.status, enqueued: o.enqueued });
    }
    const limited = outcomes.filter((o) => o.status === 429);
    recordCase(import.meta.filename, {
      name: "rate limit: 100 requests for one record",
      expect: "refuse",
      status: Math.max(...outcomes.map((o) => o.status)),
      breached: limited.length === 0 || limited.some((o) => o.enqueued > 0),
    });

    expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
    expect(limited.length, "no request of the burst was rate-limited").toBeGreaterThan(0);
    expect(limited.filter((o) => o.enqueued > 0)).toEqual([]);
  });
});
