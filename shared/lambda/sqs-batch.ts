/**
 * The SQS record loop: the second of the two places errors are mapped. Takes each SQS record apart once (into a
 * work record), runs the pipeline, and carries out each decision. Only `retry` becomes a batch item failure (after
 * its visibility is set to the backoff); deferrals and dead letters are sent on first and then acknowledged, and if
 * that send fails the record is reported as failed, so nothing is ever lost.
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { WorkQueueControl } from "../adapters/sqs/work-queue-control.js";
import { withLogKeys } from "../observability/log-context.js";
import type { AppLogger } from "../observability/logger.js";
import type { Pipeline } from "../pipeline/index.js";
import { recordLogKeys } from "../pipeline/log-scope.js";
import {
  DEAD_LETTER_ID_ATTRIBUTE,
  DEFERRALS_ATTRIBUTE,
  REPLAY_ATTRIBUTE,
  toWorkRecord,
} from "../pipeline/record.js";

export { DEAD_LETTER_ID_ATTRIBUTE, REPLAY_ATTRIBUTE } from "../pipeline/record.js";

/** Lambda's lower-case attribute shape back to the SDK's, for re-sending. */
function sdkAttributes(record: SQSRecord, omit: string[] = []): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(record.messageAttributes ?? {}))
    if (v?.stringValue !== undefined && !omit.includes(k))
      out[k] = { DataType: v.dataType ?? "String", StringValue: v.stringValue };
  return out;
}

/** The SQS batch handler of the worker Lambda: `(event) => batch response`. */
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function makeSqsBatchHandler(deps: {
  pipeline: Pipeline;
  control: WorkQueueControl;
  logger: AppLogger;
  clock: { now(): number };
}): SqsBatchHandler {
  return async (event) => {
    const byId = new Map(event.Records.map((r) => [r.messageId, r]));
    const records = event.Records.map(toWorkRecord);
    const decisions = await deps.pipeline(records);
    const failures: SQSBatchResponse["batchItemFailures"] = [];
    for (const d of decisions) {
      const record = byId.get(d.messageId) as SQSRecord;
      // The moves' lines name the unit's event too.
      await withLogKeys(recordLogKeys(record), async () => {
        try {
          if (d.action === "retry") {
            await deps.control
              .changeVisibility(record.receiptHandle, d.delayMs / 1000)
              .catch((error) => deps.logger.warn("could not set the retry delay", { error }));
            failures.push({ itemIdentifier: d.messageId });
          } else if (d.action === "defer") {
            const deferrals = toWorkRecord(record).deferrals + 1;
            await deps.control.requeue(
              record.body,
              {
                ...sdkAttributes(record),
                [DEFERRALS_ATTRIBUTE]: { DataType: "Number", StringValue: String(deferrals) },
              },
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
      });
    }
    return { batchItemFailures: failures };
  };
}
