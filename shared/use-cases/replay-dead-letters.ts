/**
 * Replays dead letters: moves them from the dead-letter queue back to the work queue, each marked as the replay of
 * its dead letter (message attribute `replay` = the `deadLetterId` the worker stamped on it). The worker lets that
 * mark run the dead-lettered job once (DEAD_LETTERED -> REPLAYING in the job store); the job then ends written or
 * dead-lettered again, with a new dead letter id. Without the mark, a delivery of a dead-lettered job is
 * acknowledged without work (it is a duplicate).
 *
 * Each message is sent before it is deleted, so a crash in between leaves it in both queues: the copy replayed
 * later carries the same mark, which the job store has already spent, so the job still runs once. The worker's
 * bookkeeping attributes (reason, time, receive count, deferrals) are dropped, so a replay starts with fresh
 * receives and waits. Dead letters that arrive while the replay runs (it may dead-letter again) are left alone.
 */

import type { DeadLetter, ReplayQueues } from "../ports/replay-queues.js";

export type { DeadLetter, ReplayQueues };

export interface ReplayResult {
  replayed: { messageId: string; jobId: string | undefined; reason: string | undefined }[];
  /** Left in the dead-letter queue: failed to move (the error), or dead-lettered while this replay ran. */
  left: number;
}

/**
 * At most this many dead letters are read past by one replay. A receive hides a letter only for the queue's
 * visibility window, so on a very large queue the first letters come back into view: the replay also stops when it
 * meets a letter it already read, rather than circling the queue for ever.
 */
export const REPLAY_SCAN_CAP = 10_000;

/** Attributes the worker adds to a dead letter; a replay starts without them. */
const BOOKKEEPING = ["reason", "failedAt", "receiveCount", "deferrals", "deadLetterId", "replay"];

export function makeReplayDeadLetters(deps: { queues: ReplayQueues; now?: () => number }) {
  const now = deps.now ?? Date.now;
  /**
   * `jobId`: only that job's dead letter(s) (`dlq replay --job`); the others are read past, kept hidden until the
   * replay ends (so the read does not meet them again) and then made visible at once, untouched.
   */
  return async function replayDeadLetters(
    options: { limit?: number; jobId?: string } = {},
  ): Promise<ReplayResult> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const startedAt = now();
    const result: ReplayResult = { replayed: [], left: 0 };
    const passedOver: string[] = [];
    try {
      await replayUntil(limit, startedAt, options.jobId, result, passedOver);
    } finally {
      await Promise.all(passedOver.map((h) => deps.queues.releaseDeadLetter(h).catch(() => {})));
    }
    return result;
  };

  async function replayUntil(
    limit: number,
    startedAt: number,
    jobId: string | undefined,
    result: ReplayResult,
    passedOver: string[],
  ): Promise<void> {
    const seen = new Set<string>();
    while (result.replayed.length < limit && seen.size < REPLAY_SCAN_CAP) {
      const received = await deps.queues.receiveDeadLetters(
        jobId ? 10 : Math.min(10, limit - result.replayed.length),
      );
      // A letter read before is back in view: the whole queue has been read once.
      const again = received.filter((l) => seen.has(l.messageId));
      for (const l of again) passedOver.push(l.receiptHandle);
      const batch = received.filter((l) => !seen.has(l.messageId));
      for (const l of batch) seen.add(l.messageId);
      if (batch.length === 0) break;
      let stop = again.length > 0;
      // Another job's letters are set aside first, so even a failed move below leaves them to be made visible.
      const mine = jobId === undefined ? batch : batch.filter((l) => jobIdOf(l.body) === jobId);
      if (jobId !== undefined) for (const l of batch) if (!mine.includes(l)) passedOver.push(l.receiptHandle);
      for (const letter of mine) {
        if (result.replayed.length >= limit) {
          passedOver.push(letter.receiptHandle);
          continue;
        }
        const failedAt = Date.parse(letter.attributes.failedAt?.StringValue ?? "");
        if (stop || failedAt >= startedAt) {
          // Dead-lettered after this replay began (perhaps by it): the next replay's business, not this one's.
          stop = true;
          result.left += 1;
          await deps.queues.releaseDeadLetter(letter.receiptHandle).catch(() => {});
          continue;
        }
        const attributes = Object.fromEntries(
          Object.entries(letter.attributes).filter(([k]) => !BOOKKEEPING.includes(k)),
        );
        // The dead letter's own id when the worker stamped one; else (SQS moved it) its message id, harmlessly.
        const mark = letter.attributes.deadLetterId?.StringValue ?? `sqs:${letter.messageId}`;
        attributes.replay = { DataType: "String", StringValue: mark };
        await deps.queues.sendToWork(letter.body, attributes);
        await deps.queues.deleteDeadLetter(letter.receiptHandle);
        result.replayed.push({
          messageId: letter.messageId,
          jobId: jobIdOf(letter.body),
          reason: letter.attributes.reason?.StringValue,
        });
      }
      if (stop) break;
    }
  }
}

function jobIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { jobId?: unknown }).jobId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
