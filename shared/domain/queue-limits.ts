/**
 * SQS's longest message delay (`DelaySeconds` and `ChangeMessageVisibility` beyond a receive are capped at 15
 * minutes): the longest single wait the worker can ask for, whatever an upstream's `retry-after` says.
 */
export const MAX_QUEUE_DELAY_MS = 15 * 60_000;

/**
 * Receives of a unit before it leaves the work queue, by default. Two settings must hold the same value: the queue's
 * redrive `maxReceiveCount` and the worker's `MAX_RECEIVE_COUNT`. The pipeline dead-letters a unit itself on its last
 * receive, with the reason; a queue that gave up earlier would move it to the dead-letter queue without one.
 */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
