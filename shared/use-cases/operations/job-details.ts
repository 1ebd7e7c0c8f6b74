/**
 * `jobs show <jobId>`: one job as the job store keeps it, in the terms an operator asks about: its status, what it
 * was about, its steps (the guarded writes, each done or not, and the audit trail), what it wrote, the model's
 * tokens and cost, and the audit it recorded. Read through `statusOf`, as `mediator_job_status` and the status page.
 */
import type { JobStatus, JobStore } from "../../ports/job-store.js";

export interface JobStep {
  index: number;
  kind: string;
  /** The module/record or ticket it writes to. */
  target: string;
  /** Fields it proposes (updates and creates). */
  fields: string[];
  done: boolean;
}

export interface JobDetails {
  jobId: string;
  connection: string;
  status: JobStatus["status"];
  reason?: string;
  trigger?: string;
  useCase?: string;
  model?: string;
  steps: JobStep[];
  audit?: { kind: string; done: boolean };
  written: string[];
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  calls: { label: string; promptTokens: number; completionTokens: number; costMicros: number }[];
  /** The audit the job recorded (model, prompt version, mappings, outcome...), as stored. */
  outcome?: Record<string, unknown>;
  deadLetteredAt?: string;
  deadLetterId?: string;
  replayOf?: string;
  completedAt?: string;
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The use case a trigger names (`flow:<use case>:...`), when its dedup key says. */
const useCaseOfTrigger = (trigger: string | undefined): string | undefined =>
  trigger?.startsWith("flow:") ? trigger.split(":")[1] : undefined;

export function jobDetailsOf(status: JobStatus): JobDetails {
  const plan = status.plan;
  const outcome = status.outcome;
  const audit = (outcome ?? plan?.audit) as Record<string, unknown> | undefined;
  const steps: JobStep[] = (plan?.writes ?? []).map((w, index) => {
    const target =
      "ticketId" in w
        ? `Desk ticket ${w.ticketId}`
        : "module" in w
          ? `${w.module}${"id" in w ? ` ${typeof w.id === "string" ? w.id : `(record of step ${w.id.fromStep})`}` : ""}`
          : "Desk";
    const fields = "proposed" in w ? Object.keys(w.proposed) : [];
    return { index, kind: w.kind, target, fields, done: plan?.done.includes(index) ?? false };
  });
  const usage = (audit?.usage ?? {}) as Record<string, unknown>;
  const calls = Array.isArray(audit?.calls)
    ? (audit.calls as Record<string, unknown>[]).map((c) => ({
        label: str(c.label) ?? "",
        promptTokens: num(c.promptTokens),
        completionTokens: num(c.completionTokens),
        costMicros: num(c.costMicros),
      }))
    : [];
  const written = Array.isArray(outcome?.written) ? (outcome.written as unknown[]).map(String) : [];
  const trigger = status.dedupKey;
  const useCase = useCaseOfTrigger(trigger) ?? str((audit?.outcome as Record<string, unknown>)?.useCase);
  const model = str(audit?.model);
  const completedAt = str(outcome?.completedAt);
  return {
    jobId: status.jobId,
    connection: status.connection,
    status: status.status,
    ...(status.reason ? { reason: status.reason } : {}),
    ...(trigger ? { trigger } : {}),
    ...(useCase ? { useCase } : {}),
    ...(model ? { model } : {}),
    steps,
    ...(plan?.auditStep
      ? {
          audit: {
            kind: plan.auditStep.kind,
            done: plan.auditStep.kind === "in-write" ? steps.every((s) => s.done) : plan.auditStep.done,
          },
        }
      : {}),
    written,
    promptTokens: num(usage.promptTokens),
    completionTokens: num(usage.completionTokens),
    costMicros: Math.round(calls.reduce((sum, c) => sum + c.costMicros, 0)),
    calls,
    ...(outcome ? { outcome } : {}),
    ...(status.deadLetteredAt ? { deadLetteredAt: status.deadLetteredAt } : {}),
    ...(status.deadLetterId ? { deadLetterId: status.deadLetterId } : {}),
    ...(status.replayOf ? { replayOf: status.replayOf } : {}),
    ...(completedAt ? { completedAt } : {}),
  };
}

export function makeShowJob(deps: { jobs: Pick<JobStore, "statusOf"> }) {
  return async (jobId: string): Promise<JobDetails | null> => {
    const status = await deps.jobs.statusOf(jobId);
    return status ? jobDetailsOf(status) : null;
  };
}
