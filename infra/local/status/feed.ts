/**
 * What the status page shows as "live": counts of events by stage and the latest events and jobs, kept in memory
 * as the local stack's ingest route and the worker's progress report them. Bounded, so a long `npm start` session
 * never grows it without end.
 */
import type { ProgressEvent } from "../../../shared/pipeline/progress.js";

/** The stages an event moves through, in the order the page shows them. */
export const STATUS_STAGES = [
  "received",
  "queued",
  "model",
  "written",
  "quarantined",
  "dead-lettered",
  "retry",
  "deferred",
  "duplicate",
] as const;
export type StatusStage = (typeof STATUS_STAGES)[number];

export interface FeedEvent {
  at: string;
  stage: StatusStage;
  jobId?: string;
  useCase?: string;
  subject?: string;
  detail?: string;
}

/** A job the page lists: what the events said about it (the job store and the org say the rest). */
export interface FeedJob {
  jobId: string;
  useCase?: string;
  /** `<module> <id>` as the pipeline reports it. */
  subject?: string;
  lastStage: StatusStage;
  updatedAt: string;
}

const MAX_EVENTS = 200;
const MAX_JOBS = 50;

export class StatusFeed {
  readonly counts: Record<StatusStage, number> = Object.fromEntries(
    STATUS_STAGES.map((s) => [s, 0]),
  ) as Record<StatusStage, number>;
  private readonly events: FeedEvent[] = [];
  /** Newest last; a job moves to the end when it moves. */
  private readonly jobs = new Map<string, FeedJob>();
  /** Dead letters already counted (the queue is read, not consumed, so each is seen many times). */
  private readonly seenDeadLetters = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A webhook answered: one `received`, and one `queued` per job it accepted. */
  received(path: string, status: number, jobIds: readonly string[]): void {
    this.add({ stage: "received", detail: `${path} -> ${status}` });
    for (const jobId of jobIds) this.add({ stage: "queued", jobId });
  }

  /** The worker's progress report (model, written, quarantined, retry, deferred, duplicate). */
  progress(e: ProgressEvent): void {
    this.add({
      stage: e.stage,
      jobId: e.jobId,
      useCase: e.useCase,
      subject: e.subject,
      ...(e.detail ? { detail: e.detail } : {}),
    });
  }

  /** The dead-letter queue as read now: each dead letter not seen before counts once. */
  deadLetters(
    letters: readonly { messageId: string; jobId?: string | undefined; reason?: string | undefined }[],
  ) {
    for (const l of letters) {
      if (this.seenDeadLetters.has(l.messageId)) continue;
      this.seenDeadLetters.add(l.messageId);
      this.add({
        stage: "dead-lettered",
        ...(l.jobId ? { jobId: l.jobId } : {}),
        ...(l.reason ? { detail: l.reason } : {}),
      });
    }
  }

  /** The latest events, newest first. */
  recentEvents(n = 50): FeedEvent[] {
    return this.events.slice(-n).reverse();
  }

  /** The latest jobs, most recently moved first. */
  recentJobs(n = 20): FeedJob[] {
    return [...this.jobs.values()].slice(-n).reverse();
  }

  private add(e: Omit<FeedEvent, "at">): void {
    const at = new Date(this.now()).toISOString();
    this.counts[e.stage] += 1;
    this.events.push({ at, ...e });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (!e.jobId) return;
    const seen = this.jobs.get(e.jobId);
    this.jobs.delete(e.jobId);
    const useCase = e.useCase ?? seen?.useCase;
    const subject = e.subject ?? seen?.subject;
    this.jobs.set(e.jobId, {
      jobId: e.jobId,
      ...(useCase ? { useCase } : {}),
      ...(subject ? { subject } : {}),
      lastStage: e.stage,
      updatedAt: at,
    });
    if (this.jobs.size > MAX_JOBS) {
      const oldest = this.jobs.keys().next().value;
      if (oldest !== undefined) this.jobs.delete(oldest);
    }
  }
}
