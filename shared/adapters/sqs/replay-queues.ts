import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeadLetter, ReplayQueues } from "../../ports/replay-queues.js";

/** The work queue and its dead-letter queue, as the replay command uses them. */
export class SqsReplayQueues implements ReplayQueues {
  constructor(
    private readonly client: SQSClient,
    private readonly workQueueUrl: string,
    private readonly deadLetterQueueUrl: string,
    /** How long a received dead letter stays hidden while it is moved. @default 60 */
    private readonly visibilitySeconds = 60,
  ) {}

  async receiveDeadLetters(max: number): Promise<DeadLetter[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        MessageAttributeNames: ["All"],
        VisibilityTimeout: this.visibilitySeconds,
        // Long polling asks every SQS server: a short poll samples a few and can answer nothing while letters wait.
        WaitTimeSeconds: 1,
      }),
    );
    return (out.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? "",
      receiptHandle: m.ReceiptHandle ?? "",
      body: m.Body ?? "",
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {})
          .filter(([, v]) => v.StringValue !== undefined)
          .map(([k, v]) => [k, { DataType: v.DataType ?? "String", StringValue: v.StringValue as string }]),
      ),
    }));
  }

  async sendToWork(body: string, attributes: DeadLetter["attributes"]): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.workQueueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
      }),
    );
  }

  async deleteDeadLetter(receiptHandle: string): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.deadLetterQueueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  async releaseDeadLetter(receiptHandle: string): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.deadLetterQueueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
}
