/**
 * The local event source: the poller hands a middy-wrapped worker handler an `SQSEvent` shaped as Lambda's SQS event
 * source delivers it, deletes what the handler did not report as failed, and leaves the failures on the queue.
 */
import { createHash } from "node:crypto";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
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

beforeAll(async () => {
  emulator = await startSqs();
  sqs = createSqsClient({ endpoint: emulator.url, region: "us-east-1" });
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
});
