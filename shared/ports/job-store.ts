/** What a claim on a unit of work found; a re-claimed job brings the plan an earlier attempt stored. */
export type ClaimResult = { status: "claimed"; plan?: StoredPlan } | { status: "done" } | { status: "busy" };

/** The guarded writes of a job and the steps already done, so a retry neither re-asks the model nor repeats a write. */
export interface StoredPlan {
  writes: unknown[];
  done: number[];
  audit: Record<string, unknown>;
}

/**
 * Idempotency per unit of work, keyed on the connection and the trigger's dedup key: a duplicate or redelivered
 * message finds the job `done` (or `busy` while another worker holds its lease) and never writes twice.
 */
export interface JobStore {
  /** Claims the job for `leaseMs`; an expired lease of a crashed worker can be claimed again. */
  claim(key: string, jobId: string, leaseMs: number): Promise<ClaimResult>;
  /** Stores the guarded plan (after the model call) and, later, which of its steps are done. */
  savePlan(key: string, plan: StoredPlan): Promise<void>;
  /** Marks the job done with what happened (usage, fields written, or the quarantine reason). */
  complete(key: string, outcome: Record<string, unknown>): Promise<void>;
  /** Gives the job back after a retryable failure, so the next delivery can claim it at once (its plan stays). */
  release(key: string): Promise<void>;
  /** Forgets a job that went to the dead-letter queue, so a replay can run it from the start. */
  forget(key: string): Promise<void>;
}
