/**
 * The SQS record taken apart once: its body as a work message, how often SQS delivered it, how often it already
 * waited, and the replay mark of an operator's replay. Nothing after this stage reads the raw record.
 */
import type { SQSRecord } from "aws-lambda";
import { type WorkMessage, WorkMessageSchema } from "../schemas/work-message.js";

/** One delivery of a unit of work, as the pipeline sees it. */
export interface WorkRecord {
  messageId: string;
  body: string;
  /** SQS ApproximateReceiveCount. */
  receiveCount: number;
  /** How often this unit already waited for a budget or a connection. */
  deferrals: number;
  /** Set on an operator's replay of a dead letter: the id of that dead letter (lets its dead-lettered job run once). */
  replayId?: string;
}

/**
 * The replay mark: `replay` (set by the `replay` command) or, on a message SQS's own redrive moved back, the
 * `deadLetterId` the worker stamped on the dead letter. Either names the one dead letter that may run its job again.
 */
export const REPLAY_ATTRIBUTE = "replay";
export const DEAD_LETTER_ID_ATTRIBUTE = "deadLetterId";
/** How often a unit already waited (a bookkeeping attribute of the deferred copy). */
export const DEFERRALS_ATTRIBUTE = "deferrals";

/** The SQS record as a work record. */
export function toWorkRecord(record: SQSRecord): WorkRecord {
  const attr = (name: string) => record.messageAttributes?.[name]?.stringValue || undefined;
  const replayId = attr(REPLAY_ATTRIBUTE) ?? attr(DEAD_LETTER_ID_ATTRIBUTE);
  return {
    messageId: record.messageId,
    body: record.body,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
    deferrals: Number(attr(DEFERRALS_ATTRIBUTE) ?? 0),
    ...(replayId ? { replayId } : {}),
  };
}

/** The body as a work message (schema v1), or undefined when it is not one. */
export function readMessage(record: WorkRecord): WorkMessage | undefined {
  try {
    return WorkMessageSchema.parse(JSON.parse(record.body));
  } catch {
    return undefined;
  }
}

/** The job's idempotency key: the connection and the trigger's dedup key. */
export const jobKeyOf = (message: WorkMessage): string => `${message.connection}|${message.dedupKey}`;
