/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls the queue with `concurrency` pollers, hands
 * each batch to the worker's middy-wrapped handler as an `SQSEvent` (the shape Lambda delivers), deletes what the
 * handler did not report as failed, and leaves failures to reappear after the visibility timeout the worker set.
 *
 * `crashPollers()` simulates what a Lambda timeout does to the event source's invocations (the chaos benchmark
 * uses it): every running poller abandons its in-flight batches (they are never acknowledged, so their messages
 * reappear after the visibility timeout) and fresh polling loops take over.
 */
import { createHash } from "node:crypto";
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** The queue's ARN, as Lambda names it in each record's `eventSourceARN`. */
  queueArn?: string;
  /** The worker's wrapped handler (functions/worker/handler.ts `buildHandler`). */
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** @default us-east-1 */
  region?: string;
  /** As the deployed event source: records per invocation. @default 10 */
  batchSize?: number;
  /** As the event source's maximum concurrency. @default 2 */
  concurrency?: number;
  /** @default 1 */
  waitTimeSeconds?: number;
  onError?: (error: unknown) => void;
}

export interface Poller {
  stop(): Promise<void>;
  invocations(): number;
  /** Abandons every in-flight batch (no acknowledgement, as a timed-out invocation) and starts fresh loops. */
  crash(): void;
}

/** A received message as Lambda's SQS event source delivers it. */
export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  const body = m.Body ?? "";
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body,
    attributes: {
      ...a,
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? "0",
      SenderId: a.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? a.SentTimestamp ?? "0",
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        { stringValue: v.StringValue ?? "", dataType: v.DataType ?? "String" },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? createHash("md5").update(body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Pollers running in this process, for `crashPollers`. */
const active = new Set<Poller>();

/** Crashes every running poller in this process (see `Poller.crash`); returns how many. */
export function crashPollers(): number {
  for (const p of active) p.crash();
  return active.size;
}

export function startPoller(options: PollerOptions): Poller {
  const region = options.region ?? "us-east-1";
  const queueArn =
    options.queueArn ?? `arn:aws:sqs:${region}:000000000000:${options.queueUrl.split("/").pop() ?? "work"}`;
  let running = true;
  let invocations = 0;
  // Loops of an older generation were crashed: they stop and never acknowledge what they hold.
  let generation = 0;
  const loop = async (gen: number) => {
    while (running && gen === generation) {
      try {
        const got = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: [
              "ApproximateReceiveCount",
              "SentTimestamp",
              "SenderId",
              "ApproximateFirstReceiveTimestamp",
            ],
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = got.Messages ?? [];
        if (!running || gen !== generation || messages.length === 0) continue;
        const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, queueArn, region)) };
        invocations += 1;
        const result = await options.handler(event);
        if (gen !== generation) return;
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
  const spawn = () => Array.from({ length: options.concurrency ?? 2 }, () => loop(generation));
  const loops = spawn();
  const poller: Poller = {
    stop: async () => {
      running = false;
      active.delete(poller);
      await Promise.all(loops);
    },
    invocations: () => invocations,
    crash: () => {
      if (!running) return;
      generation += 1;
      loops.push(...spawn());
    },
  };
  active.add(poller);
  return poller;
}
