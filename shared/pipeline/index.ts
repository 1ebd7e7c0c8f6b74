/**
 * The pipeline for one SQS batch, in stages (one module each), each over all the batch's units (`prepare-batch`):
 * the record taken apart (`record`), `claim` (idempotency; one request), `budget` (credits, tokens), `load` (mapping
 * bound, WorkContext, the use case's `load`; all units at once, reads coalesced), `cap` (a slot of the record's
 * daily write cap, before the model; one request), `ask` (one repair; all units at once, within the invocation's
 * model bound), `guard`, `plan` (stored; one request), `write` (one writer per kind of write; CRM batched across the
 * batch), `audit`, `complete` (one request); `decide` turns any error into a decision. Every record ends in exactly
 * one: ack, retry, defer or dead-letter. Every Zoho call of an invocation takes a slot of its Zoho bound.
 *
 * The pipeline speaks only ports (Zoho, model, job store, ledger, clock, metrics) and the use-case catalog.
 */
import pLimit from "p-limit";
import { DEFAULT_WAIT_RECHECK_MS } from "../domain/waiting.js";
import { defaultWaveSize, wavesOf } from "../domain/waves.js";
import { withLogKeys } from "../observability/log-context.js";
import type { StoredPlan } from "../ports/job-store.js";
import type { ZohoPorts } from "../ports/zoho.js";
import { USE_CASE_CATALOG } from "../use-cases/catalog.js";
import { cutoffLimit, DEFAULT_MODEL_CONCURRENCY } from "./ask.js";
import { batchedReads } from "./batched-reads.js";
import { makeUsageBook } from "./budget.js";
import { makeWriteCap } from "./cap.js";
import { completeUnits } from "./complete.js";
import { type Decision, makeDecider } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import { DeskFromAddress } from "./desk-from-address.js";
import { unitsLogKeys } from "./log-scope.js";
import { MappingBinder } from "./mapping-binder.js";
import type { BatchKit } from "./prepare.js";
import { prepareBatch } from "./prepare-batch.js";
import { makeProgress } from "./progress.js";
import type { WorkRecord } from "./record.js";
import { buildRegistry } from "./registry.js";
import type { Unit } from "./unit.js";
import { type WriteStage, writeUnits } from "./write/index.js";
import { DEFAULT_ZOHO_CONCURRENCY, limitedZoho } from "./zoho-limit.js";

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
    // The invocation's bounds, per call (the local stack shares one pipeline across its concurrent pollers): the
    // model calls of all units and their map calls, and every Zoho call, each through one limiter.
    const modelConcurrency = Math.max(1, config.modelConcurrency ?? DEFAULT_MODEL_CONCURRENCY);
    const modelLimit = cutoffLimit(pLimit(modelConcurrency), config.askCutoffMs, deps.clock);
    const zohoLimit = pLimit(Math.max(1, config.zohoConcurrency ?? DEFAULT_ZOHO_CONCURRENCY));
    // One wrapped ports object per connection, so concurrent reads of the batch's units coalesce.
    const ports = new Map<string, ZohoPorts>();
    const portsFor = (connection: string): ZohoPorts => {
      let p = ports.get(connection);
      if (!p) {
        p = batchedReads(limitedZoho(deps.zohoFor(connection), zohoLimit));
        ports.set(connection, p);
      }
      return p;
    };
    // The batch in waves, side by side through the same bounds: the model calls of the waves queue in order, so a
    // wave's plans, writes and completion overlap the next waves' model calls instead of idling the model bound.
    const waveSize = Math.max(1, config.waveSize ?? defaultWaveSize(modelConcurrency));
    const waves = wavesOf(records, waveSize, modelConcurrency);
    // Each wave prepares (claim, load, cap) once the wave before it starts asking: its requests overlap that
    // wave's model calls, and its calls queue behind them.
    let previousAsking: Promise<void> = Promise.resolve();
    await Promise.all(
      waves.map((wave) => {
        const after = previousAsking;
        let asking = () => {};
        previousAsking = new Promise<void>((resolve) => {
          asking = resolve;
        });
        return runWave(wave, after, asking, { ...kit, modelLimit }, portsFor, decisions);
      }),
    );
    return records.map((r) => decisions.get(r.messageId) as Decision);
  }

  /** One wave: prepared after `after`, `asking` called when its model calls start (or it has none), then written. */
  async function runWave(
    wave: readonly WorkRecord[],
    after: Promise<void>,
    asking: () => void,
    kitOfBatch: BatchKit,
    portsFor: (connection: string) => ZohoPorts,
    decisions: Map<string, Decision>,
  ) {
    let ready: Unit[] = [];
    try {
      await after;
      ready = await prepareBatch(kitOfBatch, wave, portsFor, decisions, asking);
    } finally {
      asking();
    }
    for (const unit of ready) plans.set(unit.key, unit.plan);
    try {
      await writeAndComplete(ready, decisions);
    } finally {
      for (const unit of ready) plans.delete(unit.key);
    }
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
    await completeUnits(
      deps,
      stage,
      report,
      ready.filter((unit) => !decisions.has(unit.record.messageId)),
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
