/** Time source, injectable so tests cross a one-hour token life instantly. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
