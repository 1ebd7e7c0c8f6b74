/**
 * The ledger's write cap for a whole batch in one request per 100 records (issue 14): `countRecordWrite`'s
 * conditional ADD for each record, in TransactWriteItems. A record already at its cap cancels the transaction; its
 * cancellation reason names it (answer false), and the transaction is sent again with the others.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { chunk, TRANSACTION_MAX_ITEMS, transact, transactUpdates, type UpdateParts } from "./transactions.js";

/** Write counters live two days past their day (TTL), long enough for the next day's cap. */
export const expiresAt = (day: string, days = 3) =>
  Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + days * 86_400;

/** The counter item of a record's AI writes on a day. */
export const writesKey = (recordKey: string, day: string) => `writes#${recordKey}#${day}`;

/** `countRecordWrite`'s update: one more write, unless the record already had `cap` that day. */
export const countUpdate = (day: string, cap: number): UpdateParts => ({
  UpdateExpression: "ADD n :one SET expiresAt = :e",
  ConditionExpression: "attribute_not_exists(n) OR n < :cap",
  ExpressionAttributeValues: { ":one": 1, ":cap": cap, ":e": expiresAt(day) },
});

type Entry = { recordKey: string; day: string; cap: number };

/**
 * Counts every entry, answers in entry order. The first entry of each record and day goes in a transaction; a
 * repeat (a transaction cannot touch one item twice) is counted after it with `countOne`, in entry order, so the
 * repeats see the first one's count as calls one after the other would.
 */
export async function countRecordWritesBatched(
  client: DynamoDBDocumentClient,
  table: string,
  entries: readonly Entry[],
  countOne: (recordKey: string, day: string, cap: number) => Promise<boolean>,
): Promise<boolean[]> {
  const out: boolean[] = new Array(entries.length);
  const seen = new Set<string>();
  const first: number[] = [];
  const repeats: number[] = [];
  entries.forEach((e, i) => {
    const key = writesKey(e.recordKey, e.day);
    (seen.has(key) ? repeats : first).push(i);
    seen.add(key);
  });
  try {
    await countAll(client, table, entries, first, repeats, countOne, out);
  } catch (error) {
    // The caller retries every unit of the batch: the writes counted so far are uncounted (in transactions, a
    // record's repeats together), or each failed batch would use up the records' daily caps without a write. Best
    // effort, as a cap slot given back: a count whose commit was lost with the error, or whose uncount fails, stays.
    const taken = new Map<string, number>();
    out.forEach((counted, i) => {
      const e = entries[i] as Entry;
      if (counted === true)
        taken.set(writesKey(e.recordKey, e.day), (taken.get(writesKey(e.recordKey, e.day)) ?? 0) + 1);
    });
    await transactUpdates(
      client,
      table,
      [...taken].map(([key, n]) => ({
        key,
        update: { UpdateExpression: "ADD n :minus", ExpressionAttributeValues: { ":minus": -n } },
      })),
    ).catch(() => {});
    throw error;
  }
  return out;
}

/** Fills `out`: the transactions of first entries (all settled before a failure is thrown), then the repeats. */
async function countAll(
  client: DynamoDBDocumentClient,
  table: string,
  entries: readonly Entry[],
  first: readonly number[],
  repeats: readonly number[],
  countOne: (recordKey: string, day: string, cap: number) => Promise<boolean>,
  out: boolean[],
): Promise<void> {
  const settled = await Promise.allSettled(
    chunk([...first], TRANSACTION_MAX_ITEMS).map(async (part) => {
      let pending = part;
      while (pending.length > 0) {
        const codes = await transact(
          client,
          pending.map((i) => {
            const e = entries[i] as Entry;
            return {
              Update: {
                TableName: table,
                Key: { id: writesKey(e.recordKey, e.day) },
                ...countUpdate(e.day, e.cap),
              },
            };
          }),
        );
        if (!codes) {
          for (const i of pending) out[i] = true;
          break;
        }
        const atCap = pending.filter((_, j) => codes[j] === "ConditionalCheckFailed");
        for (const i of atCap) out[i] = false;
        // Any other refusal (still conflicting after retries): the single form decides that entry.
        const other = pending.filter((_, j) => codes[j] !== "ConditionalCheckFailed" && codes[j] !== "None");
        for (const i of other) {
          const e = entries[i] as Entry;
          out[i] = await countOne(e.recordKey, e.day, e.cap);
        }
        pending = pending.filter((_, j) => codes[j] === "None");
        // A cancellation that blames no item would loop forever: the single form decides the rest.
        if (atCap.length === 0 && other.length === 0) {
          for (const i of pending) {
            const e = entries[i] as Entry;
            out[i] = await countOne(e.recordKey, e.day, e.cap);
          }
          break;
        }
      }
    }),
  );
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  for (const i of repeats) {
    const e = entries[i] as Entry;
    out[i] = await countOne(e.recordKey, e.day, e.cap);
  }
}
