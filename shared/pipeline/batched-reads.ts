/**
 * Batched Zoho reads for one invocation (issue 14): the ports a batch's units load through. Reads of the same kind
 * that the units make in the same tick are coalesced (a CRM module's records: one `GET /crm/v8/{module}?ids=` per
 * up to 100 ids); everything else passes through.
 *
 * Contract stub: passes everything through (wp-reads builds it).
 */
import type { ZohoPorts } from "../ports/zoho.js";

export function batchedReads(ports: ZohoPorts): ZohoPorts {
  return ports;
}
