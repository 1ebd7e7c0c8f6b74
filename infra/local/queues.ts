/**
 * The local work queue and dead-letter queue, set up as the CDK stack's WorkQueue sets them up, and the dead letters
 * as `GET /_local/dead-letters` lists them.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { stageResources } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { DEFAULT_MAX_RECEIVE_COUNT } from "../../shared/domain/queue-limits.js";
import type { SqsEmulator } from "./sqs.js";

/** SQS keeps a message at most 14 days: the dead letters wait that long for a replay. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 86_400;

/** Queue settings, the same as the CDK stack's WorkQueue. */
export const LOCAL_QUEUES = {
  work: stageResources(DEFAULT_STAGE).workQueue,
  deadLetter: stageResources(DEFAULT_STAGE).deadLetterQueue,
  /**
   * The default of both the queue's redrive and the worker's MAX_RECEIVE_COUNT; the stack sets the redrive from the
   * worker's effective setting, so the two always agree.
   */
  maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
  visibilityTimeoutSeconds: 360,
} as const;

export interface LocalQueues {
  workUrl: string;
  workArn: string;
  deadLetterUrl: string;
}

/** Creates (or finds) both queues; the work queue redrives to the dead-letter queue after `maxReceiveCount`. */
export async function createLocalQueues(sqs: SQSClient, maxReceiveCount: number): Promise<LocalQueues> {
  const arnOf = async (url: string | undefined) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })))
      .Attributes?.QueueArn ?? "";
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: LOCAL_QUEUES.deadLetter,
      Attributes: { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS) },
    }),
  );
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: LOCAL_QUEUES.work,
      Attributes: {
        VisibilityTimeout: String(LOCAL_QUEUES.visibilityTimeoutSeconds),
        // As the CDK stack: the queue's redrive and the worker's own dead-lettering use the same count.
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlq.QueueUrl), maxReceiveCount }),
      },
    }),
  );
  return {
    workUrl: work.QueueUrl ?? "",
    workArn: await arnOf(work.QueueUrl),
    deadLetterUrl: dlq.QueueUrl ?? "",
  };
}

/** A dead letter as `GET /_local/dead-letters` lists it. */
export interface DeadLetter {
  messageId: string;
  reason: string | undefined;
  attributes: Record<string, string>;
  sentAt: string;
  body: unknown;
}

/** The dead letters with their reasons, read from the emulator without consuming them. */
export function readDeadLetters(sqs: SqsEmulator): DeadLetter[] {
  const q = sqs.server.inspectQueue(LOCAL_QUEUES.deadLetter);
  if (!q) return [];
  const all = [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)];
  return all.map((m) => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.messageAttributes ?? {})) {
      const value = (v as { StringValue?: string }).StringValue;
      if (value !== undefined) attributes[k] = value;
    }
    let body: unknown = m.body;
    try {
      body = JSON.parse(m.body);
    } catch {
      // Not JSON: listed as sent.
    }
    return {
      messageId: m.messageId,
      reason: attributes.reason,
      attributes,
      sentAt: new Date(m.sentTimestamp).toISOString(),
      body,
    };
  });
}
