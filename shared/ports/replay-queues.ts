/**
 * The two queues as `replay-dead-letters` needs them. A port, so the SQS adapter implements it without importing
 * the use case (adapters never import use cases).
 */

/** A dead letter as the queue gives it; attributes in the SDK's shape. */
export interface DeadLetter {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue: string }>;
}

/** The two queues as the replay needs them. */
export interface ReplayQueues {
  /** Up to `max` (at most 10) dead letters, hidden from other readers for a while; none when the queue is empty. */
  receiveDeadLetters(max: number): Promise<DeadLetter[]>;
  sendToWork(body: string, attributes: DeadLetter["attributes"]): Promise<void>;
  deleteDeadLetter(receiptHandle: string): Promise<void>;
  /** Makes a received dead letter visible again at once (it is not replayed now). */
  releaseDeadLetter(receiptHandle: string): Promise<void>;
}
