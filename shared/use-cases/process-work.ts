/**
 * The worker pipeline for one SQS batch. Per unit of work: claim it (idempotency), check budgets, load context from
 * Zoho, take a slot of the record's daily write cap (before the model call), ask the model for structured output
 * (one repair attempt), guard every proposed write against Zoho's live metadata and the use case's allow-list, then
 * write. CRM updates of one module are combined across the batch (up to 100 records per call, always
 * `"trigger": []`), and each written record gets its audit trail, a step of the stored plan like the writes.
 *
 * Every record ends in exactly one decision: `ack` (written, duplicate), `retry` (back to the queue after a delay),
 * `defer` (re-queued to wait for a budget, a repaired connection or Zoho credits, without using up receives) or
 * `dead-letter` (with the reason). The SQS adapter carries the decisions out.
 */
import { randomUUID } from "node:crypto";
import type { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import { MAX_QUEUE_DELAY_MS } from "../domain/queue-limits.js";
import { DEFAULT_WAIT_RECHECK_MS, waitDelay } from "../domain/waiting.js";
import { guardPartial } from "../domain/write-guard.js";
import {
  AppError,
  ConnectionBrokenError,
  LlmOutputError,
  RefreshThrottledError,
  WorkMustWaitError,
} from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { Clock } from "../ports/clock.js";
import type { CapSlot, JobStore, StoredPlan } from "../ports/job-store.js";
import type { Ledger } from "../ports/ledger.js";
import type { Llm, LlmUsage } from "../ports/llm.js";
import type { Metrics } from "../ports/metrics.js";
import { anyStepDone } from "../schemas/stored-plan.js";
import { type WorkMessage, WorkMessageSchema } from "../schemas/work-message.js";
import { auditNote, auditNoteExists, auditStepFor, auditText } from "../worker/audit.js";
import { makeWriteCap, recordKeyOf } from "../worker/budget-check.js";
import { DeskFromAddress } from "../worker/desk-from-address.js";
import type { FieldMetadata } from "../worker/field-metadata.js";
import { invalidateOnRejection } from "../worker/field-metadata.js";
import { MappingBinder } from "../worker/mapping-binder.js";
import type { AnyWorkerUseCase, PlannedWrite, WorkerUseCase } from "./worker/types.js";

export interface WorkerRecord {
  messageId: string;
  body: string;
  /** SQS ApproximateReceiveCount. */
  receiveCount: number;
  /** How often this unit already waited for a budget or a connection. */
  deferrals: number;
  /** Set on an operator's replay of a dead letter: the id of that dead letter (lets its dead-lettered job run once). */
  replayId?: string;
}

export type Decision =
  | { messageId: string; action: "ack"; result: "written" | "duplicate" }
  | { messageId: string; action: "retry"; delayMs: number; reason: string }
  | { messageId: string; action: "defer"; delayMs: number; reason: string }
  | { messageId: string; action: "dead-letter"; reason: string; deadLetterId: string };

export interface WorkerConfig {
  modelFor(useCase: string): string;
  /** Receives after which a failing unit goes to the dead-letter queue with its reason. */
  maxReceiveCount: number;
  /** Deferrals after which a waiting unit goes to the dead-letter queue. */
  maxDeferrals: number;
  /** AI writes per record per day: the circuit breaker against loops. */
  recordWriteCap: number;
  /** Tokens per use case per UTC day; when spent, work waits. */
  tokenBudgetPerDay(useCase: string): number;
  /** Below this many Zoho credits left, work waits. */
  creditsLowWater: number;
  /** Audit trail of an AI write: a note on the record, or a text field written with the update. */
  audit: { mode: "note" | "field"; field: string };
  /** Put a note (CRM) or private comment (Desk) on the record when a write is quarantined. */
  quarantineNote: boolean;
  /** Send the suggested Desk reply instead of saving a draft (off by default: an agent reviews drafts). */
  sendReplies: { enabled: boolean; fromAddress: string | null };
  /** Micro-dollars per million tokens, for the cost record. */
  price(model: string): { prompt: number; completion: number };
  /** How long a claim lasts: longer than one batch can take. */
  leaseMs: number;
  /** First retry delay; doubles with each receive, capped at 15 minutes. */
  retryBaseMs: number;
  /** Re-check interval of work waiting on a repair (broken connection, missing required field). @default 20_000 */
  waitRecheckMs?: number;
}

export interface ProgressEvent {
  stage: "model" | "written" | "quarantined" | "deferred" | "retry" | "duplicate";
  jobId: string;
  useCase: string;
  subject: string;
  detail?: string;
}

export interface WorkerDeps {
  registry: Partial<Record<string, AnyWorkerUseCase>>;
  llm: Llm;
  jobs: JobStore;
  ledger: Ledger;
  metadata: FieldMetadata;
  zohoFor(connection: string): ZohoHttpClient;
  clock: Clock;
  logger: AppLogger;
  metrics: Metrics;
  config: WorkerConfig;
  /** Called as each unit moves (the local stack prints a line per event). */
  progress?: (event: ProgressEvent) => void;
}

/** A unit that reached the write phase with its guarded writes. */
interface Ready {
  record: WorkerRecord;
  message: WorkMessage;
  key: string;
  zoho: ZohoHttpClient;
  plan: StoredPlan;
  /** The plan came from an earlier attempt (which may have written a step without recording it). */
  resumed: boolean;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const subjectOf = (m: WorkMessage) => (m.subject ? `${m.subject.module} ${m.subject.id}` : m.useCase);

export function makeProcessWork(deps: WorkerDeps) {
  const { config, logger, metrics } = deps;
  const binder = new MappingBinder({
    metadata: deps.metadata,
    logger,
    metrics,
    recheckMs: config.waitRecheckMs ?? DEFAULT_WAIT_RECHECK_MS,
  });
  const deskFrom = new DeskFromAddress(config.sendReplies.fromAddress, deps.clock);
  const writeCap = makeWriteCap(deps.ledger, config.recordWriteCap);
  /** Plans of the units in this batch's write phase, by job key: a dead letter gives back an unused cap slot. */
  const plans = new Map<string, StoredPlan>();

  const report = (message: WorkMessage, stage: ProgressEvent["stage"], detail?: string) => {
    deps.progress?.({
      stage,
      jobId: message.jobId,
      useCase: message.useCase,
      subject: subjectOf(message),
      ...(detail ? { detail } : {}),
    });
  };

  /** Exponential backoff by receive count, or the upstream's own wait when it gave one; at most 15 minutes. */
  const backoff = (record: WorkerRecord, error?: AppError) =>
    Math.min(
      MAX_QUEUE_DELAY_MS,
      Math.max(error?.retryAfterMs ?? 0, config.retryBaseMs * 2 ** Math.max(0, record.receiveCount - 1)),
    );

  /** Turns an error into a decision, releasing or forgetting the claim accordingly. */
  async function decide(
    record: WorkerRecord,
    message: WorkMessage | undefined,
    key: string | undefined,
    error: unknown,
  ): Promise<Decision> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const waits =
      error instanceof ConnectionBrokenError ||
      error instanceof RefreshThrottledError ||
      error instanceof WorkMustWaitError;
    const waitMs = waits ? waitDelay(error as AppError, record.deferrals, config) : undefined;
    if (waitMs !== undefined) {
      if (key) await deps.jobs.release(key).catch(() => {});
      if (message) report(message, "deferred", reason);
      metrics.count("Deferred", 1, { reason: (error as AppError).kind });
      return {
        messageId: record.messageId,
        action: "defer",
        delayMs: waitMs,
        reason,
      };
    }
    const retryable = error instanceof AppError ? error.retryable && !waits : true;
    if (retryable && record.receiveCount < config.maxReceiveCount) {
      if (key) await deps.jobs.release(key).catch(() => {});
      if (message) report(message, "retry", reason);
      metrics.count("Retried", 1, { kind: error instanceof AppError ? error.kind : "bug" });
      if (!(error instanceof AppError))
        logger.error("unexpected error in the worker", { error, jobId: message?.jobId });
      return {
        messageId: record.messageId,
        action: "retry",
        delayMs: backoff(record, error instanceof AppError ? error : undefined),
        reason,
      };
    }
    return quarantine(record, message, key, reason);
  }

  async function quarantine(
    record: WorkerRecord,
    message: WorkMessage | undefined,
    key: string | undefined,
    reason: string,
  ): Promise<Decision> {
    const deadLetterId = randomUUID();
    if (key) {
      // A plan that wrote nothing gives its cap slot back: a refused or failed write cannot start a loop.
      const plan = plans.get(key);
      if (plan && !anyStepDone(plan))
        await writeCap
          .giveBack(plan.capSlot)
          .catch((error) => logger.warn("cap slot not given back", { error }));
      // The job stays dead-lettered: duplicates are acknowledged without work; only a replay of this dead letter
      // runs it again. If this fails the record stays on the queue (the handler cannot move it), so nothing is lost.
      try {
        await deps.jobs.deadLetter(key, { reason, deadLetterId, messageId: record.messageId });
      } catch (error) {
        logger.error("could not record a dead letter; the unit stays on the queue", { error, reason });
        await deps.jobs.release(key).catch(() => {});
        return {
          messageId: record.messageId,
          action: "retry",
          delayMs: backoff(record),
          reason: `could not record the dead letter (${reason})`,
        };
      }
    }
    if (message) report(message, "quarantined", reason);
    metrics.count("Quarantined", 1, { useCase: message?.useCase ?? "unknown" });
    logger.warn("unit of work quarantined", { jobId: message?.jobId, useCase: message?.useCase, reason });
    return { messageId: record.messageId, action: "dead-letter", reason, deadLetterId };
  }

  /** Leaves a human-readable trace on the record when a write was refused. Best effort. */
  async function quarantineNote(
    zoho: ZohoHttpClient,
    useCase: WorkerUseCase,
    loaded: unknown,
    message: WorkMessage,
    reason: string,
  ) {
    if (!config.quarantineNote) return;
    const target = useCase.auditTarget(loaded);
    const text = `The AI ${message.useCase} result was not applied (job ${message.jobId}): ${reason}`;
    try {
      if (target.service === "crm") {
        await zoho.request({
          service: "crm",
          method: "POST",
          path: "/crm/v8/Notes",
          body: {
            data: [
              {
                Note_Title: "AI write quarantined",
                Note_Content: text,
                Parent_Id: { module: { api_name: target.module }, id: target.id },
              },
            ],
            trigger: [],
          },
        });
      } else {
        await zoho.request({
          service: "desk",
          method: "POST",
          path: `/api/v1/tickets/${target.ticketId}/comments`,
          body: { isPublic: false, contentType: "plainText", content: text },
        });
      }
    } catch (error) {
      logger.warn("could not leave a quarantine note", { jobId: message.jobId, error });
    }
  }

  async function callModel(
    schema: WorkerUseCase["outputSchema"],
    message: WorkMessage,
    prompt: { system: string; user: string },
  ) {
    const model = config.modelFor(message.useCase);
    const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
    const record = async (u: LlmUsage) => {
      usage.promptTokens += u.promptTokens;
      usage.completionTokens += u.completionTokens;
      const price = config.price(model);
      usageBook.add(
        message.useCase,
        day(deps.clock.now()),
        u,
        (u.promptTokens * price.prompt + u.completionTokens * price.completion) / 1e6,
      );
    };
    report(message, "model", model);
    let repairHint: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const result = await deps.llm.ask({
          model,
          ...prompt,
          schema,
          schemaName: message.useCase.replace(/-/g, "_"),
          ...(repairHint ? { repairHint } : {}),
        });
        await record(result.usage);
        return { output: result.value, model: result.model, usage };
      } catch (error) {
        if (!(error instanceof LlmOutputError)) throw error;
        const spent = (error as { usage?: LlmUsage }).usage;
        if (spent) await record(spent);
        if (attempt === 1) throw new ModelOutputRejected(`model output failed twice: ${error.message}`);
        repairHint = error.message;
        metrics.count("ModelRepairAttempt", 1, { useCase: message.useCase });
      }
    }
    throw new ModelOutputRejected("unreachable");
  }

  /** Phase one: everything up to a stored, guarded plan. Returns the unit ready to write, or a decision. */
  async function prepare(record: WorkerRecord): Promise<Ready | Decision> {
    let message: WorkMessage;
    try {
      message = WorkMessageSchema.parse(JSON.parse(record.body));
    } catch {
      return quarantine(record, undefined, undefined, "not a valid work message (schema v1)");
    }
    const useCase = deps.registry[message.useCase];
    if (!useCase)
      return quarantine(
        record,
        message,
        undefined,
        `no worker use case "${message.useCase}" is enabled in this deployment`,
      );
    const key = `${message.connection}|${message.dedupKey}`;
    let zoho: ZohoHttpClient;
    try {
      zoho = deps.zohoFor(message.connection);
      const claim = await deps.jobs.claim(
        key,
        message.jobId,
        config.leaseMs,
        record.replayId ? { replayId: record.replayId } : {},
      );
      if (claim.status === "dead-lettered" && claim.messageId === record.messageId)
        // The very message that was dead-lettered is back: moving it to the dead-letter queue failed. Move it again.
        return {
          messageId: record.messageId,
          action: "dead-letter",
          reason: claim.reason,
          deadLetterId: claim.deadLetterId,
        };
      if (claim.status === "done" || claim.status === "dead-lettered") {
        // A dead-lettered job's duplicate (or a second replay of one dead letter) does no work: its dead letter
        // is the one place the event waits, and only a replay of it runs the job again.
        report(message, "duplicate", claim.status === "dead-lettered" ? "of a dead-lettered job" : undefined);
        metrics.count("Duplicate", 1, { useCase: message.useCase });
        return { messageId: record.messageId, action: "ack", result: "duplicate" };
      }
      if (claim.status === "busy")
        return {
          messageId: record.messageId,
          action: "retry",
          delayMs: 30_000,
          reason: "another worker holds this job",
        };
      // A replay resumes a plan that wrote something (never writing a step twice); one that wrote nothing starts
      // over, so a cause fixed since (a field, a picklist, the model) takes effect.
      if (claim.plan && !(claim.replay && !anyStepDone(claim.plan)))
        return { record, message, key, zoho, plan: claim.plan, resumed: true };
    } catch (error) {
      return decide(record, message, undefined, error);
    }

    /** The write-cap slot this attempt took; given back unless a stored plan holds it. */
    let slot: CapSlot | undefined;
    let planStored = false;
    try {
      const now = deps.clock.now();
      if (zoho.creditsRemaining !== undefined && zoho.creditsRemaining < config.creditsLowWater) {
        throw new WorkMustWaitError(`Zoho API credits are low (${zoho.creditsRemaining} left)`, {
          retryAfterMs: MAX_QUEUE_DELAY_MS,
        });
      }
      const budget = config.tokenBudgetPerDay(message.useCase);
      if ((await usageBook.spent(message.useCase, day(now))) >= budget) {
        const untilTomorrow = Date.parse(`${day(now + 86_400_000)}T00:00:00Z`) - now;
        throw new WorkMustWaitError(`daily token budget of ${budget} for ${message.useCase} is spent`, {
          retryAfterMs: Math.min(untilTomorrow, MAX_QUEUE_DELAY_MS),
        });
      }
      const input = useCase.inputSchema.safeParse(message.input);
      if (!input.success)
        return quarantine(
          record,
          message,
          key,
          `input does not fit ${message.useCase}: ${input.error.issues.map((i) => i.path.join(".")).join(", ")}`,
        );
      // The use case's targets bound to the org's live fields; a required one missing makes its events wait.
      const binding = await binder.bind(useCase, message.connection, zoho);
      const env = {
        zoho,
        connection: message.connection,
        now: new Date(now),
        crmFields: (module: string) => deps.metadata.crm(zoho, message.connection, module),
        ...(binding ? { binding } : {}),
      };
      const loaded = await useCase.load(env, input.data, message);
      // The loop breaker before the model call: a record past its daily cap costs no model call.
      const target = useCase.auditTarget(loaded);
      slot = await writeCap.take(recordKeyOf(message.connection, target), now);
      if (!slot) {
        metrics.count("RecordWriteCapReached", 1, { useCase: message.useCase });
        return quarantine(
          record,
          message,
          key,
          `AI write cap of ${config.recordWriteCap} per record per day reached (loop breaker)`,
        );
      }
      const schema = useCase.schemaFor?.(loaded) ?? useCase.outputSchema;
      const { output, model, usage } = await callModel(schema, message, useCase.prompt(loaded));
      const planned = useCase.plan(output, loaded, env);

      // The guard: all or nothing, except values the use case may drop (named in the audit trail).
      const guarded: PlannedWrite[] = [];
      const problems: string[] = [];
      const mappings: string[] = [];
      const dropped: string[] = [];
      for (const write of planned) {
        if (write.kind === "crm-update" || write.kind === "desk-ticket-update") {
          const fields =
            write.kind === "crm-update"
              ? await deps.metadata.crm(zoho, message.connection, write.module)
              : await deps.metadata.desk(zoho, message.connection, "tickets");
          const result = guardPartial(write.proposed, fields, write.allowList, write.droppable);
          if (!result.ok) problems.push(...result.problems.map((p) => `${p.field}: ${p.reason}`));
          else {
            guarded.push({ ...write, proposed: result.fields });
            mappings.push(...result.mapped.map((m) => `${m.field} "${m.from}" -> "${m.to}"`));
            dropped.push(...result.dropped.map((p) => `${p.field}: ${p.reason}`));
          }
        } else if (write.content.length === 0 || write.content.length > 32_000) {
          problems.push(`${write.kind}: content must be 1 to 32000 characters`);
        } else if (write.kind === "desk-reply") {
          // Desk refuses an e-mail draft or reply without an active from address: resolved before any write.
          const from = await deskFrom.for(zoho, message.connection, write.departmentId);
          guarded.push({ ...write, fromEmailAddress: from });
        } else guarded.push(write);
      }
      if (problems.length) {
        const reason = `write guard rejected the model output: ${problems.join("; ")}`;
        await quarantineNote(zoho, useCase, loaded, message, reason);
        return quarantine(record, message, key, reason);
      }
      const plan: StoredPlan = {
        writes: guarded,
        done: [],
        audit: {
          model,
          promptVersion: useCase.promptVersion,
          jobId: message.jobId,
          usage,
          mappings,
          ...(dropped.length ? { dropped } : {}),
        },
        auditStep: auditStepFor(config.audit.mode, guarded),
        capSlot: slot,
      };
      await deps.jobs.savePlan(key, plan);
      planStored = true;
      return { record, message, key, zoho, plan, resumed: false };
    } catch (error) {
      if (error instanceof ModelOutputRejected) return quarantine(record, message, key, error.message);
      return decide(record, message, key, error);
    } finally {
      // Nothing of this attempt will be written: the record's cap slot is not used up.
      if (slot && !planStored)
        await writeCap.giveBack(slot).catch((error) => logger.warn("cap slot not given back", { error }));
    }
  }

  /**
   * Phase two for CRM: one PUT per module and up to 100 records, `"trigger": []`; then the audit notes. Each step is
   * recorded in the stored plan as it succeeds, so a redelivery after a crash neither repeats the update nor loses
   * or duplicates the note. A failed note is retried like a failed write (the update is not written again).
   */
  async function writeCrm(units: Ready[], decisions: Map<string, Decision>) {
    type Item = { unit: Ready; write: Extract<PlannedWrite, { kind: "crm-update" }>; index: number };
    const group = (items: Item[]) => {
      const groups = new Map<string, Item[]>();
      for (const item of items) {
        const key = `${item.unit.message.connection}|${item.write.module}`;
        groups.set(key, [...(groups.get(key) ?? []), item]);
      }
      return [...groups.values()].flatMap((g) =>
        Array.from({ length: Math.ceil(g.length / 100) }, (_, i) => g.slice(i * 100, i * 100 + 100)),
      );
    };
    const items: Item[] = units.flatMap((unit) =>
      unit.plan.writes.flatMap((write, index) =>
        write.kind === "crm-update" ? [{ unit, write, index }] : [],
      ),
    );
    const persist = (done: Item[]) =>
      Promise.all([...new Set(done.map((d) => d.unit))].map((u) => deps.jobs.savePlan(u.key, u.plan)));

    for (const chunk of group(items.filter((it) => !it.unit.plan.done.includes(it.index)))) {
      const { zoho } = (chunk[0] as Item).unit;
      const module = (chunk[0] as Item).write.module;
      const data = chunk.map(({ unit, write }) => ({
        id: write.id,
        ...write.proposed,
        ...(config.audit.mode === "field" && unit.plan.auditStep.kind === "in-write"
          ? {
              [config.audit.field]: auditText(
                unit.message.useCase,
                unit.plan.audit,
                Object.keys(write.proposed),
              ),
            }
          : {}),
      }));
      let results: { status?: string; code?: string; details?: unknown }[];
      try {
        const res = await zoho.request<{ data: typeof results }>({
          service: "crm",
          method: "PUT",
          path: `/crm/v8/${module}`,
          body: { data, trigger: [] },
        });
        results = res.data?.data ?? [];
      } catch (error) {
        for (const { unit } of chunk)
          decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
        continue;
      }
      const written: Item[] = [];
      for (const [k, item] of chunk.entries()) {
        const r = results[k];
        if (r?.status === "success") {
          item.unit.plan.done.push(item.index);
          written.push(item);
        } else {
          const reason = `Zoho rejected the update: ${r?.code ?? "no result"} ${JSON.stringify(r?.details ?? {}).slice(0, 300)}`;
          // The org's fields changed under the cached metadata: read them again for the next unit.
          invalidateOnRejection(deps.metadata, item.unit.message.connection, "crm", module, r);
          decisions.set(
            item.unit.record.messageId,
            await quarantine(item.unit.record, item.unit.message, item.unit.key, reason),
          );
        }
      }
      await persist(written);
    }

    await writeAuditNotes(units, decisions);
  }

  /** The CRM audit notes of the units whose updates are all written: one POST per connection and 100 notes. */
  async function writeAuditNotes(units: Ready[], decisions: Map<string, Decision>) {
    type NoteUnit = { unit: Ready; step: Extract<StoredPlan["auditStep"], { kind: "crm-note" }> };
    const pending: NoteUnit[] = [];
    for (const unit of units) {
      const step = unit.plan.auditStep;
      if (step.kind !== "crm-note" || step.done || decisions.has(unit.record.messageId)) continue;
      const allWritten = unit.plan.writes.every(
        (w, index) => w.kind !== "crm-update" || unit.plan.done.includes(index),
      );
      if (!allWritten) continue;
      if (unit.resumed) {
        // An earlier attempt may have written the note and failed before recording it: look before writing.
        try {
          if (await auditNoteExists(unit.zoho, step, unit.message.jobId)) {
            step.done = true;
            await deps.jobs.savePlan(unit.key, unit.plan);
            continue;
          }
        } catch (error) {
          decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
          continue;
        }
      }
      pending.push({ unit, step });
    }
    const byConnection = new Map<string, NoteUnit[]>();
    for (const n of pending)
      byConnection.set(n.unit.message.connection, [
        ...(byConnection.get(n.unit.message.connection) ?? []),
        n,
      ]);
    const chunks = [...byConnection.values()].flatMap((g) =>
      Array.from({ length: Math.ceil(g.length / 100) }, (_, i) => g.slice(i * 100, i * 100 + 100)),
    );
    for (const chunk of chunks) {
      const { zoho } = (chunk[0] as NoteUnit).unit;
      let results: { status?: string; code?: string; details?: unknown }[];
      try {
        const res = await zoho.request<{ data: typeof results }>({
          service: "crm",
          method: "POST",
          path: "/crm/v8/Notes",
          body: {
            data: chunk.map(({ unit, step }) => auditNote(unit.message.useCase, unit.plan, step)),
            trigger: [],
          },
        });
        results = res.data?.data ?? [];
      } catch (error) {
        // The data is written and recorded; the note is retried alone (the update is not written again).
        metrics.count("AuditNoteFailed", chunk.length);
        for (const { unit } of chunk)
          decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
        continue;
      }
      const written: Ready[] = [];
      for (const [k, { unit, step }] of chunk.entries()) {
        const r = results[k];
        if (r?.status === "success") {
          step.done = true;
          written.push(unit);
        } else {
          metrics.count("AuditNoteFailed", 1);
          const reason = `Zoho rejected the audit note (the update is written): ${r?.code ?? "no result"} ${JSON.stringify(r?.details ?? {}).slice(0, 300)}`;
          decisions.set(unit.record.messageId, await quarantine(unit.record, unit.message, unit.key, reason));
        }
      }
      // Independent items, so in parallel. A failed save: the next attempt resumes the plan and finds the note.
      const saved = await Promise.allSettled(written.map((u) => deps.jobs.savePlan(u.key, u.plan)));
      for (const [i, outcome] of saved.entries()) {
        const unit = written[i] as Ready;
        if (outcome.status === "rejected")
          decisions.set(
            unit.record.messageId,
            await decide(unit.record, unit.message, unit.key, outcome.reason),
          );
      }
    }
  }

  /** Phase two for Desk: ticket fields, a private comment, a draft (or a sent reply when enabled), in order. */
  async function writeDesk(unit: Ready, decisions: Map<string, Decision>) {
    const writes = unit.plan.writes;
    for (const [index, write] of writes.entries()) {
      if (unit.plan.done.includes(index) || write.kind === "crm-update") continue;
      try {
        if (write.kind === "desk-ticket-update") {
          await unit.zoho.request({
            service: "desk",
            method: "PATCH",
            path: `/api/v1/tickets/${write.ticketId}`,
            body: { cf: write.proposed },
          });
        } else if (write.kind === "desk-comment") {
          const content = `${write.content}\n\n${auditText(unit.message.useCase, unit.plan.audit, Object.keys((writes.find((w) => w.kind === "desk-ticket-update") as { proposed?: object } | undefined)?.proposed ?? {}))}`;
          await unit.zoho.request({
            service: "desk",
            method: "POST",
            path: `/api/v1/tickets/${write.ticketId}/comments`,
            body: { isPublic: false, contentType: "plainText", content: content.slice(0, 32_000) },
          });
        } else if (write.kind === "desk-reply") {
          const from = write.fromEmailAddress ?? config.sendReplies.fromAddress;
          const send = config.sendReplies.enabled && from && write.to;
          await unit.zoho.request({
            service: "desk",
            method: "POST",
            path: `/api/v1/tickets/${write.ticketId}/${send ? "sendReply" : "draftReply"}`,
            body: {
              channel: "EMAIL",
              contentType: "plainText",
              content: write.content,
              ...(write.to ? { to: write.to } : {}),
              ...(from ? { fromEmailAddress: from } : {}),
            },
          });
        }
        unit.plan.done.push(index);
        // Remember progress so a retry does not post the same comment or draft again.
        await deps.jobs.savePlan(unit.key, unit.plan);
      } catch (error) {
        if (write.kind === "desk-ticket-update")
          invalidateOnRejection(deps.metadata, unit.message.connection, "desk", "tickets", error);
        decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
        return;
      }
    }
  }

  /**
   * Token usage, kept off the per-event path: usage is added to the ledger once per batch (in `finally`, so failed
   * units count too), and the day's spend is re-read at most every few seconds. A daily budget tolerates that much
   * staleness; the alternative was two DynamoDB round trips per event.
   */
  const usageBook = (() => {
    const pending = new Map<string, { useCase: string; day: string; usage: LlmUsage; costMicros: number }>();
    const spentCache = new Map<string, { value: number; at: number }>();
    return {
      add(useCase: string, d: string, u: LlmUsage, costMicros: number) {
        const key = `${useCase}|${d}`;
        const entry = pending.get(key) ?? {
          useCase,
          day: d,
          usage: { promptTokens: 0, completionTokens: 0 },
          costMicros: 0,
        };
        entry.usage.promptTokens += u.promptTokens;
        entry.usage.completionTokens += u.completionTokens;
        entry.costMicros += costMicros;
        pending.set(key, entry);
        const cached = spentCache.get(key);
        if (cached) cached.value += u.promptTokens + u.completionTokens;
      },
      async spent(useCase: string, d: string): Promise<number> {
        const key = `${useCase}|${d}`;
        const cached = spentCache.get(key);
        if (cached && deps.clock.now() - cached.at < 5_000) return cached.value;
        const p = pending.get(key);
        const value =
          (await deps.ledger.tokensSpent(useCase, d)) +
          (p ? p.usage.promptTokens + p.usage.completionTokens : 0);
        spentCache.set(key, { value, at: deps.clock.now() });
        return value;
      },
      async flush() {
        const entries = [...pending.values()];
        pending.clear();
        await Promise.all(entries.map((e) => deps.ledger.addUsage(e.useCase, e.day, e.usage, e.costMicros)));
      },
    };
  })();

  return async function processWork(records: WorkerRecord[]): Promise<Decision[]> {
    try {
      return await processBatch(records);
    } finally {
      await usageBook.flush().catch((error) => logger.error("usage could not be recorded", { error }));
    }
  };

  async function processBatch(records: WorkerRecord[]): Promise<Decision[]> {
    const decisions = new Map<string, Decision>();
    const ready: Ready[] = [];
    // One unit at a time: the event source's maximum concurrency is the bound on parallel model and Zoho calls.
    for (const record of records) {
      let outcome: Ready | Decision;
      try {
        outcome = await prepare(record);
      } catch (error) {
        outcome = await decide(record, undefined, undefined, error);
      }
      if ("action" in outcome) decisions.set(record.messageId, outcome);
      else ready.push(outcome);
    }
    for (const unit of ready) plans.set(unit.key, unit.plan);
    try {
      return await writeAndComplete(records, ready, decisions);
    } finally {
      for (const unit of ready) plans.delete(unit.key);
    }
  }

  async function writeAndComplete(records: WorkerRecord[], ready: Ready[], decisions: Map<string, Decision>) {
    try {
      await writeCrm(ready, decisions);
      for (const unit of ready)
        if (unit.plan.writes.some((w) => w.kind !== "crm-update")) await writeDesk(unit, decisions);
    } catch (error) {
      for (const unit of ready)
        if (!decisions.has(unit.record.messageId))
          decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
    }
    // Mark every written unit done; independent calls, so in parallel.
    await Promise.all(
      ready
        .filter((unit) => !decisions.has(unit.record.messageId))
        .map(async (unit) => {
          if (!isFinished(unit.plan)) {
            // Never done without every write and the audit trail: send it round again to finish from its plan.
            const error = new Error("a step of the plan (a write or the audit trail) is not done");
            decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
            return;
          }
          const written = unit.plan.writes.flatMap((w) =>
            w.kind === "crm-update" || w.kind === "desk-ticket-update" ? Object.keys(w.proposed) : [w.kind],
          );
          try {
            await deps.jobs.complete(unit.key, {
              ...unit.plan.audit,
              written,
              completedAt: new Date(deps.clock.now()).toISOString(),
            });
          } catch (error) {
            // Written but not marked done: retry this record alone; its stored plan says every step is done.
            decisions.set(unit.record.messageId, await decide(unit.record, unit.message, unit.key, error));
            return;
          }
          report(unit.message, "written", written.join(", "));
          metrics.count("Written", 1, { useCase: unit.message.useCase });
          logger.info("unit of work written", {
            jobId: unit.message.jobId,
            useCase: unit.message.useCase,
            subject: unit.message.subject,
            fields: written,
          });
          decisions.set(unit.record.messageId, {
            messageId: unit.record.messageId,
            action: "ack",
            result: "written",
          });
        }),
    );
    return records.map((r) => decisions.get(r.messageId) as Decision);
  }
}

/** Every write of the plan is done, and its audit trail exists. */
const isFinished = (plan: StoredPlan) =>
  plan.writes.every((_, index) => plan.done.includes(index)) &&
  (plan.auditStep.kind !== "crm-note" || plan.auditStep.done);

/** The model failed its schema twice: the unit goes to the dead-letter queue. */
class ModelOutputRejected extends Error {
  override name = "ModelOutputRejected";
}
