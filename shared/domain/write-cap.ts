/**
 * The per-record daily AI write cap (the loop breaker): one counter per connection, record and UTC day, taken
 * before a unit may cost a model call. The counter itself is the ledger's (`shared/pipeline/cap.ts` takes and
 * gives back slots); this module names the records.
 */

/** Where an audit trail (and so a write cap counter) lives: a CRM record, a Desk ticket, a Creator or Books record. */
export type CapTarget =
  | { service: "crm"; module: string; id: string }
  | { service: "desk"; ticketId: string }
  | { service: "creator"; app: string; report: string; id: string }
  | { service: "books"; entity: string; id: string }
  /** A unit whose record is not known before writing: counted under its own key (e.g. `email:<address>`). */
  | { service: "none"; key: string };

/** The ledger's key of a record for the write cap: one counter per connection, module (or Desk tickets) and id. */
export function recordKeyOf(connection: string, target: CapTarget): string {
  switch (target.service) {
    case "none":
      return `${connection}#none#${target.key}`;
    case "crm":
      return `${connection}#${target.module}#${target.id}`;
    case "desk":
      return `${connection}#tickets#${target.ticketId}`;
    case "creator":
      return `${connection}#creator:${target.app}#${target.id}`;
    case "books":
      return `${connection}#books:${target.entity}#${target.id}`;
  }
}
