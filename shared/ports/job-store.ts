import type { StoredPlan } from "../schemas/stored-plan.js";

export type { AuditInfo, AuditStep, CapSlot, StoredPlan } from "../schemas/stored-plan.js";

/**
 * What a claim on a unit of work found. A re-claimed job brings the plan an earlier attempt stored; `replay` says
 * the claim is an operator's replay of a dead-lettered job. A dead-lettered job stays dead-lettered (with its
 * reason) for every delivery except its one replay.
 */
export type ClaimResult =
  | { status: "claimed"; plan?: StoredPlan; replay?: boolean }
  | { status: "done" }
  | { status: "busy" }
  | {
      status: "dead-lettered";
      reason: string;
      /** The dead letter's id, and the SQS message that was dead-lettered (to re-send it if its move failed). */
      deadLetterId: string;
      messageId: string;
    };

/** What happened to a pipeline job, as `mediator_job_status` tells an agent. */
export interface JobStatus {
  jobId: string;
  /** The Zoho connection the job ran on (a key sees only its own connection's jobs). */
  connection: string;
  status: "in-progress" | "replaying" | "done" | "dead-lettered";
  /** The dead letter's reason, when dead-lettered. */
  reason?: string;
  /** What the job recorded when done (fields written, usage, outcome). */
  outcome?: Record<string, unknown>;
  /** The trigger's dedup key (what the job is about: `crm:Leads:<id>:<modified time>`...). */
  dedupKey?: string;
  /** The guarded plan: its writes, which are done, the audit step (kept after completion, for `jobs show`). */
  plan?: StoredPlan;
  /** When dead-lettered (ISO time), and the dead letter's id an operator's replay carries. */
  deadLetteredAt?: string;
  deadLetterId?: string;
  /** The dead letter this job's current run replays. */
  replayOf?: string;
}

/**
 * Idempotency per unit of work, keyed on the connection and the trigger's dedup key: a duplicate or redelivered
 * message finds the job `done` (or `busy` while another worker holds its lease) and never writes twice.
 *
 * States: in progress -> done, or -> dead-lettered; dead-lettered -> replaying (once per dead letter, atomically)
 * -> done or dead-lettered again. Done and dead-lettered jobs are kept (TTL) longer than any redelivery.
 */
export interface JobStore {
  /**
   * Claims the job for `leaseMs`; an expired lease of a crashed worker can be claimed again. With `replayId` (the
   * id of the dead letter an operator replays), a dead-lettered job moves to replaying, once per `replayId`.
   */
  claim(key: string, jobId: string, leaseMs: number, options?: { replayId?: string }): Promise<ClaimResult>;
  /** Stores the guarded plan (after the model call) and, later, which of its steps are done. */
  savePlan(key: string, plan: StoredPlan): Promise<void>;
  /**
   * A job by its id (the ingest's answer carries it), or null when unknown or expired. The claim keeps a pointer
   * from the job id to its key, so no scan is needed.
   */
  statusOf(jobId: string): Promise<JobStatus | null>;
  /** Marks the job done with what happened (usage, fields written). */
  complete(key: string, outcome: Record<string, unknown>): Promise<void>;
  /** Gives the job back after a retryable failure, so the next delivery can claim it at once (its plan stays). */
  release(key: string): Promise<void>;
  /**
   * Records that the job went to the dead-letter queue: its reason and the dead letter's id (which a replay of it
   * carries). The plan stays, so a replay resumes a partly written job instead of writing its steps again.
   */
  deadLetter(
    key: string,
    deadLetter: { reason: string; deadLetterId: string; messageId: string },
  ): Promise<void>;

  // Batch forms, for the pipeline's batch stages (issue 14: at most 2 DynamoDB requests per event on average).
  // Each has exactly the semantics of its single form applied to every entry; only the number of requests differs.

  /**
   * Claims every job of a batch: results in request order, each exactly what `claim` would answer for it. Two
   * workers claiming overlapping keys at once never both get one key. Throws (a retryable error) only when the store
   * cannot be reached; then no claim of the batch may be assumed held (the caller releases nothing and retries all).
   */
  claimMany(requests: readonly ClaimRequest[], leaseMs: number): Promise<ClaimResult[]>;
  /** Stores the plans of several jobs (as `savePlan` each). Throws when any could not be stored. */
  savePlans(entries: readonly { key: string; plan: StoredPlan }[]): Promise<void>;
  /** Marks several jobs done (as `complete` each). Throws when any could not be marked. */
  completeMany(entries: readonly { key: string; outcome: Record<string, unknown> }[]): Promise<void>;
}

/** One job to claim in `claimMany`. */
export interface ClaimRequest {
  key: string;
  jobId: string;
  /** The dead letter an operator's replay carries (see `claim`). */
  replayId?: string;
}
