/**
 * The correlation id at the ingest: taken from a valid X-Correlation-Id, else the request id, else a uuid; answered
 * in the 202's header and body; carried by every queued work message and every log line of the request. A value
 * that is not a plain token (control characters, spaces, too long) is replaced, never trusted.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  CORRELATION_ID,
  correlationIdFor,
  isCorrelationId,
} from "../../../shared/observability/correlation.js";
import { currentLogKeys, withLogKeys } from "../../../shared/observability/log-context.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { WorkMessageSchema } from "../../../shared/schemas/work-message.js";
import { apiEvent, fixture, ingestHarness, SECRETS } from "../../helpers/ingest.js";
import { captureLogLines } from "../../helpers/log-lines.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let capture: ReturnType<typeof captureLogLines> | undefined;
afterEach(() => capture?.stop());

describe("correlationIdFor", () => {
  it("keeps a caller's plain token, else takes the request id, else makes a uuid", () => {
    expect(correlationIdFor("order-42:retry.1_A", "req-1")).toBe("order-42:retry.1_A");
    expect(correlationIdFor(undefined, "abc-123")).toBe("abc-123");
    // An HTTP API request id's base64 padding is dropped (`=` is not in the id's alphabet).
    expect(correlationIdFor(undefined, "JKJaXmPLvHcESHA=")).toBe("JKJaXmPLvHcESHA");
    expect(correlationIdFor("not valid!", "JKJaXmPLvHcESHA=")).toBe("JKJaXmPLvHcESHA");
    expect(correlationIdFor(undefined, undefined)).toMatch(UUID);
  });

  it.each([
    ["a newline (log injection)", 'x\n{"level":"ERROR"}'],
    ["a control character", "abc\u0007def"],
    ["a space", "abc def"],
    ["a quote", 'abc"def'],
    ["129 characters", "a".repeat(129)],
    ["nothing", ""],
  ])("replaces a header with %s by the request id", (_, header) => {
    expect(correlationIdFor(header, "req-7")).toBe("req-7");
    expect(correlationIdFor(header, "bad id\n")).toMatch(UUID);
  });

  it("accepts exactly 128 characters of the allowed set", () => {
    expect(isCorrelationId("a".repeat(128))).toBe(true);
    expect(CORRELATION_ID.test("A-z_0.9:")).toBe(true);
  });
});

const lead = (headers: Record<string, string>, requestId?: string) => {
  const event = apiEvent({
    path: "/v1/hooks/crm/lead-enrichment",
    body: fixture("crm-lead-workflow.json"),
    headers: { "x-mediator-token": SECRETS.token, ...headers },
  });
  if (requestId) event.requestContext.requestId = requestId;
  return event;
};

describe("the ingest's correlation id", () => {
  it("takes a valid X-Correlation-Id into the 202's header and body, the work message and every log line", async () => {
    const { handler, queue } = ingestHarness();
    capture = captureLogLines();

    const res = await handler(lead({ "X-Correlation-Id": "zoho-wf-7.1" }, "JKJaXmPLvHcESHA="));

    expect(res.statusCode).toBe(202);
    expect(res.headers["x-correlation-id"]).toBe("zoho-wf-7.1");
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 1, correlationId: "zoho-wf-7.1" });
    expect(queue.sent.map((m) => m.correlationId)).toEqual(["zoho-wf-7.1"]);
    const queued = capture.lines.filter((l) => l.message === "trigger queued");
    expect(queued).toHaveLength(1);
    expect(capture.lines.every((l) => l.correlation_id === "zoho-wf-7.1")).toBe(true);
  });

  it("uses the request id without the header, and on a 4xx too", async () => {
    const { handler } = ingestHarness();

    const ok = await handler(lead({}, "JKJaXmPLvHcESHA="));
    const refused = await handler({
      ...lead({}, "req-401"),
      headers: { "content-type": "application/json" },
    });

    expect(ok.headers["x-correlation-id"]).toBe("JKJaXmPLvHcESHA");
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["x-correlation-id"]).toBe("req-401");
  });

  it("replaces an X-Correlation-Id that is not a plain token: it never reaches a log line or the queue", async () => {
    const { handler, queue } = ingestHarness();
    capture = captureLogLines();
    const hostile = `evil\n{"level":"ERROR","message":"forged"}${"x".repeat(200)}`;

    const res = await handler(lead({ "x-correlation-id": hostile }, "req-9"));

    expect(res.statusCode).toBe(202);
    expect(res.headers["x-correlation-id"]).toBe("req-9");
    expect(queue.sent[0]?.correlationId).toBe("req-9");
    expect(JSON.stringify(capture.lines)).not.toContain("evil");
    expect(capture.lines.filter((l) => l.message === "trigger queued")[0]?.correlation_id).toBe("req-9");
  });
});

describe("the work message", () => {
  const message = {
    v: 1,
    jobId: "0b9cf4f4-2a4e-4c1e-9f51-8f2f0f6a8d11",
    useCase: "lead-enrichment",
    connection: "default",
    source: "crm-workflow",
    dedupKey: "k",
    receivedAt: "2026-11-30T10:00:00.000Z",
    subject: { service: "crm", module: "Leads", id: "1" },
    input: {},
  };

  it("still parses a message queued before correlation ids existed", () => {
    expect(WorkMessageSchema.parse(message).correlationId).toBeUndefined();
  });

  it("carries a valid correlation id and refuses one that is not a plain token", () => {
    expect(WorkMessageSchema.parse({ ...message, correlationId: "abc:1" }).correlationId).toBe("abc:1");
    expect(WorkMessageSchema.safeParse({ ...message, correlationId: "a b" }).success).toBe(false);
    expect(WorkMessageSchema.safeParse({ ...message, correlationId: "a".repeat(129) }).success).toBe(false);
  });
});

describe("log keys scoped per unit", () => {
  it("puts the scope's keys on every line inside it, and none outside; concurrent scopes never mix", async () => {
    const logger = createLogger("scope-test");
    capture = captureLogLines();
    const unit = (id: string) =>
      withLogKeys({ correlation_id: `c-${id}`, job_id: `j-${id}` }, async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        logger.info("inside", { unit: id, correlation_id: "forged" });
        return currentLogKeys();
      });

    const keys = await Promise.all([unit("a"), unit("b")]);
    logger.info("outside");

    expect(keys).toEqual([
      { correlation_id: "c-a", job_id: "j-a" },
      { correlation_id: "c-b", job_id: "j-b" },
    ]);
    const inside = capture.lines.filter((l) => l.message === "inside");
    expect(inside.map((l) => [l.unit, l.correlation_id, l.job_id])).toEqual([
      ["a", "c-a", "j-a"],
      ["b", "c-b", "j-b"],
    ]);
    expect(capture.lines.find((l) => l.message === "outside")).not.toHaveProperty("correlation_id");
  });
});
