/**
 * SQS's longest message delay (`DelaySeconds` and `ChangeMessageVisibility` beyond a receive are capped at 15
 * minutes): the longest single wait the worker can ask for, whatever an upstream's `retry-after` says.
 */
export const MAX_QUEUE_DELAY_MS = 15 * 60_000;
