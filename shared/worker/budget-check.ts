/**
 * The per-record daily AI write cap (the loop breaker), checked before a unit may cost a model call (the token
 * budget and Zoho's credits are checked before that, in the pipeline, before the unit even loads its context).
 *
 * The cap slot is taken (an atomic conditional counter in the ledger) before the model is asked, so a unit refused
 * for the cap costs no model call, and replays of one record that get written cost at most `cap` calls a day
 * (a replay whose model output is refused gives its slot back, so such failures are bounded by the daily token
 * budget and the ingest's per-record rate limit instead). A slot
 * stands for a write that will happen: it is given back when the unit ends before any step of its plan reached
 * Zoho (a model failure, a guard rejection, a retry before the plan was stored, a dead letter with nothing written),
 * so a unit that fails does not use up the record's day. Once a plan holds the slot, retries of that plan do not
 * take another. A worker that crashes between taking and giving back leaves the slot taken: the error is on the
 * safe side (one write fewer that day), never one more.
 */
import type { Ledger } from "../ports/ledger.js";
import type { CapSlot } from "../schemas/stored-plan.js";

/** The ledger's key of a record for the write cap: one counter per connection, module (or Desk tickets) and id. */
export function recordKeyOf(
  connection: string,
  target: { service: "crm"; module: string; id: string } | { service: "desk"; ticketId: string },
): string {
  return target.service === "crm"
    ? `${connection}#${target.module}#${target.id}`
    : `${connection}#tickets#${target.ticketId}`;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Takes and gives back slots of the per-record daily AI write cap. */
export function makeWriteCap(ledger: Ledger, cap: number) {
  return {
    cap,
    /** A slot for one AI write on the record today, or undefined when the record has had `cap` today. */
    async take(recordKey: string, now: number): Promise<CapSlot | undefined> {
      const day = utcDay(now);
      return (await ledger.countRecordWrite(recordKey, day, cap)) ? { recordKey, day } : undefined;
    },
    /** Gives a slot back (nothing was written). Best effort: a slot not given back only errs on the safe side. */
    async giveBack(slot: CapSlot | null | undefined): Promise<void> {
      if (slot) await ledger.uncountRecordWrite(slot.recordKey, slot.day);
    },
  };
}
export type WriteCap = ReturnType<typeof makeWriteCap>;
