/**
 * The log keys of the worker's units (shared/observability/log-context.ts): each unit's stages run in a scope with
 * its `correlation_id` and `job_id`, so every line they log, the Zoho calls' included, names the event. The CRM
 * writes are batched across units: a batch call's lines carry the ids of every unit in it.
 */
import { isCorrelationId } from "../observability/correlation.js";
import type { LogKeys } from "../observability/log-context.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { WorkRecord } from "./record.js";

const JOB_ID = /^[0-9a-f-]{36}$/i;

/**
 * A record's keys, read before (and whatever) the schema decides: only values of the shape the message schema
 * allows are kept, so an invalid message's body never reaches a log line through them.
 */
export function recordLogKeys(record: Pick<WorkRecord, "body">): LogKeys {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return {};
  }
  if (body === null || typeof body !== "object") return {};
  const { jobId, correlationId } = body as Record<string, unknown>;
  return {
    ...(isCorrelationId(correlationId) ? { correlation_id: correlationId } : {}),
    ...(typeof jobId === "string" && JOB_ID.test(jobId) ? { job_id: jobId } : {}),
  };
}

/** The keys of a message's unit. */
export const messageLogKeys = (message: WorkMessage): LogKeys => ({
  job_id: message.jobId,
  ...(message.correlationId ? { correlation_id: message.correlationId } : {}),
});

/** The keys of units written together: one unit's ids as strings, several units' as lists. */
export function unitsLogKeys(messages: readonly WorkMessage[]): LogKeys {
  if (messages.length === 1) return messageLogKeys(messages[0] as WorkMessage);
  const correlationIds = [...new Set(messages.flatMap((m) => (m.correlationId ? [m.correlationId] : [])))];
  return {
    job_id: messages.map((m) => m.jobId),
    ...(correlationIds.length > 0 ? { correlation_id: correlationIds } : {}),
  };
}
