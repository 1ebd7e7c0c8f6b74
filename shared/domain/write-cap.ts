/**
 * The per-record daily AI write cap (the loop breaker): one counter per connection, record and UTC day, taken
 * before a unit may cost a model call. The counter itself is the ledger's (`shared/pipeline/cap.ts` takes and
 * gives back slots); this module names the records.
 */

/** Where an audit trail (and so a write cap counter) lives: a CRM record or a Desk ticket. */
export type CapTarget =
  | { service: "crm"; module: string; id: string }
  | { service: "desk"; ticketId: string }
  /** A unit whose record is not known before writing: counted under its own key (e.g. `email:<address>`). */
  | { service: "none"; key: string };

/** The ledger's key of a record for the write cap: one counter per connection, module (or Desk tickets) and id. */
export function recordKeyOf(connection: string, target: CapTarget): string {
  if (target.service === "none") return `${connection}#none#${target.key}`;
  return target.service === "crm"
    ? `${connection}#${target.module}#${target.id}`
    : `${connection}#tickets#${target.ticketId}`;
}
