/**
 * The batch requests the job store and the ledger share: consistent BatchGetItem with its unprocessed keys retried,
 * and TransactWriteItems in chunks that answer, when cancelled, why each item was refused (CancellationReasons).
 */

import { setTimeout as sleep } from "node:timers/promises";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";

/**
 * Items per TransactWriteItems. AWS allows 100; so does the DynamoDB Local jar the tests and the local stack run
 * (amplify-dynamodb-simulator 2.9.30: 100 accepted, 101 refused with a ValidationException, probed for issue 14).
 * An older jar allowed only 25: lower this if one is ever used.
 */
export const TRANSACTION_MAX_ITEMS = 100;
/** A transaction's request may carry 4 MB; chunks stop well short of it (plans are the only large values). */
const TRANSACTION_MAX_BYTES = 3_500_000;
/** Keys per BatchGetItem (DynamoDB's limit). */
const BATCH_GET_MAX_KEYS = 100;
/** Attempts at a batch read's unprocessed keys, and at a transaction refused only for a passing reason. */
const ATTEMPTS = 5;
/** Cancellation codes that say nothing about the item's state: the same transaction may succeed a moment later. */
const PASSING = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
/** An update's expressions (what an UpdateItem or a transaction's Update takes besides its table and key). */
export interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** About how many bytes an item adds to a transaction request (its JSON; attribute type tags add a little). */
export const weightOf = (item: unknown): number => JSON.stringify(item).length + 200;

/** Backoff with jitter before attempt `attempt` (1-based) of a retried batch request. */
const backoff = (attempt: number) => sleep(Math.round(25 * 2 ** attempt * (0.5 + Math.random() / 2)));

/**
 * Splits `list` into chunks of at most `size` entries and, when `weigh` is given, of at most `TRANSACTION_MAX_BYTES`
 * of weight (an entry heavier than that still gets a chunk of its own, for DynamoDB to judge).
 */
export function chunk<T>(list: readonly T[], size: number, weigh?: (entry: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let weight = 0;
  for (const entry of list) {
    const w = weigh ? weigh(entry) : 0;
    if (current.length > 0 && (current.length >= size || weight + w > TRANSACTION_MAX_BYTES)) {
      out.push(current);
      current = [];
      weight = 0;
    }
    current.push(entry);
    weight += w;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Reads items by `id` with strongly consistent reads, 100 keys per BatchGetItem (the chunks in parallel), retrying
 * unprocessed keys with backoff. Keys must be distinct. Absent items are absent from the map.
 */
export async function readItems(
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly string[],
  projection?: { expression: string; names: Record<string, string> },
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  await Promise.all(
    chunk(keys, BATCH_GET_MAX_KEYS).map(async (ids) => {
      let pending: Record<string, unknown>[] = ids.map((id) => ({ id }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > ATTEMPTS)
          throw new UpstreamUnavailableError("aws", "DynamoDB left keys of a batch read unprocessed");
        if (attempt > 1) await backoff(attempt);
        const out = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: {
                Keys: pending,
                ConsistentRead: true,
                ...(projection
                  ? {
                      ProjectionExpression: projection.expression,
                      ExpressionAttributeNames: projection.names,
                    }
                  : {}),
              },
            },
          }),
        );
        for (const item of out.Responses?.[table] ?? []) found.set(String(item.id), item);
        pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
      }
    }),
  );
  return found;
}

/**
 * Sends one TransactWriteItems: undefined when it committed; when cancelled, each item's cancellation code
 * ("None" for the items that were not at fault; "ConditionalCheckFailed" where a condition failed). A cancellation
 * for passing reasons only (a conflicting transaction, throttling) is retried with backoff first. Other errors throw.
 */
export async function transact(
  client: DynamoDBDocumentClient,
  items: readonly TransactItem[],
): Promise<string[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: [...items] }));
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = items.map((_, i) => error.CancellationReasons?.[i]?.Code ?? "Unknown");
      const passing = codes.every((c) => c === "None" || PASSING.has(c)) && codes.some((c) => c !== "None");
      if (!passing || attempt >= ATTEMPTS) return codes;
      await backoff(attempt);
    }
  }
}

/**
 * Unconditional updates of several items (the batch forms of `savePlan` and `complete`), in transactions of at most
 * `TRANSACTION_MAX_ITEMS` items and `TRANSACTION_MAX_BYTES`, the chunks in parallel. A key given twice keeps its last
 * update, as calls one after the other would leave it (a transaction cannot touch one item twice). Throws when any
 * chunk was not written.
 */
export async function transactUpdates(
  client: DynamoDBDocumentClient,
  table: string,
  entries: readonly { key: string; update: UpdateParts }[],
): Promise<void> {
  const last = new Map<string, (typeof entries)[number]>();
  for (const e of entries) {
    last.delete(e.key); // keeps the order of last occurrence
    last.set(e.key, e);
  }
  const chunks = chunk(
    [...last.values()].map(
      (e): TransactItem => ({ Update: { TableName: table, Key: { id: e.key }, ...e.update } }),
    ),
    TRANSACTION_MAX_ITEMS,
    weightOf,
  );
  await Promise.all(
    chunks.map(async (items) => {
      const codes = await transact(client, items);
      if (codes)
        throw new UpstreamUnavailableError(
          "aws",
          `DynamoDB refused a batch update (${[...new Set(codes.filter((c) => c !== "None"))].join(", ")})`,
        );
    }),
  );
}
