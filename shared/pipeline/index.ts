/**
 * The pipeline for one SQS batch, in stages (one module each): the record taken apart (`record`), `claim`
 * (idempotency), `budget` (credits, tokens), `load` (mapping bound, WorkContext, the use case's `load`), `cap` (a
 * slot of the record's daily write cap, before the model), `ask` (one repair), `guard`, `plan` (stored), `write`
 * (one writer per kind of write; CRM batched across the batch), `audit`, `complete`; `decide` turns any error into
 * a decision. Every record ends in exactly one: ack, retry, defer or dead-letter.
 *
 * The pipeline speaks only ports (Zoho, model, job store, ledger, clock, metrics) and the use-case catalog.
 */
import { DEFAULT_WAIT_RECHECK_MS } from "../domain/waiting.js";
import { withLogKeys } from "../observability/log-context.js";
import type { StoredPlan } from "../ports/job-store.js";
import { USE_CASE_CATALOG } from "../use-cases/catalog.js";
import { makeUsageBook } from "./budget.js";
import { makeWriteCap } from "./cap.js";
import { completeUnit } from "./complete.js";
import { type Decision, makeDecider } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import { DeskFromAddress } from "./desk-from-address.js";
import { messageLogKeys, recordLogKeys, unitsLogKeys } from "./log-scope.js";
import { MappingBinder } from "./mapping-binder.js";
import { prepareUnit } from "./prepare.js";
import { makeProgress } from "./progress.js";
import type { WorkRecord } from "./record.js";
import { buildRegistry } from "./registry.js";
import type { Unit } from "./unit.js";
import { type WriteStage, writeUnits } from "./write/index.js";

export type { Decision } from "./decide.js";
export type { PipelineConfig, PipelineDeps } from "./deps.js";
export type { ProgressEvent } from "./progress.js";
export type { WorkRecord } from "./record.js";

export type Pipeline = (records: readonly WorkRecord[]) => Promise<Decision[]>;

export function makePipeline(deps: PipelineDeps): Pipeline {
  const { config, logger, metrics } = deps;
  const registry = buildRegistry(deps.catalog ?? USE_CASE_CATALOG, deps.fieldMapOf, deps.settings);
  const report = makeProgress(deps.progress);
  const writeCap = makeWriteCap(deps.ledger, config.recordWriteCap);
  /** Plans of the units in this batch's write phase, by job key: a dead letter gives back an unused cap slot. */
  const plans = new Map<string, StoredPlan>();
  const decider = makeDecider(deps, report, writeCap, plans);
  const usageBook = makeUsageBook(deps.ledger, deps.clock);
  const kit = {
    deps,
    registry,
    report,
    decider,
    usageBook,
    writeCap,
    binder: new MappingBinder({
      metadata: deps.metadata,
      logger,
      metrics,
      recheckMs: config.waitRecheckMs ?? DEFAULT_WAIT_RECHECK_MS,
    }),
    deskFrom: new DeskFromAddress(config.sendReplies.fromAddress, deps.clock),
  };

  async function processBatch(records: readonly WorkRecord[]): Promise<Decision[]> {
    const decisions = new Map<string, Decision>();
    const ready: Unit[] = [];
    // One unit at a time: the event source's maximum concurrency is the bound on parallel model and Zoho calls.
    for (const record of records) {
      // Every line of the unit's stages names its event (log-scope.ts).
      const outcome: Unit | Decision = await withLogKeys(recordLogKeys(record), async () => {
        try {
          return await prepareUnit(kit, record);
        } catch (error) {
          return decider.decide({ record }, error);
        }
      });
      if ("action" in outcome) decisions.set(record.messageId, outcome);
      else ready.push(outcome);
    }
    for (const unit of ready) plans.set(unit.key, unit.plan);
    try {
      await writeAndComplete(ready, decisions);
    } finally {
      for (const unit of ready) plans.delete(unit.key);
    }
    return records.map((r) => decisions.get(r.messageId) as Decision);
  }

  async function writeAndComplete(ready: Unit[], decisions: Map<string, Decision>) {
    const stage: WriteStage = {
      decisions,
      decide: decider.decide,
      quarantine: decider.quarantine,
      jobs: deps.jobs,
      metrics,
      metadata: deps.metadata,
      config,
    };
    await withLogKeys(unitsLogKeys(ready.map((u) => u.message)), async () => {
      try {
        await writeUnits(stage, ready);
      } catch (error) {
        for (const unit of ready)
          if (!decisions.has(unit.record.messageId))
            decisions.set(unit.record.messageId, await decider.decide(unit, error));
      }
    });
    // Mark every written unit done; independent calls, so in parallel.
    await Promise.all(
      ready
        .filter((unit) => !decisions.has(unit.record.messageId))
        .map((unit) =>
          withLogKeys(messageLogKeys(unit.message), async () =>
            decisions.set(unit.record.messageId, await completeUnit(deps, stage, report, unit)),
          ),
        ),
    );
  }

  return async (records) => {
    try {
      return await processBatch(records);
    } finally {
      await usageBook.flush().catch((error) => logger.error("usage could not be recorded", { error }));
    }
  };
}
