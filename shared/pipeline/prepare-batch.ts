/**
 * Phase one of a batch, stage by stage over all its units: every record read, one `claimMany`, budget and load of
 * every unit at once (their record reads land in the same tick and are coalesced by `batchedReads`), one
 * `countRecordWrites` for the cap, ask and guard of every unit at once (bounded by the invocation's model limiter),
 * one `savePlans`. Returns the units ready to write (fresh and resumed); every other unit has its decision.
 *
 * A batch request that fails decides each unit it was for with that error; each unit's lines name its event.
 */
import { recordKeyOf } from "../domain/write-cap.js";
import { withLogKeys } from "../observability/log-context.js";
import type { CapSlot, ClaimResult } from "../ports/job-store.js";
import type { ZohoPorts } from "../ports/zoho.js";
import { claimBatch, claimOutcome } from "./claim.js";
import type { Decision, UnitRef } from "./decide.js";
import { recordLogKeys, unitsLogKeys } from "./log-scope.js";
import { askStage, type BatchKit, type Entry, type LoadedEntry, loadStage } from "./prepare.js";
import { jobKeyOf, readMessage, type WorkRecord } from "./record.js";
import { noWorkReason } from "./registry.js";
import type { Unit } from "./unit.js";

type Decisions = Map<string, Decision>;

/** Runs `fn` for every item at once, each in its unit's log scope. */
const each = <T extends { record: WorkRecord }, R>(items: readonly T[], fn: (item: T) => Promise<R>) =>
  Promise.all(items.map((item) => withLogKeys(recordLogKeys(item.record), () => fn(item))));

/** Splits stage results into the units that go on and the decisions (recorded). */
function settle<T>(results: readonly (T | Decision)[], decisions: Decisions): T[] {
  const next: T[] = [];
  for (const r of results)
    if (r && typeof r === "object" && "action" in r) decisions.set(r.messageId, r);
    else next.push(r as T);
  return next;
}

/** Every unit of a failed batch request decided with its error. */
async function decideAll(kit: BatchKit, units: readonly UnitRef[], error: unknown, decisions: Decisions) {
  const decided = await each(units, (u) => kit.decider.decide(u, error));
  for (const d of decided) decisions.set(d.messageId, d);
}

/** Each record read: a valid message of a use case with work and a deployed connection, or its decision. */
async function readEntries(
  kit: BatchKit,
  records: readonly WorkRecord[],
  portsFor: (connection: string) => ZohoPorts,
): Promise<(Entry | Decision)[]> {
  return each(
    records.map((record) => ({ record })),
    async ({ record }) => {
      const message = readMessage(record);
      if (!message) return kit.decider.quarantine({ record }, "not a valid work message (schema v1)");
      const useCase = kit.registry.get(message.useCase);
      const work = useCase?.work;
      if (!useCase || !work)
        return kit.decider.quarantine({ record, message }, noWorkReason(message.useCase));
      try {
        return { record, message, key: jobKeyOf(message), useCase, work, zoho: portsFor(message.connection) };
      } catch (error) {
        return kit.decider.decide({ record, message }, error);
      }
    },
  );
}

export async function prepareBatch(
  kit: BatchKit,
  records: readonly WorkRecord[],
  portsFor: (connection: string) => ZohoPorts,
  decisions: Decisions,
  /** Called when the units' model calls are about to start (the next wave may then prepare). */
  asking: () => void = () => {},
): Promise<Unit[]> {
  const { deps, decider, writeCap } = kit;
  const entries = settle<Entry>(await readEntries(kit, records, portsFor), decisions);
  if (entries.length === 0) return [];
  const scope = (units: readonly { message: Entry["message"] }[]) =>
    unitsLogKeys(units.map((u) => u.message));

  let claims: ClaimResult[];
  try {
    claims = await withLogKeys(scope(entries), () => claimBatch(deps, entries));
  } catch (error) {
    // No claim of the batch is held: each unit retries without releasing anything.
    await decideAll(
      kit,
      entries.map(({ record, message }) => ({ record, message })),
      error,
      decisions,
    );
    return [];
  }
  const ready: Unit[] = [];
  const fresh: Entry[] = [];
  for (const [i, entry] of entries.entries()) {
    const outcome = withLogKeys(recordLogKeys(entry.record), () =>
      claimOutcome(deps, kit.report, entry, claims[i] as ClaimResult),
    );
    if (outcome.kind === "decided") decisions.set(entry.record.messageId, outcome.decision);
    else if (outcome.kind === "resume") {
      const { record, message, key, zoho } = entry;
      ready.push({ record, message, key, zoho, plan: outcome.plan, resumed: true });
    } else fresh.push(entry);
  }
  if (fresh.length === 0) return ready;

  const now = deps.clock.now();
  const loaded = settle<LoadedEntry>(await each(fresh, (e) => loadStage(kit, e, now)), decisions);
  if (loaded.length === 0) return ready;

  // The loop breaker before the model call: a record past its daily cap costs no model call.
  let slots: (CapSlot | undefined)[];
  try {
    slots = await withLogKeys(scope(loaded), () =>
      writeCap.takeMany(
        loaded.map((e) => recordKeyOf(e.message.connection, e.target)),
        now,
      ),
    );
  } catch (error) {
    await decideAll(kit, loaded, error, decisions);
    return ready;
  }
  asking();
  const capped = await each(
    loaded.map((entry, i) => ({ ...entry, slot: slots[i] })),
    async (entry): Promise<Unit | Decision> => {
      if (entry.slot) return askStage(kit, entry, entry.slot);
      deps.metrics.count("RecordWriteCapReached", 1, { useCase: entry.message.useCase });
      return decider.quarantine(
        entry,
        `AI write cap of ${writeCap.cap} per record per day reached (loop breaker)`,
      );
    },
  );
  const planned = settle<Unit>(capped, decisions);

  let stored = planned;
  if (planned.length > 0)
    try {
      await withLogKeys(scope(planned), () =>
        deps.jobs.savePlans(planned.map((u) => ({ key: u.key, plan: u.plan }))),
      );
    } catch (error) {
      stored = [];
      await decideAll(kit, planned, error, decisions);
    }
  // Nothing of these attempts will be written: their records' cap slots are not used up.
  const holding = new Set(stored.map((u) => u.key));
  await Promise.all(
    slots.map((slot, i) =>
      slot && !holding.has((loaded[i] as LoadedEntry).key)
        ? writeCap.giveBack(slot).catch((error) => deps.logger.warn("cap slot not given back", { error }))
        : undefined,
    ),
  );
  return [...ready, ...stored];
}
