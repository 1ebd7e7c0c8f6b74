/**
 * The local event source: the poller hands a middy-wrapped worker handler an `SQSEvent` shaped as Lambda's SQS event
 * source delivers it, deletes what the handler did not report as failed, and leaves the failures on the queue. With a
 * batching window it gathers up to `batchSize` messages (10 per receive) before invoking, cuts a slow batch at the
 * window, and deletes in batches of 10.
 */
import { createHash } from "node:crypto";
import {
  CreateQueueCommand,
  type DeleteMessageBatchCommandInput,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Poller, startPoller } from "../../../infra/local/poller.js";
import { type SqsEmulator, startSqs } from "../../../infra/local/sqs.js";
import { createSqsClient } from "../../../shared/adapters/sqs/sqs-client.js";
import { withLayers } from "../../../shared/lambda/layers.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { eventually } from "../../helpers/zoho.js";

let emulator: SqsEmulator;
let sqs: SQSClient;
let poller: Poller | undefined;
/** Entries of every DeleteMessageBatch the test's client sent (the poller's acknowledgements). */
const deletes: number[] = [];

beforeAll(async () => {
  emulator = await startSqs();
  sqs = createSqsClient({ endpoint: emulator.url, region: "us-east-1" });
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "DeleteMessageBatchCommand")
        deletes.push((args.input as DeleteMessageBatchCommandInput).Entries?.length ?? 0);
      return next(args);
    },
    { step: "initialize", name: "countDeletes" },
  );
});
afterAll(async () => {
  await poller?.stop();
  sqs.destroy();
  await emulator.close();
});

describe("local poller", () => {
  it("passes Lambda's SQSEvent to the wrapped handler, deletes successes and leaves reported failures", async () => {
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: "poller-work", Attributes: { VisibilityTimeout: "1" } }),
      )
    ).QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn as string;
    const send = (body: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: { deferrals: { DataType: "Number", StringValue: "2" } },
        }),
      );
    await send('{"unit":"ok"}');
    await send('{"unit":"fails"}');
    const seen: SQSRecord[] = [];
    const handler = withLayers(
      "worker",
      async (event: SQSEvent): Promise<SQSBatchResponse> => {
        seen.push(...event.Records);
        return {
          batchItemFailures: event.Records.filter((r) => r.body.includes("fails")).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
      { logger: createLogger("poller-test") },
    );

    poller = startPoller({ sqs, queueUrl, queueArn, handler, batchSize: 10, concurrency: 1 });
    await eventually(() => {
      expect(new Set(seen.map((r) => r.body))).toEqual(new Set(['{"unit":"ok"}', '{"unit":"fails"}']));
    }, 10_000);
    await poller.stop();
    poller = undefined;

    const ok = seen.find((r) => r.body.includes("ok")) as SQSRecord;
    expect(ok).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: "us-east-1",
      md5OfBody: createHash("md5").update(ok.body).digest("hex"),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: expect.stringMatching(/^\d+$/) },
      messageAttributes: { deferrals: { stringValue: "2", dataType: "Number" } },
    });
    // The failure reappears after its visibility timeout; the success was deleted.
    const left: string[] = [];
    await eventually(async () => {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      left.push(...(got.Messages ?? []).map((m) => m.Body ?? ""));
      expect(left).toContain('{"unit":"fails"}');
    }, 10_000);
    expect(left).not.toContain('{"unit":"ok"}');
  });

  describe("batching window", () => {
    let queueNo = 0;
    const newQueue = async (visibility = 30) => {
      queueNo += 1;
      return (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: `poller-batch-${queueNo}`,
            Attributes: { VisibilityTimeout: String(visibility) },
          }),
        )
      ).QueueUrl as string;
    };
    const sendMany = async (queueUrl: string, bodies: string[]) => {
      for (let i = 0; i < bodies.length; i += 10)
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
          }),
        );
    };
    /** A handler that records each batch it gets (bodies, and when it was invoked), failing those `fail` picks. */
    const recorder = (fail: (r: SQSRecord) => boolean = () => false) => {
      const batches: { bodies: string[]; records: SQSRecord[]; at: number }[] = [];
      const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
        batches.push({ bodies: event.Records.map((r) => r.body), records: event.Records, at: Date.now() });
        return {
          batchItemFailures: event.Records.filter(fail).map((r) => ({ itemIdentifier: r.messageId })),
        };
      };
      return { batches, handler };
    };
    const stopPoller = async () => {
      await poller?.stop();
      poller = undefined;
    };

    it("gathers 45 waiting messages into invocations of 20, 20 and 5, deleting in batches of 10", async () => {
      const queueUrl = await newQueue();
      const bodies = Array.from({ length: 45 }, (_, i) => `m-${i}`);
      await sendMany(queueUrl, bodies);
      const { batches, handler } = recorder();
      deletes.length = 0;
      poller = startPoller({ sqs, queueUrl, handler, batchSize: 20, batchWindowMs: 300, concurrency: 1 });
      await eventually(() => {
        expect(batches.flatMap((b) => b.bodies)).toHaveLength(45);
        expect(deletes.reduce((a, n) => a + n, 0)).toBe(45);
      }, 15_000);
      await stopPoller();

      expect(batches.map((b) => b.bodies.length)).toEqual([20, 20, 5]);
      expect(new Set(batches.flatMap((b) => b.bodies))).toEqual(new Set(bodies));
      // 20 -> 10 + 10, 20 -> 10 + 10, 5 -> 5: never more than SQS's 10 per DeleteMessageBatch.
      expect(deletes).toEqual([10, 10, 10, 10, 5]);
      const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
      expect(left.Messages ?? []).toEqual([]);
    });

    it("cuts a batch that arrives slowly at the window since its first message", async () => {
      const queueUrl = await newQueue();
      const { batches, handler } = recorder();
      poller = startPoller({ sqs, queueUrl, handler, batchSize: 20, batchWindowMs: 300, concurrency: 1 });
      // One message every 100 ms for 1.5 s: a window of 300 ms takes about 3 of them, never 20.
      const sent: Record<string, number> = {};
      for (let i = 0; i < 15; i++) {
        sent[`slow-${i}`] = Date.now();
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `slow-${i}` }));
        await new Promise((r) => setTimeout(r, 100));
      }
      await eventually(() => expect(batches.flatMap((b) => b.bodies)).toHaveLength(15), 10_000);
      await stopPoller();

      expect(batches.length).toBeGreaterThanOrEqual(3);
      for (const b of batches) {
        expect(b.bodies.length).toBeLessThan(20);
        const first = Math.min(...b.bodies.map((body) => sent[body] as number));
        // Invoked once the window since its first message passed (it cannot have been received before it was sent),
        // and not long after: the batch was cut, not held for 20.
        expect(b.at - first).toBeGreaterThanOrEqual(300);
        expect(b.at - first).toBeLessThan(2_000);
      }
    });

    it("leaves a batch's failed items to reappear while the rest are deleted", async () => {
      const queueUrl = await newQueue(1);
      const bodies = Array.from({ length: 12 }, (_, i) => (i % 4 === 0 ? `fail-${i}` : `ok-${i}`));
      await sendMany(queueUrl, bodies);
      // Each failing item fails on its first receive only, as a passing fault does.
      const { batches, handler } = recorder(
        (r) => r.body.startsWith("fail") && r.attributes.ApproximateReceiveCount === "1",
      );
      poller = startPoller({ sqs, queueUrl, handler, batchSize: 20, batchWindowMs: 300, concurrency: 1 });
      await eventually(() => {
        const again = batches
          .flatMap((b) => b.records)
          .filter((r) => r.attributes.ApproximateReceiveCount === "2");
        expect(again.map((r) => r.body).sort()).toEqual(["fail-0", "fail-4", "fail-8"]);
      }, 15_000);
      await stopPoller();

      const seen = batches.flatMap((b) => b.records);
      // Every ok item was handled once (deleted after its batch); the failures came back with their count raised.
      for (const body of bodies.filter((b) => b.startsWith("ok")))
        expect(seen.filter((r) => r.body === body)).toHaveLength(1);
      expect(batches[0]?.bodies).toHaveLength(12);
    });
  });
});
