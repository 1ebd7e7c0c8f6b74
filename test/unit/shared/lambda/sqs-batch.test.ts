import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import type { WorkQueueControl } from "../../../../shared/adapters/sqs/work-queue-control.js";
import { makeSqsBatchHandler } from "../../../../shared/lambda/sqs-batch.js";
import { createLogger } from "../../../../shared/observability/logger.js";
import type { Decision, WorkRecord } from "../../../../shared/pipeline/index.js";

const record = (id: string, attributes: Record<string, string> = {}, receiveCount = "1"): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: `{"n":"${id}"}`,
  attributes: {
    ApproximateReceiveCount: receiveCount,
    SentTimestamp: "0",
    SenderId: "test",
    ApproximateFirstReceiveTimestamp: "0",
  },
  messageAttributes: Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: "String" }]),
  ),
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:work",
  awsRegion: "eu-west-1",
});

function harness(decide: (r: WorkRecord) => Decision) {
  const seen: WorkRecord[] = [];
  const requeued: { attributes: Record<string, unknown>; delaySeconds: number }[] = [];
  const deadLetters: { body: string; attributes: Record<string, unknown> }[] = [];
  const control = {
    changeVisibility: async () => ({}),
    requeue: async (_body: string, attributes: Record<string, unknown>, delaySeconds: number) => {
      requeued.push({ attributes, delaySeconds });
      return {};
    },
    deadLetter: async (body: string, attributes: Record<string, unknown>) => {
      deadLetters.push({ body, attributes });
      return {};
    },
  } as unknown as WorkQueueControl;
  const handle = makeSqsBatchHandler({
    pipeline: async (records) => {
      seen.push(...records);
      return records.map(decide);
    },
    control,
    logger: createLogger("test"),
    clock: { now: () => Date.parse("2026-11-30T10:00:00Z") },
  });
  return { handle, seen, deadLetters, requeued };
}

describe("the SQS record loop and the replay mark", () => {
  it("passes the replay mark (the replay command's `replay`, or a redriven dead letter's `deadLetterId`)", async () => {
    const h = harness((r) => ({ messageId: r.messageId, action: "ack", result: "written" }));

    await h.handle({
      Records: [record("a"), record("b", { replay: "dl-1" }), record("c", { deadLetterId: "dl-2" })],
    });

    expect(h.seen.map((r) => r.replayId)).toEqual([undefined, "dl-1", "dl-2"]);
  });

  it("stamps a dead letter with its id and drops a spent replay mark", async () => {
    const h = harness((r) => ({
      messageId: r.messageId,
      action: "dead-letter",
      reason: "model output failed twice",
      deadLetterId: "dl-new",
    }));

    const out = await h.handle({ Records: [record("a", { replay: "dl-old", traceparent: "t" })] });

    expect(out.batchItemFailures).toEqual([]);
    expect(h.deadLetters[0]?.attributes).toEqual({
      traceparent: { DataType: "String", StringValue: "t" },
      deadLetterId: { DataType: "String", StringValue: "dl-new" },
      reason: { DataType: "String", StringValue: "model output failed twice" },
      failedAt: { DataType: "String", StringValue: "2026-11-30T10:00:00.000Z" },
      receiveCount: { DataType: "Number", StringValue: "1" },
    });
  });

  it("takes the record apart once: receive count, deferrals and replay mark", async () => {
    const h = harness((r) => ({ messageId: r.messageId, action: "ack", result: "written" }));

    await h.handle({ Records: [record("a", { deferrals: "3", replay: "dl-9" }, "4")] });

    expect(h.seen).toEqual([
      { messageId: "a", body: '{"n":"a"}', receiveCount: 4, deferrals: 3, replayId: "dl-9" },
    ]);
  });

  it("re-queues a deferred unit with one more deferral and its delay, and reports only retries as failures", async () => {
    const h = harness((r) =>
      r.messageId === "a"
        ? { messageId: "a", action: "defer", delayMs: 60_000, reason: "budget" }
        : { messageId: r.messageId, action: "retry", delayMs: 5_000, reason: "Zoho 500" },
    );

    const out = await h.handle({ Records: [record("a", { deferrals: "2" }), record("b")] });

    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "b" }]);
    expect(h.requeued).toEqual([
      { attributes: { deferrals: { DataType: "Number", StringValue: "3" } }, delaySeconds: 60 },
    ]);
  });
});
