/**
 * Regression tests for the ingest side of issue 9 (hostile-client review): each block names its defect and fails
 * on the code before the fix.
 */
import { describe, expect, it } from "vitest";
import { UpstreamRejectedError } from "../../../../shared/errors.js";
import type { SharedCounter } from "../../../../shared/ingest/rate-limit.js";
import { WorkMessageSchema } from "../../../../shared/schemas/work-message.js";
import { ingestHarness, SECRETS, signed } from "../../../helpers/ingest.js";

/** A shared counter in memory, as the DynamoDB one behaves: a count per key and window, refused at the limit. */
class MemoryCounter implements SharedCounter {
  readonly counts = new Map<string, number>();
  calls = 0;
  async increment(key: string, windowStart: number, _windowSeconds: number, limit: number) {
    this.calls += 1;
    const id = `${key}#${windowStart}`;
    const n = this.counts.get(id) ?? 0;
    if (n >= limit) return false;
    this.counts.set(id, n + 1);
    return true;
  }
}

const TOKEN = { "x-mediator-token": SECRETS.token };
const BIG_ID = "5545974000001000044";
const NOW = Math.floor(Date.now() / 1000);

describe("defect 1: the flow signature covers key, connection, path and body; rate limits at ingest", () => {
  const body = JSON.stringify({ module: "Leads", id: BIG_ID });
  const path = "/v1/hooks/flow/lead-enrichment";

  it("refuses a captured request replayed with a fresh Idempotency-Key, and enqueues it once", async () => {
    const { call, queue } = ingestHarness();
    const headers = {
      ...signed(body, NOW, undefined, { path, idempotencyKey: "k-1" }),
      "idempotency-key": "k-1",
    };

    const first = await call({ path, body, headers });
    const replay = await call({ path, body, headers: { ...headers, "idempotency-key": "k-2" } });
    const dropped = await call({
      path,
      body,
      headers: { "x-mediator-signature": headers["x-mediator-signature"] },
    });

    expect([first.statusCode, replay.statusCode, dropped.statusCode]).toEqual([202, 401, 401]);
    expect(queue.sent).toHaveLength(1);
  });

  it("refuses a signature replayed on another use case or another connection", async () => {
    const { call, queue } = ingestHarness();
    const headers = signed(body, NOW, undefined, { path });

    const otherUseCase = await call({ path: "/v1/hooks/flow/call-transcript", body, headers });
    const otherConnection = await call({ path, body, headers, query: { connection: "emea" } });
    const ok = await call({ path, body, headers });

    expect([otherUseCase.statusCode, otherConnection.statusCode, ok.statusCode]).toEqual([401, 401, 202]);
    expect(queue.sent).toHaveLength(1);
  });

  it("accepts a signature over a named connection on that connection", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path,
      body,
      headers: {
        ...signed(body, NOW, undefined, { path, connection: "emea" }),
        "x-mediator-connection": "emea",
      },
    });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]?.connection).toBe("emea");
  });

  it("tells a caller still sending the body-only v1 signature to move to v2", async () => {
    const { call } = ingestHarness();

    const res = await call({
      path,
      body,
      headers: { "x-mediator-signature": `t=${NOW},v1=${"0".repeat(64)}` },
    });

    expect(res.statusCode).toBe(401);
    expect(res.json.message).toMatch(/v2/);
  });

  it("answers a noisy record 429 with Retry-After and enqueues nothing for it", async () => {
    let now = Date.now();
    const { call, queue } = ingestHarness({
      now: () => now,
      limits: {
        caller: { capacity: 1_000, refillPerSecond: 100 },
        record: { capacity: 3, refillPerSecond: 0.1 },
      },
    });
    const crm = (modified: number) =>
      call({
        path: "/v1/hooks/crm/lead-enrichment",
        body: JSON.stringify({ id: BIG_ID, modified_time: `t${modified}` }),
        headers: TOKEN,
      });

    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await crm(i)).statusCode);
    const limited = await crm(99);
    const other = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id: "5545974000001000045" }),
      headers: TOKEN,
    });
    now += 10_000;
    const later = await crm(100);

    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(limited.headers["retry-after"]).toBe("10");
    expect(limited.json).toMatchObject({ error: "rate_limited", message: expect.stringMatching(/record/) });
    expect(other.statusCode).toBe(202);
    expect(later.statusCode).toBe(202);
    expect(queue.sent).toHaveLength(5);
  });

  it("bounds a record flooded through several containers with the shared counter, asking it only on repeats", async () => {
    const counter = new MemoryCounter();
    const limits = {
      caller: { capacity: 1_000, refillPerSecond: 100 },
      record: { capacity: 5, refillPerSecond: 5 / 60 },
    };
    const now = () => 1_764_064_500_000;
    const containers = [1, 2, 3].map(() => ingestHarness({ limits, now, sharedCounter: counter }));
    const statuses: number[] = [];

    for (let i = 0; i < 12; i++) {
      const c = containers[i % 3] as (typeof containers)[number];
      const res = await c.call({
        path: "/v1/hooks/crm/lead-enrichment",
        body: JSON.stringify({ id: BIG_ID, modified_time: `t${i}` }),
        headers: TOKEN,
      });
      statuses.push(res.statusCode);
    }
    const other = await containers[0]?.call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id: "5545974000001000045" }),
      headers: TOKEN,
    });

    // Each container's first sighting is free (3), then 5 counted repeats pass; without the counter all 12 would.
    expect(statuses.filter((s) => s === 202)).toHaveLength(8);
    expect(statuses.slice(8)).toEqual([429, 429, 429, 429]);
    expect(containers.reduce((n, c) => n + c.queue.sent.length, 0)).toBe(9);
    expect(other?.statusCode).toBe(202);
    // A record's first trigger in a container never touches the shared store.
    expect(counter.calls).toBe(9);
  });

  it("fails open when the shared counter is unavailable (the per-container buckets still apply)", async () => {
    const broken: SharedCounter = {
      increment: async () => {
        throw new Error("DynamoDB down");
      },
    };
    const { call, queue } = ingestHarness({ sharedCounter: broken });

    for (let i = 0; i < 3; i++)
      await call({
        path: "/v1/hooks/crm/lead-enrichment",
        body: JSON.stringify({ id: BIG_ID, modified_time: `t${i}` }),
        headers: TOKEN,
      });

    expect(queue.sent).toHaveLength(3);
  });

  it("answers a noisy caller 429 across records, per credential", async () => {
    const { call, queue } = ingestHarness({
      limits: {
        caller: { capacity: 2, refillPerSecond: 0.01 },
        record: { capacity: 10, refillPerSecond: 1 },
      },
    });
    const send = (i: number, token: string) =>
      call({
        path: "/v1/hooks/crm/lead-enrichment",
        body: JSON.stringify({ id: String(1000 + i) }),
        headers: { "x-mediator-token": token },
      });

    const statuses = [
      (await send(1, SECRETS.token)).statusCode,
      (await send(2, SECRETS.token)).statusCode,
      (await send(3, SECRETS.token)).statusCode,
      (await send(4, SECRETS.previousToken as string)).statusCode,
    ];

    expect(statuses).toEqual([202, 202, 429, 202]);
    expect(queue.sent).toHaveLength(3);
  });
});

describe("defect 2: module names and Zoho ids are validated where they enter", () => {
  it.each([
    [
      "notification module",
      "/v1/hooks/crm/notifications",
      {
        module: "../../settings/x",
        ids: [BIG_ID],
        operation: "update",
        channel_id: "1",
        token: "notify-channel-token-1",
      },
    ],
    ["CRM webhook module", "/v1/hooks/crm/lead-enrichment", { module: "Leads/../../settings", id: BIG_ID }],
    ["flow module", "/v1/hooks/flow/lead-enrichment", { module: "Leads%2F..", id: BIG_ID }],
    [
      "flow record id",
      "/v1/hooks/flow/call-transcript",
      { module: "Leads", recordId: "1/../2", transcript: "x" },
    ],
    [
      "attachment id",
      "/v1/hooks/flow/document-extraction",
      {
        module: "Deals",
        recordId: "1",
        documentRef: { module: "Deals", recordId: "1", attachmentId: "../x" },
      },
    ],
    [
      "attachment module",
      "/v1/hooks/flow/call-transcript",
      { module: "Leads", recordId: "1", transcriptRef: { module: "x y", recordId: "1", attachmentId: "2" } },
    ],
    ["twenty-digit id", "/v1/hooks/crm/lead-enrichment", { id: "12345678901234567890" }],
  ])("refuses a traversal or malformed value in the %s with 422", async (_what, path, body) => {
    const { call, queue } = ingestHarness();

    const res = await call({ path, body: JSON.stringify(body), headers: TOKEN });

    expect(res.statusCode).toBe(422);
    expect(queue.sent).toHaveLength(0);
  });

  it("the work-message schema (what the worker parses) refuses a path field that is not a module or id", () => {
    const message = {
      v: 1,
      jobId: "00000000-0000-8000-8000-000000000000",
      useCase: "lead-enrichment",
      connection: "default",
      source: "crm-notification",
      dedupKey: "k",
      receivedAt: "2026-11-30T00:00:00.000Z",
      subject: { service: "crm", module: "Leads", id: "1" },
      input: { module: "Leads", id: "1" },
    };
    const bad = [
      { ...message, subject: { service: "crm", module: "../../settings/x", id: "1" } },
      { ...message, input: { module: "../../settings/x", id: "1" } },
      { ...message, input: { module: "Leads", id: "1/../2" } },
      { ...message, input: { ticketId: "1?x" } },
      { ...message, input: { transcriptRef: { module: "Leads", recordId: "1", attachmentId: "../2" } } },
    ];

    expect(WorkMessageSchema.safeParse(message).success).toBe(true);
    for (const m of bad) expect(WorkMessageSchema.safeParse(m).success).toBe(false);
  });

  it("refuses a Desk thread event whose ticketId is not a Zoho id", async () => {
    const { call, queue } = ingestHarness();
    const events = [
      {
        eventType: "Ticket_Thread_Add",
        orgId: "1",
        eventTime: "1",
        payload: { id: "2", ticketId: "../../x" },
      },
    ];

    const res = await call({ path: "/v1/hooks/desk", body: JSON.stringify(events), headers: TOKEN });

    expect(res.statusCode).toBe(422);
    expect(res.json.issues[0].path).toBe("0.payload.ticketId");
    expect(queue.sent).toHaveLength(0);
  });
});

describe("defect 3: bad input is a 4xx naming the problem, never a 503", () => {
  const path = "/v1/hooks/flow/email-triage";
  const mail = (extra: Record<string, unknown>) => JSON.stringify({ from: "a@b.co", body: "hi", ...extra });

  it("answers 422 for depth-10,000 JSON in custom parameters", async () => {
    const { call, queue } = ingestHarness();
    const deep = `{"from":"a@b.co","body":"hi","params":{"x":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`;

    const res = await call({ path, body: deep, headers: TOKEN });

    expect(res.statusCode).toBe(422);
    expect(res.json.message).toMatch(/nested deeper/);
    expect(queue.sent).toHaveLength(0);
  });

  it.each([
    ["U+FFFE", "\uFFFE"],
    ["U+FFFF", "\uFFFF"],
    ["U+D800", "\uD800"],
    ["U+DC00", "\uDC00"],
    ["U+0000", "\u0000"],
    ["U+001B", "\u001B"],
  ])("answers 422 naming %s, a character SQS cannot carry", async (name, ch) => {
    const { call, queue } = ingestHarness();

    const json = await call({ path, body: mail({ subject: `a${ch}b` }), headers: TOKEN });
    const form = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: `id=1&note=${encodeURIComponent("x")}${ch === "\uD800" || ch === "\uDC00" ? "%ED%A0%80" : encodeURIComponent(ch)}`,
      contentType: "application/x-www-form-urlencoded",
      headers: TOKEN,
    });

    expect(json.statusCode).toBe(422);
    expect(json.json.message).toContain(name);
    expect(json.json.issues[0].path).toBe("subject");
    // A malformed UTF-8 sequence in a form decodes to U+FFFD, which SQS carries: accepted as text.
    expect(form.statusCode).toBe(ch === "\uD800" || ch === "\uDC00" ? 202 : 422);
    expect(queue.sent.every((m) => !JSON.stringify(m).includes(ch))).toBe(true);
  });

  it("keeps tab, LF and CR, which SQS carries", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({ path, body: mail({ body: "line1\r\n\tline2" }), headers: TOKEN });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]?.input.body).toBe("line1\r\n\tline2");
  });

  it("answers 413 for a form body that grows past the queue's limit once serialised", async () => {
    const { call, queue } = ingestHarness();
    // 190 KB of quotes: each becomes \" in the JSON message, so the message would be about 380 KB.
    const body = `id=1&note=${'"'.repeat(190 * 1024)}`;

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body,
      contentType: "application/x-www-form-urlencoded",
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(413);
    expect(res.json.message).toMatch(/once serialised/);
    expect(queue.sent).toHaveLength(0);
  });

  it("answers 422 for more custom parameters than allowed", async () => {
    const { call, queue } = ingestHarness();
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, "v"]));

    const flow = await call({ path, body: mail({ params: many }), headers: TOKEN });
    const crm = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id: "1", ...many }),
      headers: TOKEN,
    });

    expect([flow.statusCode, crm.statusCode]).toEqual([422, 422]);
    expect(queue.sent).toHaveLength(0);
  });

  it("answers 413 for a body with too many values", async () => {
    const { call } = ingestHarness();

    const res = await call({ path, body: mail({ params: { x: Array(6_000).fill(0) } }), headers: TOKEN });

    expect(res.statusCode).toBe(413);
  });

  it("maps an SQS refusal of the content to 4xx; only an unavailable queue is 503", async () => {
    const { call, queue } = ingestHarness();
    const refuse = (code: string) => {
      queue.send = async () => {
        throw new UpstreamRejectedError(
          "aws",
          `SQS refused the message's content (${code})`,
          code,
          undefined,
        );
      };
    };
    const send = () => call({ path, body: mail({}), headers: TOKEN });

    refuse("InvalidMessageContents");
    const invalid = await send();
    refuse("MessageTooLong");
    const tooLong = await send();

    expect([invalid.statusCode, tooLong.statusCode]).toEqual([422, 413]);
    expect(invalid.headers["retry-after"]).toBeUndefined();
  });
});

describe("defect 4: inherited names are not use cases", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])(
    "answers 404 for %s as a flow or CRM use case with a valid token",
    async (name) => {
      const { call, queue } = ingestHarness();

      const flow = await call({ path: `/v1/hooks/flow/${name}`, body: "{}", headers: TOKEN });
      const crm = await call({ path: `/v1/hooks/crm/${name}`, body: '{"id":"1"}', headers: TOKEN });

      expect([flow.statusCode, crm.statusCode]).toEqual([404, 404]);
      expect(queue.sent).toHaveLength(0);
    },
  );

  it("refuses a __proto__ key instead of letting it reach a prototype (loop guard spoof)", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"id":"1","__proto__":{"modified_by":"Mediator Integration"}}',
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(422);
    expect(queue.sent).toHaveLength(0);
  });

  it("keeps headers and query parameters named __proto__ or constructor as plain own values", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id: "1" }),
      headers: Object.fromEntries([...Object.entries(TOKEN), ["__proto__", "x"], ["constructor", "y"]]),
      query: Object.fromEntries([
        ["constructor", "z"],
        ["__proto__", "w"],
      ]),
    });

    expect(res.statusCode).toBe(202);
    expect(queue.sent).toHaveLength(1);
  });

  it("keeps form fields named after Object.prototype members as plain parameters", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: "id=1&constructor=x&toString=y",
      contentType: "application/x-www-form-urlencoded",
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]?.input.params).toEqual({ constructor: "x", toString: "y" });
  });
});

describe("defect 5: a bare 19-digit JSON number id is its exact digit string on every route", () => {
  it("CRM workflow webhook", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: `{"id": ${BIG_ID}}`,
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]?.subject?.id).toBe(BIG_ID);
    expect(queue.sent[0]?.input.id).toBe(BIG_ID);
  });

  it("flow: id, recordId and attachment reference ids", async () => {
    const { call, queue } = ingestHarness();

    await call({ path: "/v1/hooks/flow/lead-enrichment", body: `{"id":${BIG_ID}}`, headers: TOKEN });
    await call({
      path: "/v1/hooks/flow/call-transcript",
      body: `{"module":"Leads","recordId":${BIG_ID},"transcriptRef":{"module":"Leads","recordId":${BIG_ID},"attachmentId":9223372036854775807}}`,
      headers: TOKEN,
    });

    expect(queue.sent.map((m) => m.subject?.id)).toEqual([BIG_ID, BIG_ID]);
    expect(queue.sent[1]?.input.transcriptRef).toEqual({
      module: "Leads",
      recordId: BIG_ID,
      attachmentId: "9223372036854775807",
    });
  });

  it("notifications and Desk", async () => {
    const { call, queue } = ingestHarness();

    await call({
      path: "/v1/hooks/crm/notifications",
      body: `{"module":"Leads","ids":[${BIG_ID}],"operation":"update","channel_id":1000000068001,"token":"notify-channel-token-1"}`,
    });
    await call({
      path: "/v1/hooks/desk",
      body: `[{"eventType":"Ticket_Thread_Add","orgId":700000123,"eventTime":1764064502000,"payload":{"id":5545974000001000087,"ticketId":5545974000001000086}}]`,
      headers: TOKEN,
    });

    expect(queue.sent.map((m) => m.subject?.id)).toEqual([BIG_ID, "5545974000001000086"]);
    expect(queue.sent[1]?.input).toMatchObject({ threadId: "5545974000001000087", orgId: "700000123" });
  });

  it("never rounds: a fractional or exponent id that a double would round is refused", async () => {
    const { call, queue } = ingestHarness();

    const fraction = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: `{"id":${BIG_ID}.0}`,
      headers: TOKEN,
    });
    const exponent = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"id":5.5e18}',
      headers: TOKEN,
    });

    expect([fraction.statusCode, exponent.statusCode]).toEqual([422, 422]);
    expect(queue.sent).toHaveLength(0);
  });
});

describe("defect 6: authentication comes before the connection lookup", () => {
  it("answers an unauthenticated caller the same for a known and an unknown connection", async () => {
    const { call } = ingestHarness();
    const body = JSON.stringify({ id: "1" });

    const known = await call({ path: "/v1/hooks/crm/lead-enrichment", body, query: { connection: "emea" } });
    const unknown = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body,
      query: { connection: "apac" },
    });
    const desk = await call({
      path: "/v1/hooks/desk",
      body: "[]",
      query: { connection: "apac", token: "wrong-token-0123456789" },
    });

    expect([known.statusCode, unknown.statusCode, desk.statusCode]).toEqual([401, 401, 401]);
    expect(unknown.body).toBe(known.body);
  });

  it("still answers an authenticated caller 404 for an unknown connection", async () => {
    const { call } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id: "1" }),
      headers: TOKEN,
      query: { connection: "apac" },
    });

    expect(res.statusCode).toBe(404);
  });
});

describe("defect 7: the query token only on the Desk route, query strings never logged", () => {
  it("refuses ?token= on CRM and flow routes with a message saying to use the header, even beside a valid header", async () => {
    const { call, queue } = ingestHarness();

    const crm = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: JSON.stringify({ id: "1" }),
      query: { token: SECRETS.token },
    });
    const flow = await call({
      path: "/v1/hooks/flow/lead-enrichment",
      body: JSON.stringify({ id: "1" }),
      headers: TOKEN,
      query: { token: SECRETS.token },
    });
    const desk = await call({ path: "/v1/hooks/desk", body: "[]", query: { token: SECRETS.token } });

    expect([crm.statusCode, flow.statusCode]).toEqual([401, 401]);
    expect(crm.json.message).toMatch(/X-Mediator-Token header/);
    expect(desk.statusCode).not.toBe(401);
    expect(queue.sent).toHaveLength(0);
  });

  it("logs no query string, token or connection probe value on any outcome", async () => {
    const lines: string[] = [];
    const { FakeQueue } = await import("../../../helpers/ingest.js");
    const { buildHandler } = await import("../../../../functions/ingest/handler.js");
    const { apiEvent } = await import("../../../helpers/ingest.js");
    const queue = new FakeQueue();
    const log = (message: string, attributes?: Record<string, unknown>) =>
      lines.push(
        JSON.stringify({ message, attributes }, (_k, v) =>
          v instanceof Error ? `${v.name}:${v.message}` : v,
        ),
      );
    const handler = buildHandler({
      queue,
      webhookSecrets: async () => SECRETS,
      connections: ["default"],
      loopGuard: { crmIntegrationUsers: [], crmMediatorFields: [], deskIntegrationActors: [] },
      clock: { now: () => Date.now() },
      logger: { debug: log, info: log, warn: log, error: log } as never,
    });
    const desk = JSON.stringify([
      { eventType: "Ticket_Add", orgId: "1", eventTime: "1", payload: { id: "7" } },
    ]);

    await handler(apiEvent({ path: "/v1/hooks/desk", body: desk, query: { token: SECRETS.token } }));
    queue.failNext = true;
    await handler(apiEvent({ path: "/v1/hooks/desk", body: desk, query: { token: SECRETS.token } }));
    await handler(
      apiEvent({
        path: "/v1/hooks/crm/x",
        body: "{}",
        query: { token: SECRETS.token, connection: "probe-x" },
      }),
    );

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain(SECRETS.token);
      expect(line).not.toContain("probe-x");
      expect(line).not.toContain("token=");
    }
  });
});

describe("defect 12: duplicate ids in one notification are merged", () => {
  it("sends one message per distinct id, in order", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/notifications",
      body: `{"module":"Leads","ids":["11","12","11",11,${BIG_ID},"${BIG_ID}"],"operation":"update","channel_id":"1","token":"notify-channel-token-1","server_time":1}`,
    });

    expect(res.statusCode).toBe(200);
    expect(queue.sent.map((m) => m.subject?.id)).toEqual(["11", "12", BIG_ID]);
    expect(new Set(queue.sent.map((m) => m.jobId)).size).toBe(3);
    expect(res.json).toMatchObject({ accepted: 3, ignored: 3 });
  });
});
