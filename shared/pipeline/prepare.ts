/**
 * Phase one of a unit: everything up to a stored, guarded plan, stage by stage — record, claim, budget, load, cap,
 * ask, guard, plan. Returns the unit ready to write, or its decision.
 */
import { recordKeyOf } from "../domain/write-cap.js";
import type { CapSlot } from "../ports/job-store.js";
import type { ZohoPorts } from "../ports/zoho.js";
import { askModel, overEventBudget } from "./ask.js";
import { checkBudgets, type UsageBook } from "./budget.js";
import type { WriteCap } from "./cap.js";
import { claimJob } from "./claim.js";
import type { Decider, Decision } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import type { DeskFromAddress } from "./desk-from-address.js";
import { guardWrites, leaveQuarantineNote } from "./guard.js";
import { loadUnit } from "./load.js";
import type { MappingBinder } from "./mapping-binder.js";
import { newPlan } from "./plan.js";
import type { ProgressReport } from "./progress.js";
import { jobKeyOf, readMessage, type WorkRecord } from "./record.js";
import { noWorkReason, type RegisteredUseCase } from "./registry.js";
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

export async function prepareUnit(kit: PrepareKit, record: WorkRecord): Promise<Unit | Decision> {
  const { deps, decider, writeCap } = kit;
  const { config, logger, metrics } = deps;
  const message = readMessage(record);
  if (!message) return decider.quarantine({ record }, "not a valid work message (schema v1)");
  const useCase = kit.registry.get(message.useCase);
  const work = useCase?.work;
  if (!useCase || !work) return decider.quarantine({ record, message }, noWorkReason(message.useCase));
  const key = jobKeyOf(message);
  let zoho: ZohoPorts;
  try {
    zoho = deps.zohoFor(message.connection);
    const claim = await claimJob(deps, kit.report, record, message, key);
    if (claim.kind === "decided") return claim.decision;
    if (claim.kind === "resume") return { record, message, key, zoho, plan: claim.plan, resumed: true };
  } catch (error) {
    return decider.decide({ record, message }, error);
  }

  const unit = { record, message, key };
  /** The write-cap slot this attempt took; given back unless a stored plan holds it. */
  let slot: CapSlot | undefined;
  let planStored = false;
  try {
    const now = deps.clock.now();
    await checkBudgets(zoho, message.useCase, now, kit.usageBook, config);
    const loaded = await loadUnit(
      { binder: kit.binder, metadata: deps.metadata, logger },
      { ...useCase, work },
      message,
      zoho,
      now,
      { ...record, maxAgeSeconds: config.triggerFieldsMaxAgeSeconds ?? 60 },
    );
    if (!loaded.ok) return decider.quarantine(unit, loaded.reason);
    // Too big for one event: refused before any model call, never truncated.
    const tooBig = overEventBudget(message.useCase, work, loaded.loaded);
    if (tooBig) {
      metrics.count("EventTokenBudgetExceeded", 1, { useCase: message.useCase });
      return decider.quarantine(unit, tooBig);
    }
    // The loop breaker before the model call: a record past its daily cap costs no model call.
    const target = work.auditTarget(loaded.loaded);
    slot = await writeCap.take(recordKeyOf(message.connection, target), now);
    if (!slot) {
      metrics.count("RecordWriteCapReached", 1, { useCase: message.useCase });
      return decider.quarantine(
        unit,
        `AI write cap of ${writeCap.cap} per record per day reached (loop breaker)`,
      );
    }
    const answer = await askModel(deps, kit.usageBook, kit.report, work, loaded.loaded, message);
    const planned = work.plan(answer.output, loaded.loaded, loaded.ctx);
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
      return decider.quarantine(unit, guarded.reason);
    }
    const plan = newPlan({
      writes: guarded.writes,
      model: answer.model,
      promptVersion: work.promptVersion,
      jobId: message.jobId,
      usage: answer.usage,
      calls: answer.calls,
      outcome: work.outcome?.(answer.output, loaded.loaded),
      mappings: guarded.mappings,
      dropped: guarded.dropped,
      auditMode: config.audit.mode,
      capSlot: slot,
    });
    await deps.jobs.savePlan(key, plan);
    planStored = true;
    return { ...unit, zoho, plan, resumed: false };
  } catch (error) {
    return decider.decide(unit, error);
  } finally {
    // Nothing of this attempt will be written: the record's cap slot is not used up.
    if (slot && !planStored)
      await writeCap.giveBack(slot).catch((error) => logger.warn("cap slot not given back", { error }));
  }
}
