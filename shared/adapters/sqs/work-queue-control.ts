import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * What the worker does to a message besides acknowledging it: delay its redelivery, re-queue it to wait, or move
 * it to the dead-letter queue itself, with the reason as message attributes (SQS's own redrive carries none).
 */
export class WorkQueueControl {
  constructor(
    private readonly client: SQSClient,
    private readonly workQueueUrl: string,
    private readonly deadLetterQueueUrl: string,
  ) {}

  changeVisibility(receiptHandle: string, seconds: number): Promise<unknown> {
    return this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.workQueueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
      }),
    );
  }

  requeue(
    body: string,
    attributes: Record<string, MessageAttributeValue>,
    delaySeconds: number,
  ): Promise<unknown> {
    return this.client.send(
      new SendMessageCommand({
        QueueUrl: this.workQueueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
        DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      }),
    );
  }

  deadLetter(body: string, attributes: Record<string, MessageAttributeValue>): Promise<unknown> {
    return this.client.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
      }),
    );
  }
}
