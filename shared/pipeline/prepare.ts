/**
 * A unit's own stages up to a guarded plan, called by the batch stages (`prepare-batch.ts`) for every unit at once:
 * `loadStage` (budget, load, the per-event token budget, the cap's record) and `askStage` (ask, plan, guard). Each
 * returns the unit's next form, or its decision.
 */

import type { CapSlot } from "../ports/job-store.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { AuditTarget, WorkContext } from "../use-cases/descriptor.js";
import type { ModelLimit } from "./ask.js";
import { askModel, overEventBudget } from "./ask.js";
import { checkBudgets, type UsageBook } from "./budget.js";
import type { WriteCap } from "./cap.js";
import type { ClaimEntry } from "./claim.js";
import type { Decider, Decision } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import type { DeskFromAddress } from "./desk-from-address.js";
import { guardWrites, leaveQuarantineNote } from "./guard.js";
import { loadUnit } from "./load.js";
import type { MappingBinder } from "./mapping-binder.js";
import { newPlan } from "./plan.js";
import type { ProgressReport } from "./progress.js";
import type { RegisteredUseCase } from "./registry.js";
import type { Unit } from "./unit.js";

export interface PrepareKit {
  deps: PipelineDeps;
  registry: ReadonlyMap<string, RegisteredUseCase>;
  report: ProgressReport;
  decider: Decider;
  usageBook: UsageBook;
  writeCap: WriteCap;
  binder: MappingBinder;
  deskFrom: DeskFromAddress;
}

/** The kit of one batch: the pipeline's, with the invocation's bound on model calls. */
export interface BatchKit extends PrepareKit {
  modelLimit: ModelLimit;
}

/** A parsed unit of a known use case, with its connection's ports (bounded and batched for this invocation). */
export interface Entry extends ClaimEntry {
  work: NonNullable<RegisteredUseCase["work"]>;
  useCase: RegisteredUseCase;
  zoho: ZohoPorts;
}

/** A unit whose input is loaded and fits, with the record its writes count against. */
export interface LoadedEntry extends Entry {
  ctx: WorkContext;
  loaded: unknown;
  target: AuditTarget;
}

/** Budget, load, the per-event token budget; the record whose daily cap the unit's writes count against. */
export async function loadStage(kit: BatchKit, entry: Entry, now: number): Promise<LoadedEntry | Decision> {
  const { deps, decider } = kit;
  const { message, work, zoho } = entry;
  try {
    await checkBudgets(zoho, message.useCase, now, kit.usageBook, deps.config);
    const loaded = await loadUnit(
      { binder: kit.binder, metadata: deps.metadata, logger: deps.logger },
      { ...entry.useCase, work },
      message,
      zoho,
      now,
      { ...entry.record, maxAgeSeconds: deps.config.triggerFieldsMaxAgeSeconds ?? 60 },
    );
    if (!loaded.ok) return decider.quarantine(entry, loaded.reason);
    // Too big for one event: refused before any model call, never truncated.
    const tooBig = overEventBudget(message.useCase, work, loaded.loaded);
    if (tooBig) {
      deps.metrics.count("EventTokenBudgetExceeded", 1, { useCase: message.useCase });
      return decider.quarantine(entry, tooBig);
    }
    return { ...entry, ctx: loaded.ctx, loaded: loaded.loaded, target: work.auditTarget(loaded.loaded) };
  } catch (error) {
    return decider.decide(entry, error);
  }
}

/**
 * The model's answer (one repair), planned by the use case and guarded: the unit with its plan (not yet stored), or
 * its decision. The caller gives the cap slot back when no stored plan ends up holding it.
 */
export async function askStage(kit: BatchKit, entry: LoadedEntry, slot: CapSlot): Promise<Unit | Decision> {
  const { deps, decider } = kit;
  const { config, logger } = deps;
  const { record, message, key, work, zoho, target } = entry;
  try {
    const answer = await askModel(
      deps,
      kit.usageBook,
      kit.report,
      kit.modelLimit,
      work,
      entry.loaded,
      message,
    );
    const planned = work.plan(answer.output, entry.loaded, entry.ctx);
    const guarded = await guardWrites(
      { metadata: deps.metadata, deskFrom: kit.deskFrom },
      zoho,
      message.connection,
      planned,
    );
    if (!guarded.ok) {
      if (config.quarantineNote)
        await leaveQuarantineNote(
          zoho,
          target,
          `The AI ${message.useCase} result was not applied (job ${message.jobId}): ${guarded.reason}`,
          (error) => logger.warn("could not leave a quarantine note", { jobId: message.jobId, error }),
        );
      return decider.quarantine(entry, guarded.reason);
    }
    const plan = newPlan({
      writes: guarded.writes,
      model: answer.model,
      promptVersion: work.promptVersion,
      jobId: message.jobId,
      usage: answer.usage,
      calls: answer.calls,
      outcome: work.outcome?.(answer.output, entry.loaded),
      mappings: guarded.mappings,
      dropped: guarded.dropped,
      auditMode: config.audit.mode,
      capSlot: slot,
    });
    return { record, message, key, zoho, plan, resumed: false };
  } catch (error) {
    return decider.decide(entry, error);
  }
}
