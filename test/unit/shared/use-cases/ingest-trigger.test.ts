/** Trigger ingestion, route by route, with real-shaped Zoho payloads (test/fixtures/zoho). */
import { describe, expect, it } from "vitest";
import { WorkMessageSchema } from "../../../../shared/schemas/work-message.js";
import { fixture, ingestHarness, SECRETS, signed } from "../../../helpers/ingest.js";

const TOKEN = { "x-mediator-token": SECRETS.token };

describe("POST /v1/hooks/crm/{useCase} (CRM workflow webhooks)", () => {
  it("accepts Zoho's raw JSON body, enqueues one versioned message and answers 202 with the job id", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: fixture("crm-lead-workflow.json"),
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(202);
    // Issue 13: the 202 names the request's correlation id too, the one its header and the message carry.
    expect(res.json).toEqual({
      accepted: 1,
      ignored: 0,
      jobIds: [queue.sent[0]?.jobId],
      correlationId: res.headers["x-correlation-id"],
    });
    expect(queue.sent[0]?.correlationId).toBe(res.headers["x-correlation-id"]);
    expect(WorkMessageSchema.parse(queue.sent[0])).toMatchObject({
      v: 1,
      useCase: "lead-enrichment",
      connection: "default",
      source: "crm-workflow",
      dedupKey: "crm:Leads:5545974000001000044:2026-11-25T10:15:02+05:30",
      subject: { service: "crm", module: "Leads", id: "5545974000001000044" },
      input: {
        module: "Leads",
        id: "5545974000001000044",
        // The merge fields lead enrichment declares (issue 14) travel as its trigger fields; the rest stay params.
        fields: { Company: "Cedar Logistics — Beirut", Lead_Source: "Web Download" },
        params: { email: "nora.haddad@cedarlogistics.example" },
      },
    });
  });

  it("accepts Zoho's form-data mode with unicode values", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: fixture("crm-lead-workflow.form.txt"),
      contentType: "application/x-www-form-urlencoded",
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]?.input).toMatchObject({
      id: "5545974000001000044",
      modifiedTime: "2026-11-25T10:15:02+05:30",
      fields: { Company: "Société Générale" },
      params: {},
    });
  });

  it("keeps a 19-digit id exact even when the caller sent it as digits in a form", async () => {
    const { call, queue } = ingestHarness();

    await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: "id=9223372036854775807",
      contentType: "application/x-www-form-urlencoded",
      headers: TOKEN,
    });

    expect(queue.sent[0]?.subject?.id).toBe("9223372036854775807");
  });

  it("gives a duplicate delivery the same dedup key and job id", async () => {
    const { call, queue } = ingestHarness();
    const body = fixture("crm-lead-workflow.json");

    const a = await call({ path: "/v1/hooks/crm/lead-enrichment", body, headers: TOKEN });
    const b = await call({ path: "/v1/hooks/crm/lead-enrichment", body, headers: TOKEN });

    expect(a.json.jobIds).toEqual(b.json.jobIds);
    expect(queue.sent[0]?.dedupKey).toBe(queue.sent[1]?.dedupKey);
  });

  it("derives the dedup key from the body when there is no modified time, so different edits are different work", async () => {
    const { call, queue } = ingestHarness();

    await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"id":"5545974000001000044","note":"a"}',
      headers: TOKEN,
    });
    await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"id":"5545974000001000044","note":"b"}',
      headers: TOKEN,
    });

    expect(queue.sent[0]?.dedupKey).not.toBe(queue.sent[1]?.dedupKey);
  });

  it("answers 422 naming the field when the id is missing or not a Zoho id, and enqueues nothing", async () => {
    const { call, queue } = ingestHarness();

    const missing = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"module":"Leads","email":""}',
      headers: TOKEN,
    });
    const bad = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"id":"${Leads.Lead Id}"}',
      headers: TOKEN,
    });

    expect(missing.statusCode).toBe(422);
    expect(missing.json.issues).toEqual([{ path: "id", message: expect.any(String) }]);
    expect(bad.json.issues[0].path).toBe("id");
    expect(queue.sent).toHaveLength(0);
  });

  it("answers 404 for an unknown use case or connection", async () => {
    const { call } = ingestHarness();

    expect(
      (await call({ path: "/v1/hooks/crm/world-domination", body: "{}", headers: TOKEN })).statusCode,
    ).toBe(404);
    expect(
      (
        await call({
          path: "/v1/hooks/crm/lead-enrichment",
          body: fixture("crm-lead-workflow.json"),
          headers: TOKEN,
          query: { connection: "apac" },
        })
      ).statusCode,
    ).toBe(404);
  });

  it("routes to a named connection", async () => {
    const { call, queue } = ingestHarness();

    await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: fixture("crm-lead-workflow.json"),
      headers: { ...TOKEN, "x-mediator-connection": "emea" },
    });

    expect(queue.sent[0]?.connection).toBe("emea");
  });

  it("drops a trigger caused by the mediator's own write (loop guard) with 202 and nothing enqueued", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: '{"id":"5545974000001000044","modified_by":"Mediator Integration"}',
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(202);
    expect(res.json).toMatchObject({ accepted: 0, ignored: 1 });
    expect(queue.sent).toHaveLength(0);
  });
});

describe("authentication", () => {
  it("answers 401 with no token, a wrong token or a token in the wrong place, and enqueues nothing", async () => {
    const { call, queue } = ingestHarness();
    const body = fixture("crm-lead-workflow.json");

    const statuses = [
      await call({ path: "/v1/hooks/crm/lead-enrichment", body }),
      await call({
        path: "/v1/hooks/crm/lead-enrichment",
        body,
        headers: { "x-mediator-token": "wrong-token-0123456789" },
      }),
      await call({ path: "/v1/hooks/crm/lead-enrichment", body, headers: { authorization: SECRETS.token } }),
    ].map((r) => r.statusCode);

    expect(statuses).toEqual([401, 401, 401]);
    expect(queue.sent).toHaveLength(0);
  });

  it("accepts the previous token during a rotation", async () => {
    const { call } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: fixture("crm-lead-workflow.json"),
      headers: { "x-mediator-token": SECRETS.previousToken as string },
    });

    expect(res.statusCode).toBe(202);
  });

  it("accepts a valid HMAC signature instead of a token on flow routes, and refuses a bad or stale one", async () => {
    const now = Math.floor(Date.now() / 1000);
    const { call, queue } = ingestHarness();
    const body = fixture("flow-email-triage.json");

    const ok = await call({ path: "/v1/hooks/flow/email-triage", body, headers: signed(body, now) });
    const tampered = await call({
      path: "/v1/hooks/flow/email-triage",
      body: body.replace("250", "999"),
      headers: signed(body, now),
    });
    const stale = await call({ path: "/v1/hooks/flow/email-triage", body, headers: signed(body, now - 301) });
    const garbage = await call({
      path: "/v1/hooks/flow/email-triage",
      body,
      headers: { "x-mediator-signature": "nope" },
    });

    expect([ok.statusCode, tampered.statusCode, stale.statusCode, garbage.statusCode]).toEqual([
      202, 401, 401, 401,
    ]);
    expect(queue.sent).toHaveLength(1);
  });
});

describe("request hygiene", () => {
  it("answers 413 for an oversized body, 415 for an unsupported content type, 400 for malformed JSON or empty bodies", async () => {
    const { call, queue } = ingestHarness();
    const path = "/v1/hooks/flow/email-triage";

    const big = await call({
      path,
      body: JSON.stringify({ from: "a@b.co", body: "x".repeat(210 * 1024) }),
      headers: TOKEN,
    });
    const xml = await call({ path, body: "<mail/>", contentType: "application/xml", headers: TOKEN });
    const formOnFlow = await call({
      path,
      body: "from=a%40b.co",
      contentType: "application/x-www-form-urlencoded",
      headers: TOKEN,
    });
    const none = await call({ path, body: "{}", contentType: null, headers: TOKEN });
    const broken = await call({ path, body: '{"from":', headers: TOKEN });
    const empty = await call({ path, body: "", headers: TOKEN });

    expect([
      big.statusCode,
      xml.statusCode,
      formOnFlow.statusCode,
      none.statusCode,
      broken.statusCode,
      empty.statusCode,
    ]).toEqual([413, 415, 415, 415, 400, 400]);
    expect(queue.sent).toHaveLength(0);
  });

  it("answers 404 for unknown paths and 405 for wrong methods", async () => {
    const { call } = ingestHarness();

    expect((await call({ path: "/v1/hooks/sms", headers: TOKEN })).statusCode).toBe(404);
    expect((await call({ path: "/admin", headers: TOKEN })).statusCode).toBe(404);
    expect((await call({ path: "/v1/hooks/crm/lead-enrichment/extra", headers: TOKEN })).statusCode).toBe(
      404,
    );
    expect(
      (await call({ method: "GET", path: "/v1/hooks/crm/lead-enrichment", headers: TOKEN })).statusCode,
    ).toBe(405);
  });

  it("decodes base64 bodies from API Gateway", async () => {
    const { call } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: fixture("crm-lead-workflow.json"),
      headers: TOKEN,
      base64: true,
    });

    expect(res.statusCode).toBe(202);
  });

  it("answers 503 (retry later), not 500, when the queue is unavailable", async () => {
    const { call, queue } = ingestHarness();
    queue.failNext = true;

    const res = await call({
      path: "/v1/hooks/crm/lead-enrichment",
      body: fixture("crm-lead-workflow.json"),
      headers: TOKEN,
    });

    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
  });
});

describe("POST /v1/hooks/crm/notifications", () => {
  it("checks the channel token in the body and makes one unit per id, dropping updates of only the mediator's fields", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({ path: "/v1/hooks/crm/notifications", body: fixture("crm-notification.json") });

    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ accepted: 1, ignored: 1 });
    expect(queue.sent[0]).toMatchObject({
      source: "crm-notification",
      subject: { id: "5545974000001000044" },
      input: { operation: "update", channelId: "1000000068001" },
    });
  });

  it("answers 401 for a wrong channel token", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/crm/notifications",
      body: fixture("crm-notification.json").replace("notify-channel-token-1", "guess"),
    });

    expect(res.statusCode).toBe(401);
    expect(queue.sent).toHaveLength(0);
  });
});

describe("GET and POST /v1/hooks/desk", () => {
  it("answers Desk's URL check with 200 OK when the token is right, 401 otherwise", async () => {
    const { call } = ingestHarness();

    const ok = await call({
      method: "GET",
      path: "/v1/hooks/desk",
      query: { token: SECRETS.token },
      contentType: null,
    });
    const bad = await call({ method: "GET", path: "/v1/hooks/desk", contentType: null });

    expect([ok.statusCode, ok.body]).toEqual([200, "OK"]);
    expect(bad.statusCode).toBe(401);
  });

  it("makes one unit per ticket of the JSON array, answers 200 (Desk counts nothing else), and ignores the rest", async () => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: "/v1/hooks/desk",
      body: fixture("desk-events.json"),
      query: { token: SECRETS.token },
    });

    expect(res.statusCode).toBe(200);
    // Ticket_Add and the new ticket's first inbound thread are one piece of work; the update is not a triage event.
    expect(res.json).toMatchObject({ accepted: 1, ignored: 2 });
    expect(queue.sent.map((m) => [m.input.eventType, m.subject?.id])).toEqual([
      ["Ticket_Add", "5545974000001000086"],
    ]);
  });

  it("triages a customer's reply arriving on its own, keyed on the thread", async () => {
    const { call, queue } = ingestHarness();
    const reply = JSON.parse(fixture("desk-events.json"))[1];

    await call({ path: "/v1/hooks/desk", body: JSON.stringify([reply]), query: { token: SECRETS.token } });

    expect(queue.sent[0]).toMatchObject({
      subject: { id: "5545974000001000086" },
      input: { eventType: "Ticket_Thread_Add", threadId: "5545974000001000087" },
    });
  });

  it("ignores outbound threads and events by the mediator's own Desk agent", async () => {
    const { call, queue } = ingestHarness();
    const events = [
      {
        eventType: "Ticket_Thread_Add",
        orgId: "1",
        eventTime: "1",
        payload: { id: "2", ticketId: "3", direction: "out" },
      },
      {
        eventType: "Ticket_Add",
        orgId: "1",
        eventTime: "1",
        payload: { id: "4", modifiedBy: "5545974000001000099" },
      },
    ];

    const res = await call({
      path: "/v1/hooks/desk",
      body: JSON.stringify(events),
      query: { token: SECRETS.token },
    });

    expect(res.json).toMatchObject({ accepted: 0, ignored: 2 });
    expect(queue.sent).toHaveLength(0);
  });

  it("answers 422 for an event without a payload id, and for a non-array body", async () => {
    const { call, queue } = ingestHarness();

    const noId = await call({
      path: "/v1/hooks/desk",
      body: '[{"eventType":"Ticket_Add","orgId":"1","eventTime":"1","payload":{}}]',
      query: { token: SECRETS.token },
    });
    const object = await call({
      path: "/v1/hooks/desk",
      body: '{"eventType":"Ticket_Add"}',
      query: { token: SECRETS.token },
    });

    expect(noId.statusCode).toBe(422);
    expect(noId.json.issues[0].path).toBe("0.payload.id");
    expect(object.statusCode).toBe(422);
    expect(queue.sent).toHaveLength(0);
  });
});

describe("POST /v1/hooks/flow/{useCase}", () => {
  it.each([
    ["email-triage", "flow-email-triage.json", null],
    ["call-transcript", "flow-call-transcript.json", "5545974000001000017"],
    ["document-extraction", "flow-document-extraction.json", "5545974000001000060"],
  ])("accepts %s from Flow or custom code, text kept as data", async (useCase, file, recordId) => {
    const { call, queue } = ingestHarness();

    const res = await call({
      path: `/v1/hooks/flow/${useCase}`,
      body: fixture(file),
      headers: { ...TOKEN, "idempotency-key": `k-${useCase}` },
    });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]).toMatchObject({
      useCase,
      source: "flow",
      dedupKey: `flow:${useCase}:k-${useCase}`,
    });
    expect(queue.sent[0]?.subject?.id ?? null).toBe(recordId);
  });

  it("requires exactly one of transcript or transcriptRef, and refuses inline text over the limit", async () => {
    const { call } = ingestHarness();

    const neither = await call({
      path: "/v1/hooks/flow/call-transcript",
      body: '{"module":"Leads","recordId":"1"}',
      headers: TOKEN,
    });
    const tooLong = await call({
      path: "/v1/hooks/flow/document-extraction",
      body: JSON.stringify({ module: "Deals", recordId: "1", text: "é".repeat(80 * 1024) }),
      headers: TOKEN,
    });

    expect(neither.statusCode).toBe(422);
    expect(neither.json.issues[0].path).toBe("transcript");
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json.issues[0].message).toMatch(/Zoho attachment reference/);
  });

  it("uses the caller's Idempotency-Key for duplicates, and refuses a malformed one", async () => {
    const { call, queue } = ingestHarness();
    const body = fixture("flow-email-triage.json");

    await call({
      path: "/v1/hooks/flow/email-triage",
      body,
      headers: { ...TOKEN, "idempotency-key": "msg-1" },
    });
    await call({
      path: "/v1/hooks/flow/email-triage",
      body: body.replace("250", "251"),
      headers: { ...TOKEN, "idempotency-key": "msg-1" },
    });
    const bad = await call({
      path: "/v1/hooks/flow/email-triage",
      body,
      headers: { ...TOKEN, "idempotency-key": "has space" },
    });

    expect(queue.sent[0]?.jobId).toBe(queue.sent[1]?.jobId);
    expect(bad.statusCode).toBe(400);
  });
});
