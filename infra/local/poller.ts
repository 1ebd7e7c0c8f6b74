/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls the queue with `concurrency` pollers, hands
 * each batch to the real worker handler as an SQS event, deletes what the handler did not report as failed, and
 * leaves failures to reappear after the visibility timeout the worker set.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { BatchResponse, SqsEvent } from "../../shared/lambda/worker.js";

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn?: string;
  handler: (event: SqsEvent) => Promise<BatchResponse>;
  /** As the deployed event source: records per invocation. @default 10 */
  batchSize?: number;
  /** As the event source's maximum concurrency. @default 2 */
  concurrency?: number;
  /** @default 1 */
  waitTimeSeconds?: number;
  onError?: (error: unknown) => void;
}

export function startPoller(options: PollerOptions): { stop(): Promise<void>; invocations(): number } {
  let running = true;
  let invocations = 0;
  const loop = async () => {
    while (running) {
      try {
        const got = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = got.Messages ?? [];
        if (!running || messages.length === 0) continue;
        const event: SqsEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId ?? "",
            receiptHandle: m.ReceiptHandle ?? "",
            body: m.Body ?? "",
            attributes: { ...(m.Attributes ?? {}) } as Record<string, string>,
            messageAttributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
                k,
                { stringValue: v.StringValue ?? "", dataType: v.DataType ?? "String" },
              ]),
            ),
          })),
        };
        invocations += 1;
        const result = await options.handler(event);
        const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        const done = messages.filter((m) => !failed.has(m.MessageId ?? ""));
        if (done.length) {
          await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
            }),
          );
        }
      } catch (error) {
        // A failed invocation leaves the batch to reappear, as Lambda does.
        options.onError?.(error);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 2 }, () => loop());
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
    invocations: () => invocations,
  };
}
