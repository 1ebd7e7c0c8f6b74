/**
 * Dead letters as an operator reads them (`dlq list`, `dlq show`, the status page): each one's id, job, use case,
 * reason and time, without taking it off the queue. Reading hides each message for the read's visibility timeout
 * and then makes it visible again at once, so a concurrent replay may wait for it a moment, never lose it.
 */
import type { DeadLetter, ReplayQueues } from "../../ports/replay-queues.js";

export interface DeadLetterView {
  /** The id an operator names it by: the worker's dead letter id, else `sqs:<message id>` (SQS moved it itself). */
  id: string;
  messageId: string;
  jobId: string | undefined;
  useCase: string | undefined;
  subject: string | undefined;
  reason: string | undefined;
  failedAt: string | undefined;
  receiveCount: number | undefined;
  /** The work message as it was dead-lettered. */
  body: string;
}

/** The most dead letters one read returns: a bigger queue is a fault to fix, not a list to page through. */
export const DEAD_LETTER_READ_CAP = 1000;

const fieldOf = (body: string, name: string): string | undefined => {
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[name];
    if (typeof value === "string") return value;
    // A work message's subject is `{service, module, id}`: shown as `Leads 5545974000001234001`.
    if (name === "subject" && value && typeof value === "object") {
      const { module, id } = value as { module?: unknown; id?: unknown };
      return typeof module === "string" && typeof id === "string" ? `${module} ${id}` : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  }
};

/** The view of one dead letter as the queue gives it. */
export function viewOf(letter: DeadLetter): DeadLetterView {
  const a = letter.attributes;
  const count = Number(a.receiveCount?.StringValue);
  return {
    id: a.deadLetterId?.StringValue ?? `sqs:${letter.messageId}`,
    messageId: letter.messageId,
    jobId: fieldOf(letter.body, "jobId"),
    useCase: fieldOf(letter.body, "useCase"),
    subject: fieldOf(letter.body, "subject"),
    reason: a.reason?.StringValue,
    failedAt: a.failedAt?.StringValue,
    receiveCount: Number.isFinite(count) && a.receiveCount ? count : undefined,
    body: letter.body,
  };
}

/** Does `ref` name this dead letter: its id, its SQS message id, or its job id. */
export const matches = (view: DeadLetterView, ref: string): boolean =>
  view.id === ref || view.messageId === ref || view.jobId === ref;

export function makeListDeadLetters(deps: { queues: ReplayQueues }) {
  /** Every dead letter (up to the cap), newest first; each is visible again when this returns. */
  return async function listDeadLetters(): Promise<DeadLetterView[]> {
    const seen: DeadLetter[] = [];
    try {
      while (seen.length < DEAD_LETTER_READ_CAP) {
        const batch = await deps.queues.receiveDeadLetters(10);
        if (batch.length === 0) break;
        seen.push(...batch);
      }
    } finally {
      await Promise.all(seen.map((l) => deps.queues.releaseDeadLetter(l.receiptHandle).catch(() => {})));
    }
    const unique = new Map(seen.map((l) => [l.messageId, viewOf(l)]));
    return [...unique.values()].sort((a, b) => (b.failedAt ?? "").localeCompare(a.failedAt ?? ""));
  };
}
