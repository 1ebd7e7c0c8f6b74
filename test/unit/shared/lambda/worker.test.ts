import { describe, expect, it } from "vitest";
import type { WorkQueueControl } from "../../../../shared/adapters/sqs/work-queue-control.js";
import { makeWorkerHandler, type SqsRecord } from "../../../../shared/lambda/worker.js";
import { createLogger } from "../../../../shared/observability/logger.js";
import type { Decision, WorkerRecord } from "../../../../shared/use-cases/process-work.js";

const record = (id: string, attributes: Record<string, string> = {}): SqsRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: `{"n":"${id}"}`,
  attributes: { ApproximateReceiveCount: "1" },
  messageAttributes: Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: "String" }]),
  ),
});

function harness(decide: (r: WorkerRecord) => Decision) {
  const seen: WorkerRecord[] = [];
  const deadLetters: { body: string; attributes: Record<string, unknown> }[] = [];
  const control = {
    changeVisibility: async () => ({}),
    requeue: async () => ({}),
    deadLetter: async (body: string, attributes: Record<string, unknown>) => {
      deadLetters.push({ body, attributes });
      return {};
    },
  } as unknown as WorkQueueControl;
  const handle = makeWorkerHandler({
    process: async (records) => {
      seen.push(...records);
      return records.map(decide);
    },
    control,
    logger: createLogger("test"),
    clock: { now: () => Date.parse("2026-11-30T10:00:00Z") },
  });
  return { handle, seen, deadLetters };
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
});
