/** A unit of work that reached the write phase with its stored, guarded plan. */
import type { StoredPlan } from "../ports/job-store.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { WorkRecord } from "./record.js";

export interface Unit {
  record: WorkRecord;
  message: WorkMessage;
  key: string;
  zoho: ZohoPorts;
  plan: StoredPlan;
  /** The plan came from an earlier attempt (which may have written a step without recording it). */
  resumed: boolean;
}
