import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { UpstreamRejectedError, UpstreamUnavailableError } from "../../errors.js";
import type { Queue } from "../../ports/queue.js";
import type { WorkMessage } from "../../schemas/work-message.js";

/**
 * SQS error codes that mean "this message's content or size is unacceptable", not "the queue is unavailable":
 * sending the same message again cannot succeed, so they become a non-retryable UpstreamRejectedError (a 4xx at
 * ingest) instead of a 503 that senders would retry forever.
 */
export const QUEUE_CONTENT_CODES = new Set([
  "InvalidMessageContents",
  "MessageTooLong",
  "BatchRequestTooLong",
  "AWS.SimpleQueueService.BatchRequestTooLong",
  "InvalidParameterValue",
  "InvalidAttributeValue",
  "InvalidAttributeName",
]);

/**
 * SQS is "query compatible": the SDK may report a code as `AWS.SimpleQueueService.InvalidMessageContents` (from the
 * `x-amzn-query-error` header) as well as `InvalidMessageContents` (the error's name). Both mean the same refusal.
 */
const contentCode = (...codes: (string | undefined)[]): string | undefined =>
  codes
    .map((c) => c?.replace(/^AWS\.SimpleQueueService\./, ""))
    .find((c): c is string => c !== undefined && QUEUE_CONTENT_CODES.has(c));

const contentRefused = (code: string, what: string) =>
  new UpstreamRejectedError("aws", `SQS refused ${what} (${code})`, code, undefined, { status: 400 });

/**
 * The Queue port over SQS. One message per unit of work; the body is the versioned WorkMessage, and the use case,
 * connection, source and dedup key ride along as message attributes so consumers and tools can route without
 * parsing the body. Batches go ten at a time; a partly failed batch is an error for the whole request, which
 * the trigger's sender retries (duplicates are harmless: the worker is idempotent on the dedup key).
 */
export class SqsQueue implements Queue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  private static attributes(m: WorkMessage) {
    return {
      useCase: { DataType: "String", StringValue: m.useCase },
      connection: { DataType: "String", StringValue: m.connection },
      source: { DataType: "String", StringValue: m.source },
      dedupKey: { DataType: "String", StringValue: m.dedupKey },
      schemaVersion: { DataType: "Number", StringValue: String(m.v) },
    };
  }

  async send(messages: WorkMessage[]): Promise<{ messageIds: string[] }> {
    try {
      if (messages.length === 1) {
        const m = messages[0] as WorkMessage;
        const out = await this.client.send(
          new SendMessageCommand({
            QueueUrl: this.queueUrl,
            MessageBody: JSON.stringify(m),
            MessageAttributes: SqsQueue.attributes(m),
          }),
        );
        return { messageIds: [out.MessageId ?? ""] };
      }
      const ids: string[] = [];
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const out = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((m, k) => ({
              Id: String(k),
              MessageBody: JSON.stringify(m),
              MessageAttributes: SqsQueue.attributes(m),
            })),
          }),
        );
        const refused = out.Failed?.map((f) => contentCode(f.Code)).find((c) => c !== undefined);
        if (refused) throw contentRefused(refused, "a message's content");
        if (out.Failed?.length)
          throw new UpstreamUnavailableError(
            "aws",
            `SQS refused ${out.Failed.length} of ${chunk.length} messages (${out.Failed[0]?.Code})`,
          );
        ids.push(...(out.Successful ?? []).map((s) => s.MessageId ?? ""));
      }
      return { messageIds: ids };
    } catch (error) {
      if (error instanceof UpstreamUnavailableError || error instanceof UpstreamRejectedError) throw error;
      const code = contentCode((error as { Code?: string }).Code, (error as Error).name);
      if (code) throw contentRefused(code, "the message's content");
      throw new UpstreamUnavailableError("aws", `SQS send failed (${(error as Error).name})`, {
        cause: error,
      });
    }
  }
}
