/**
 * Each Lambda function's configured memory (MB), in one light module: the constructs configure it from here, and the
 * benchmarks' cost model (bench/cost/) prices GB-seconds from here, so the two never disagree. Lambda allocates CPU in
 * proportion to memory; 512 MB gives the functions on the event path a third of a vCPU.
 */
export const FUNCTION_MEMORY_MB = {
  /** NodeFunction's default: the token refresher and the notification-channel manager. */
  default: 256,
  ingest: 512,
  worker: 512,
  tools: 512,
} as const;
