/**
 * The SQS record loop: the second of the two places errors are mapped. Turns an SQS batch into worker records,
 * runs the pipeline, and carries out each decision. Only `retry` becomes a batch item failure (after its visibility
 * is set to the backoff); deferrals and dead letters are sent on first and then acknowledged, and if that send
 * fails the record is reported as failed, so nothing is ever lost.
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { WorkQueueControl } from "../adapters/sqs/work-queue-control.js";
import type { AppLogger } from "../observability/logger.js";
import type { Decision, WorkerRecord } from "../use-cases/process-work.js";

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string } & Record<string, string | undefined>;
  messageAttributes?: Record<string, { stringValue?: string; dataType?: string } | undefined>;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Lambda's lower-case attribute shape back to the SDK's, for re-sending. */
function sdkAttributes(record: SqsRecord, omit: string[] = []): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(record.messageAttributes ?? {}))
    if (v?.stringValue !== undefined && !omit.includes(k))
      out[k] = { DataType: v.dataType ?? "String", StringValue: v.stringValue };
  return out;
}

/**
 * The replay mark: `replay` (set by the `replay` command) or, on a message SQS's own redrive moved back, the
 * `deadLetterId` the worker stamped on the dead letter. Either names the one dead letter that may run its job again.
 */
export const REPLAY_ATTRIBUTE = "replay";
export const DEAD_LETTER_ID_ATTRIBUTE = "deadLetterId";
const replayIdOf = (record: SqsRecord): string | undefined =>
  record.messageAttributes?.[REPLAY_ATTRIBUTE]?.stringValue ||
  record.messageAttributes?.[DEAD_LETTER_ID_ATTRIBUTE]?.stringValue ||
  undefined;

export function makeWorkerHandler(deps: {
  process: (records: WorkerRecord[]) => Promise<Decision[]>;
  control: WorkQueueControl;
  logger: AppLogger;
  clock: { now(): number };
}) {
  return async (event: SqsEvent): Promise<BatchResponse> => {
    const byId = new Map(event.Records.map((r) => [r.messageId, r]));
    const records: WorkerRecord[] = event.Records.map((r) => {
      const replayId = replayIdOf(r);
      return {
        messageId: r.messageId,
        body: r.body,
        receiveCount: Number(r.attributes.ApproximateReceiveCount ?? 1),
        deferrals: Number(r.messageAttributes?.deferrals?.stringValue ?? 0),
        ...(replayId ? { replayId } : {}),
      };
    });
    const decisions = await deps.process(records);
    const failures: { itemIdentifier: string }[] = [];
    for (const d of decisions) {
      const record = byId.get(d.messageId) as SqsRecord;
      try {
        if (d.action === "retry") {
          await deps.control
            .changeVisibility(record.receiptHandle, d.delayMs / 1000)
            .catch((error) => deps.logger.warn("could not set the retry delay", { error }));
          failures.push({ itemIdentifier: d.messageId });
        } else if (d.action === "defer") {
          const deferrals = Number(record.messageAttributes?.deferrals?.stringValue ?? 0) + 1;
          await deps.control.requeue(
            record.body,
            { ...sdkAttributes(record), deferrals: { DataType: "Number", StringValue: String(deferrals) } },
            d.delayMs / 1000,
          );
        } else if (d.action === "dead-letter") {
          await deps.control.deadLetter(record.body, {
            // A replay mark is spent once its run ends here; the new dead letter has its own id.
            ...sdkAttributes(record, [REPLAY_ATTRIBUTE]),
            [DEAD_LETTER_ID_ATTRIBUTE]: { DataType: "String", StringValue: d.deadLetterId },
            reason: { DataType: "String", StringValue: d.reason.slice(0, 4_000) },
            failedAt: { DataType: "String", StringValue: new Date(deps.clock.now()).toISOString() },
            receiveCount: {
              DataType: "Number",
              StringValue: record.attributes.ApproximateReceiveCount ?? "1",
            },
          });
        }
      } catch (error) {
        deps.logger.error("could not move a message; it stays on the queue", {
          messageId: d.messageId,
          action: d.action,
          error,
        });
        failures.push({ itemIdentifier: d.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
