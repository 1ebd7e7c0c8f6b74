/**
 * The job table's item shapes and expressions, shared by the single forms (`job-store.ts`) and the batch forms
 * (`job-store-batch.ts`): one definition of the claim condition, the states and the answers read from an item, so
 * the two paths cannot drift apart.
 */
import type { ClaimResult } from "../../ports/job-store.js";
import { StoredPlanSchema } from "../../schemas/stored-plan.js";

/** Done jobs are remembered this long (TTL), far longer than any redelivery or Zoho retry. */
export const DONE_TTL_SECONDS = 7 * 86_400;
/** Dead-lettered jobs are remembered longer than the dead-letter queue keeps their message (14 days at most). */
export const DEAD_LETTER_TTL_SECONDS = 15 * 86_400;

/** The `status` values in the table. */
export const S = {
  inProgress: "IN_PROGRESS",
  replaying: "REPLAYING",
  done: "DONE",
  deadLettered: "DEAD_LETTERED",
} as const;

/** A string attribute, or undefined (an item this adapter did not write has no say). */
export const stringOf = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

/**
 * The claim of a job that is not a replay. An update, not a put: a re-claimed job keeps the plan (and the replaying
 * status) of its earlier attempt. It holds only when the job is new or its lease (in progress or replaying) expired.
 */
export const CLAIM_UPDATE = "SET jobId = :j, #s = if_not_exists(#s, :p), leaseUntil = :l, expiresAt = :e";
export const CLAIM_CONDITION = "attribute_not_exists(id) OR (#s IN (:p, :r) AND leaseUntil < :now)";

/** The values `CLAIM_UPDATE` and `CLAIM_CONDITION` name (and the replay claim's shared ones). */
export const claimValues = (jobId: string, leaseMs: number, now: number) => ({
  ":j": jobId,
  ":l": now + leaseMs,
  ":e": Math.floor(now / 1000) + DONE_TTL_SECONDS,
  ":p": S.inProgress,
  ":r": S.replaying,
  ":now": now,
});

/**
 * Whether `CLAIM_CONDITION` holds for this item (undefined: absent) at `now`. A missing or non-numeric lease
 * compares false in DynamoDB, so such a job is busy, as the condition would find it.
 */
export function claimable(item: Record<string, unknown> | undefined, now: number): boolean {
  if (!item) return true;
  const status = item.status;
  return (
    (status === S.inProgress || status === S.replaying) &&
    typeof item.leaseUntil === "number" &&
    item.leaseUntil < now
  );
}

/** What a claim whose condition failed answers, from the job's item: done, dead-lettered (with its ids) or busy. */
export function unclaimedAnswer(item: Record<string, unknown> | undefined): ClaimResult {
  const status = stringOf(item?.status);
  if (status === S.done) return { status: "done" };
  if (status === S.deadLettered)
    return {
      status: "dead-lettered",
      reason: stringOf(item?.reason) ?? "dead-lettered",
      deadLetterId: stringOf(item?.deadLetterId) ?? "",
      messageId: stringOf(item?.deadLetterMessageId) ?? "",
    };
  return { status: "busy" };
}

/** A successful claim's answer: the plan an earlier attempt stored, and whether the job is being replayed. */
export function claimedAnswer(item: Record<string, unknown>, replay: boolean): ClaimResult {
  const raw = stringOf(item.plan); // "plan" is a DynamoDB reserved word: always written as #plan
  const plan = raw ? StoredPlanSchema.parse(JSON.parse(raw)) : undefined;
  return { status: "claimed", ...(plan ? { plan } : {}), ...(replay ? { replay: true } : {}) };
}

/**
 * The job id's pointer to its key (job ids are what the ingest answers; keys are dedup keys): written at each
 * claim, kept as long as a job is kept (a dead-lettered one's TTL), so `statusOf` reads two items, no scan.
 */
export const pointerItem = (jobId: string, key: string, now: number) => ({
  id: `jobref#${jobId}`,
  key,
  expiresAt: Math.floor(now / 1000) + DEAD_LETTER_TTL_SECONDS,
});

/** `savePlan`'s update. */
export const savePlanUpdate = (plan: unknown) => ({
  UpdateExpression: "SET #plan = :p",
  ExpressionAttributeNames: { "#plan": "plan" },
  ExpressionAttributeValues: { ":p": JSON.stringify(plan) },
});

/** `complete`'s update. The plan stays as the job's record (`jobs show`); a done job is never re-planned. */
export const completeUpdate = (outcome: Record<string, unknown>, now: number) => ({
  UpdateExpression: "SET #s = :d, outcome = :o, expiresAt = :e REMOVE leaseUntil",
  ExpressionAttributeNames: { "#s": "status" },
  ExpressionAttributeValues: {
    ":d": S.done,
    ":o": JSON.stringify(outcome),
    ":e": Math.floor(now / 1000) + DONE_TTL_SECONDS,
  },
});
