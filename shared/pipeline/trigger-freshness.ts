/**
 * Whether a unit may use the fields its trigger carried instead of reading the record (issue 14): a CRM workflow
 * webhook's merge fields, a Desk event's ticket. They are the record as it was when Zoho sent the trigger, so they
 * are used only while that is close to now: the message is younger than `TRIGGER_FIELDS_MAX_AGE_SECONDS`, and this
 * is its first delivery, not a unit that waited (a deferral), was retried (a redelivery) or is an operator's replay
 * of a dead letter: each of those may run long after the record changed, so it reads the record.
 */
import type { WorkMessage } from "../schemas/work-message.js";
import type { WorkRecord } from "./record.js";

/** The delivery facts freshness depends on, and the deployment's bound on the message's age. */
export type TriggerDelivery = Pick<WorkRecord, "receiveCount" | "deferrals" | "replayId"> & {
  /** `TRIGGER_FIELDS_MAX_AGE_SECONDS`; 0 turns the skip off (every unit reads its record). */
  maxAgeSeconds: number;
};

/** True when the trigger's fields may stand in for a read; false whenever it is unknown (no delivery facts). */
export function isTriggerFresh(
  message: Pick<WorkMessage, "receivedAt">,
  delivery: TriggerDelivery | undefined,
  now: number,
): boolean {
  if (!delivery || delivery.maxAgeSeconds <= 0) return false;
  if (delivery.receiveCount > 1 || delivery.deferrals > 0 || delivery.replayId !== undefined) return false;
  const receivedAt = Date.parse(message.receivedAt);
  if (!Number.isFinite(receivedAt)) return false;
  // A worker clock a little behind the ingest's gives a negative age: still the first, prompt delivery.
  return now - receivedAt < delivery.maxAgeSeconds * 1000;
}
