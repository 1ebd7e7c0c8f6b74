import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqsEmulator, startSqs } from "../../../infra/local/sqs.js";
import { createSqsClient } from "../../../shared/adapters/sqs/sqs-client.js";

let emulator: SqsEmulator;
let sqs: SQSClient;
let n = 0;

async function queueWithDlq(maxReceiveCount: number, visibility = 1) {
  n += 1;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${n}` }));
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: `work-${n}`,
      Attributes: {
        VisibilityTimeout: String(visibility),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }),
      },
    }),
  );
  return { url: q.QueueUrl as string, dlqUrl: dlq.QueueUrl as string };
}

beforeAll(async () => {
  emulator = await startSqs();
  sqs = createSqsClient({ endpoint: emulator.url, region: "us-east-1" });
});
afterAll(async () => {
  sqs.destroy();
  await emulator.close();
});

describe("SQS emulator (fauxqs) through @aws-sdk/client-sqs with useQueueUrlAsEndpoint: false", () => {
  it("delivers a message with its attributes, and deletes it", async () => {
    const { url } = await queueWithDlq(5);

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"v":1,"id":"5545974000001000044"}',
        MessageAttributes: { useCase: { DataType: "String", StringValue: "lead-enrichment" } },
      }),
    );
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }),
    );
    const message = got.Messages?.[0];
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }));
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));

    expect(message?.Body).toBe('{"v":1,"id":"5545974000001000044"}');
    expect(message?.MessageAttributes?.useCase?.StringValue).toBe("lead-enrichment");
    expect(after.Messages ?? []).toHaveLength(0);
  });

  it("hides a received message for the visibility timeout and redelivers it after", async () => {
    const { url } = await queueWithDlq(5, 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));

    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await new Promise((r) => setTimeout(r, 1200));
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );

    expect(first.Messages).toHaveLength(1);
    expect(hidden.Messages ?? []).toHaveLength(0);
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("ChangeMessageVisibility 0 returns a message at once (the worker's retry-with-backoff lever)", async () => {
    const { url } = await queueWithDlq(5, 30);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));

    expect(again.Messages).toHaveLength(1);
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives", async () => {
    const { url, dlqUrl } = await queueWithDlq(2, 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));

    for (let i = 0; i < 2; i++) {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      await new Promise((r) => setTimeout(r, 1100));
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));

    expect(third.Messages ?? []).toHaveLength(0);
    expect(dead.Messages?.[0]?.Body).toBe("poison");
  });

  it("sends batches of up to 10 and receives up to 10 at once", async () => {
    const { url } = await queueWithDlq(5);

    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body-${i}` })),
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));

    expect(sent.Successful).toHaveLength(10);
    expect(got.Messages).toHaveLength(10);
  });

  it("drops a FIFO duplicate inside the deduplication window", async () => {
    const q = await sqs.send(
      new CreateQueueCommand({ QueueName: "dedup.fifo", Attributes: { FifoQueue: "true" } }),
    );

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.QueueUrl,
        MessageBody: "a",
        MessageGroupId: "g",
        MessageDeduplicationId: "lead-1-t1",
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.QueueUrl,
        MessageBody: "a",
        MessageGroupId: "g",
        MessageDeduplicationId: "lead-1-t1",
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10 }));

    expect(got.Messages).toHaveLength(1);
  });
});
