/**
 * `claimMany` on DynamoDB in a handful of requests instead of two or three per job (issue 14: at most 2 DynamoDB
 * requests per event on average): one consistent BatchGetItem per 100 keys learns every job's state; the jobs that
 * are done, dead-lettered or busy are answered from that read, as `claim` answers them after its condition fails;
 * the others are claimed in TransactWriteItems, each claim with `claim`'s own update and condition and its job-id
 * pointer in the same transaction. Whatever the transactions refuse (another worker raced) takes the single `claim`,
 * so every answer is exactly the single form's.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../../ports/clock.js";
import type { ClaimRequest, ClaimResult } from "../../ports/job-store.js";
import {
  CLAIM_CONDITION,
  CLAIM_UPDATE,
  claimable,
  claimedAnswer,
  claimValues,
  pointerItem,
  S,
  unclaimedAnswer,
} from "./job-items.js";
import {
  chunk,
  readItems,
  TRANSACTION_MAX_ITEMS,
  type TransactItem,
  transact,
  transactUpdates,
  weightOf,
} from "./transactions.js";

/** A claim is two transaction items (the job's update and its job-id pointer): 50 claims per transaction. */
export const CLAIMS_PER_TRANSACTION = Math.floor(TRANSACTION_MAX_ITEMS / 2);

/** What the batch claim needs of the store: its client and table, its clock, and the single form to fall back on. */
export interface BatchClaimContext {
  client: DynamoDBDocumentClient;
  table: string;
  clock: Clock;
  claimOne(
    key: string,
    jobId: string,
    leaseMs: number,
    options?: { replayId?: string },
  ): Promise<ClaimResult>;
}

/** The attributes a claim's answer depends on (a batch read need not carry outcomes). */
const PROJECTION = {
  expression: "#id, #s, #l, #plan, #reason, #dl, #dlm",
  names: {
    "#id": "id",
    "#s": "status",
    "#l": "leaseUntil",
    "#plan": "plan",
    "#reason": "reason",
    "#dl": "deadLetterId",
    "#dlm": "deadLetterMessageId",
  },
};

interface Pending {
  index: number;
  request: ClaimRequest;
  /** The job's item as read (undefined: absent). */
  item: Record<string, unknown> | undefined;
}

/**
 * Claims every request, answers in request order, each exactly what `claim` would answer. Replays, and requests
 * whose key or job id an earlier request of the batch already names (a transaction cannot touch an item twice),
 * take the single form after the batch, in request order; they touch no item the batched ones touch, so the order
 * is that of calls one after the other.
 */
export async function claimManyBatched(
  ctx: BatchClaimContext,
  requests: readonly ClaimRequest[],
  leaseMs: number,
): Promise<ClaimResult[]> {
  const out: ClaimResult[] = new Array(requests.length);
  const batched: number[] = [];
  const single: number[] = [];
  const keys = new Set<string>();
  const jobIds = new Set<string>();
  requests.forEach((r, i) => {
    (r.replayId || keys.has(r.key) || jobIds.has(r.jobId) ? single : batched).push(i);
    keys.add(r.key);
    jobIds.add(r.jobId);
  });

  const now = ctx.clock.now();
  const items = await readItems(
    ctx.client,
    ctx.table,
    batched.map((i) => (requests[i] as ClaimRequest).key),
    PROJECTION,
  );
  const toClaim: Pending[] = [];
  for (const index of batched) {
    const request = requests[index] as ClaimRequest;
    const item = items.get(request.key);
    if (claimable(item, now)) toClaim.push({ index, request, item });
    else out[index] = unclaimedAnswer(item);
  }

  try {
    // Every chunk settles before a failure is thrown, so `out` names every claim this call holds.
    const settled = await Promise.allSettled(
      chunk(toClaim, CLAIMS_PER_TRANSACTION, (p) => 2 * weightOf(p.item?.plan ?? "")).map((part) =>
        claimChunk(ctx, part, leaseMs, now, out),
      ),
    );
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const refused = settled.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    for (const p of [
      ...refused,
      ...single.map((index) => ({ index, request: requests[index] as ClaimRequest })),
    ]) {
      const { key, jobId, replayId } = p.request;
      out[p.index] = await ctx.claimOne(key, jobId, leaseMs, replayId ? { replayId } : {});
    }
  } catch (error) {
    // The caller retries every unit of the batch: the claims taken so far are given back (their leases ended, in
    // transactions), or their redeliveries would find them busy until the lease ends. Best effort, as `release`: a
    // claim whose commit was lost with the error, or whose release fails, holds its lease.
    const claimed = out.flatMap((r, i) =>
      r?.status === "claimed" ? [(requests[i] as ClaimRequest).key] : [],
    );
    await transactUpdates(
      ctx.client,
      ctx.table,
      claimed.map((key) => ({
        key,
        update: { UpdateExpression: "SET leaseUntil = :zero", ExpressionAttributeValues: { ":zero": 0 } },
      })),
    ).catch(() => {});
    throw error;
  }
  return out;
}

/**
 * Claims a chunk in one transaction; when it is cancelled, retries it without the claims that were refused, until
 * it commits or none is left. Fills `out` for the claimed ones and returns the refused ones.
 */
async function claimChunk(
  ctx: BatchClaimContext,
  part: Pending[],
  leaseMs: number,
  now: number,
  out: ClaimResult[],
): Promise<Pending[]> {
  const refused: Pending[] = [];
  let pending = part;
  while (pending.length > 0) {
    const codes = await transact(
      ctx.client,
      pending.flatMap((p) => claimItems(ctx.table, p, leaseMs, now)),
    );
    if (!codes) {
      // The guard held: the item was as read, so its plan and status are the claim's (ALL_NEW would say the same).
      for (const p of pending) out[p.index] = claimedAnswer(p.item ?? {}, p.item?.status === S.replaying);
      break;
    }
    let failed = pending.filter((_, j) => codes[2 * j] !== "None" || codes[2 * j + 1] !== "None");
    // A cancellation that blames no item: let the single form decide each.
    if (failed.length === 0) failed = pending;
    refused.push(...failed);
    pending = pending.filter((p) => !failed.includes(p));
  }
  return refused;
}

/**
 * A claim's two transaction items. The condition is `claim`'s, and a guard that the item is still as read (absent;
 * or the same status, lease and plan): the answer is taken from the read, so it must be the item the claim updated.
 * A guard that fails (the item changed since the read) sends the request to the single form, which answers afresh.
 */
function claimItems(table: string, p: Pending, leaseMs: number, now: number): TransactItem[] {
  const names: Record<string, string> = { "#s": "status" };
  const values: Record<string, unknown> = claimValues(p.request.jobId, leaseMs, now);
  let guard = "attribute_not_exists(id)";
  if (p.item) {
    guard = "#s = :rs AND leaseUntil = :rl";
    values[":rs"] = p.item.status;
    values[":rl"] = p.item.leaseUntil;
    names["#plan"] = "plan";
    if (typeof p.item.plan === "string") {
      guard += " AND #plan = :rp";
      values[":rp"] = p.item.plan;
    } else guard += " AND attribute_not_exists(#plan)";
  }
  return [
    {
      Update: {
        TableName: table,
        Key: { id: p.request.key },
        UpdateExpression: CLAIM_UPDATE,
        ConditionExpression: `(${CLAIM_CONDITION}) AND ${guard}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    { Put: { TableName: table, Item: pointerItem(p.request.jobId, p.request.key, now) } },
  ];
}
