/**
 * The local stand-in for Lambda's SQS event source mapping: `concurrency` pollers each gather a batch as Lambda does
 * with a batching window (receive 10 at a time, the SQS maximum, until `batchSize` messages or `batchWindowMs` since
 * the first one), hand it to the worker's middy-wrapped handler as one `SQSEvent` (the shape Lambda delivers), delete
 * what the handler did not report as failed (10 per DeleteMessageBatch, the SQS maximum), and leave failures to
 * reappear after the visibility timeout the worker set.
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
  /** As the deployed event source: records per invocation (1-10,000). @default 10 */
  batchSize?: number;
  /**
   * As the event source's batching window: how long after a batch's first message the poller keeps receiving before
   * it invokes with what it has. 0: invoke with one receive's messages (at most 10). @default 0
   */
  batchWindowMs?: number;
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

/** SQS returns and deletes at most 10 messages per call. */
const SQS_MAX_PER_CALL = 10;
/** Between short polls in the last second of a batching window, so an empty queue is not polled in a busy loop. */
const SHORT_POLL_PAUSE_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const batchSize = Math.max(1, options.batchSize ?? 10);
  const windowMs = Math.max(0, options.batchWindowMs ?? 0);
  const receive = async (max: number, waitTimeSeconds: number): Promise<Message[]> =>
    (
      await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(SQS_MAX_PER_CALL, max),
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: [
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
          ],
          MessageAttributeNames: ["All"],
        }),
      )
    ).Messages ?? [];
  /**
   * One batch as the event source gathers it: empty when the first long poll found nothing. While the queue answers
   * full receives, the rest of the batch is asked for at once (the event source polls with several pollers).
   */
  const gather = async (gen: number): Promise<Message[]> => {
    const batch = await receive(batchSize, options.waitTimeSeconds ?? 1);
    if (batch.length === 0) return batch;
    const deadline = Date.now() + windowMs;
    let full = batch.length === Math.min(SQS_MAX_PER_CALL, batchSize);
    while (batch.length < batchSize && running && gen === generation) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const wanted = batchSize - batch.length;
      if (full) {
        const sizes = Array.from({ length: Math.ceil(wanted / SQS_MAX_PER_CALL) }, (_, i) =>
          Math.min(SQS_MAX_PER_CALL, wanted - i * SQS_MAX_PER_CALL),
        );
        const got = await Promise.all(sizes.map((n) => receive(n, 0)));
        for (const g of got) batch.push(...g);
        full = got.every((g, i) => g.length === sizes[i]);
        continue;
      }
      // Long-poll whole seconds while the window allows; its last part is short polls, a beat apart.
      const got = await receive(wanted, Math.floor(left / 1000));
      batch.push(...got);
      if (got.length === 0 && left < 1000) await sleep(Math.min(left, SHORT_POLL_PAUSE_MS));
    }
    return batch;
  };
  /** Deletes what the invocation did not report as failed, 10 a call (the SQS maximum), the calls at once. */
  const acknowledge = async (messages: readonly Message[]) => {
    const chunks: Message[][] = [];
    for (let i = 0; i < messages.length; i += SQS_MAX_PER_CALL)
      chunks.push(messages.slice(i, i + SQS_MAX_PER_CALL));
    await Promise.all(
      chunks.map(async (chunk) => {
        const result = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? "" })),
          }),
        );
        // An undeleted message reappears and its job's record says it is done: the worker skips it (idempotency).
        if (result.Failed?.length)
          options.onError?.(new Error(`${result.Failed.length} acknowledged messages were not deleted`));
      }),
    );
  };
  const loop = async (gen: number) => {
    while (running && gen === generation) {
      try {
        const messages = await gather(gen);
        if (!running || gen !== generation || messages.length === 0) continue;
        const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, queueArn, region)) };
        invocations += 1;
        const result = await options.handler(event);
        if (gen !== generation) return;
        const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        await acknowledge(messages.filter((m) => !failed.has(m.MessageId ?? "")));
      } catch (error) {
        // A failed invocation leaves the batch to reappear, as Lambda does.
        options.onError?.(error);
        await sleep(200);
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
