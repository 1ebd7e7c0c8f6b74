import { describe, expect, it } from "vitest";
import { fixture, ingestHarness, SECRETS } from "../../helpers/ingest.js";

const TOKEN = { "x-mediator-token": SECRETS.token };
const PATH = "/v1/hooks/flow/email-triage";

const email = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    messageId: "<CAF=abc123@mail.example>",
    from: { name: "Aiko Tanaka", address: "Aiko.Tanaka@sakura-retail.example" },
    to: ["sales@zylker.example"],
    cc: "ops@zylker.example",
    subject: "Quote for 250 seats",
    html: "<p>Hello, we would like a quote.</p>",
    receivedAt: "2026-11-25T09:00:00Z",
    attachments: [{ fileName: "rfp.pdf", contentType: "application/pdf", size: 120_000 }],
    ...over,
  });

describe("POST /v1/hooks/flow/email-triage: the e-mail's input and dedup key", () => {
  it("makes the Message-ID the dedup key: the same e-mail posted twice (other body bytes, brackets or not) is one job", async () => {
    const { call, queue } = ingestHarness();

    const first = await call({ path: PATH, body: email(), headers: TOKEN });
    const again = await call({
      path: PATH,
      body: email({ messageId: "CAF=abc123@mail.example", receivedAt: "2026-11-25T09:00:05Z" }),
      headers: TOKEN,
    });
    const other = await call({
      path: PATH,
      body: email({ messageId: "<other@mail.example>" }),
      headers: TOKEN,
    });

    expect([first.statusCode, again.statusCode, other.statusCode]).toEqual([202, 202, 202]);
    expect(queue.sent[0]?.dedupKey).toMatch(/^flow:email-triage:msgid:[0-9a-f]{40}$/);
    expect(queue.sent[1]?.jobId).toBe(queue.sent[0]?.jobId);
    expect(queue.sent[2]?.jobId).not.toBe(queue.sent[0]?.jobId);
  });

  it("still prefers the caller's Idempotency-Key, and falls back to the body digest without a Message-ID", async () => {
    const { call, queue } = ingestHarness();

    await call({ path: PATH, body: email(), headers: { ...TOKEN, "idempotency-key": "n8n-42" } });
    await call({ path: PATH, body: email({ messageId: undefined }), headers: TOKEN });

    expect(queue.sent[0]?.dedupKey).toBe("flow:email-triage:n8n-42");
    expect(queue.sent[1]?.dedupKey).toMatch(/^flow:email-triage:[0-9a-f]{32}$/);
  });

  it("accepts the sender as an address or {name, address}, recipients as a string or a list, text or HTML", async () => {
    const { call, queue } = ingestHarness();

    const legacy = await call({ path: PATH, body: fixture("flow-email-triage.json"), headers: TOKEN });
    const rich = await call({ path: PATH, body: email(), headers: TOKEN });

    expect([legacy.statusCode, rich.statusCode]).toEqual([202, 202]);
    expect(queue.sent[1]?.input).toMatchObject({
      from: { name: "Aiko Tanaka", address: "Aiko.Tanaka@sakura-retail.example" },
      to: ["sales@zylker.example"],
      attachments: [{ fileName: "rfp.pdf" }],
    });
  });

  it("refuses an e-mail without a body or with a sender that is no address, with a 422 naming the field", async () => {
    const { call, queue } = ingestHarness();

    const noBody = await call({ path: PATH, body: email({ html: undefined, body: "  " }), headers: TOKEN });
    const badFrom = await call({
      path: PATH,
      body: email({ from: { name: "x", address: "nope" } }),
      headers: TOKEN,
    });

    expect(noBody.statusCode).toBe(422);
    expect(noBody.json.issues[0].path).toBe("body");
    expect(badFrom.statusCode).toBe(422);
    expect(badFrom.json.issues[0].path).toMatch(/^from/);
    expect(queue.sent).toHaveLength(0);
  });
});

describe("npm run send -- email: the samples", () => {
  it("every sample fits the route's schema, with a fresh Message-ID each send", async () => {
    const { EMAIL_SAMPLES, sample } = await import("../../../infra/cli/samples/email.js");
    const { EmailTriageInputSchema } = await import("../../../shared/use-cases/email-triage/input.js");

    for (const s of EMAIL_SAMPLES)
      expect(EmailTriageInputSchema.safeParse({ messageId: "<x@y>", ...s }).success).toBe(true);
    const [a, b] = [sample(), sample()];
    expect(a.path).toBe("/v1/hooks/flow/email-triage");
    expect((a.body as { messageId: string }).messageId).not.toBe((b.body as { messageId: string }).messageId);
  });
});
