/**
 * The write-cap stage: a slot of the record's daily AI write cap (the loop breaker), taken after `load` and before
 * the model call, so a record past its cap costs no model call.
 *
 * A slot stands for a write that will happen: it is given back when the unit ends before any step of its plan
 * reached Zoho (a model failure, a guard rejection, a retry before the plan was stored, a dead letter with nothing
 * written), so a unit that fails does not use up the record's day. Once a plan holds the slot, retries of that plan
 * do not take another. A worker that crashes between taking and giving back leaves the slot taken: the error is on
 * the safe side (one write fewer that day), never one more.
 */
import { utcDay } from "../domain/budgets.js";
import type { Ledger } from "../ports/ledger.js";
import type { CapSlot } from "../schemas/stored-plan.js";

/** Takes and gives back slots of the per-record daily AI write cap. */
export function makeWriteCap(ledger: Ledger, cap: number) {
  return {
    cap,
    /** A slot for one AI write on the record today, or undefined when the record has had `cap` today. */
    async take(recordKey: string, now: number): Promise<CapSlot | undefined> {
      const day = utcDay(now);
      return (await ledger.countRecordWrite(recordKey, day, cap)) ? { recordKey, day } : undefined;
    },
    /**
     * `take` for a batch's units with one ledger request: a slot (or undefined) per record key, in order. Keys of
     * the same record count one after the other, as separate takes would.
     */
    async takeMany(recordKeys: readonly string[], now: number): Promise<(CapSlot | undefined)[]> {
      if (recordKeys.length === 0) return [];
      const day = utcDay(now);
      const counted = await ledger.countRecordWrites(
        recordKeys.map((recordKey) => ({ recordKey, day, cap })),
      );
      return recordKeys.map((recordKey, i) => (counted[i] ? { recordKey, day } : undefined));
    },
    /** Gives a slot back (nothing was written). Best effort: a slot not given back only errs on the safe side. */
    async giveBack(slot: CapSlot | null | undefined): Promise<void> {
      if (slot) await ledger.uncountRecordWrite(slot.recordKey, slot.day);
    },
  };
}
export type WriteCap = ReturnType<typeof makeWriteCap>;
