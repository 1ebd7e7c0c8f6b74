/** What the pipeline reports as each unit moves (the local stack prints a line per event). */
import type { WorkMessage } from "../schemas/work-message.js";

export interface ProgressEvent {
  stage: "model" | "written" | "quarantined" | "deferred" | "retry" | "duplicate";
  jobId: string;
  useCase: string;
  subject: string;
  detail?: string;
}

export type ProgressReport = (message: WorkMessage, stage: ProgressEvent["stage"], detail?: string) => void;

const subjectOf = (m: WorkMessage) => (m.subject ? `${m.subject.module} ${m.subject.id}` : m.useCase);

/** A reporter over the optional progress callback. */
export function makeProgress(progress?: (event: ProgressEvent) => void): ProgressReport {
  return (message, stage, detail) =>
    progress?.({
      stage,
      jobId: message.jobId,
      useCase: message.useCase,
      subject: subjectOf(message),
      ...(detail ? { detail } : {}),
    });
}
