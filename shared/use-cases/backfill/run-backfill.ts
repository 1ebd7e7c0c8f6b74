/**
 * A backfill: every record a COQL condition selects becomes one unit of work on the work queue, as if its trigger
 * had fired. Records are paged by `id > last order by id` (COQL's offsets are limited, notes §2.7), so the walk is
 * stable while records are added. A checkpoint after each batch lets an interrupted run resume; the dedup key
 * `backfill:<runId>:<module>:<id>` (runId kept in the checkpoint) gives a re-sent record the same job id, which the
 * worker claims once, so a record sent twice across an interrupt is still written once.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod";
import { jobIdFor } from "../../domain/dedup-key.js";
import type { Queue } from "../../ports/queue.js";
import { type WorkMessage, WorkMessageSchema, ZohoIdSchema } from "../../schemas/work-message.js";

/** COQL's page size (Zoho documents 200 per query; more is UNCONFIRMED). */
export const BACKFILL_PAGE_SIZE = 200;
/** SQS takes at most 10 messages per batch. */
const SEND_BATCH = 10;

export const BackfillCheckpointSchema = z.strictObject({
  v: z.literal(1),
  runId: z.uuid(),
  connection: z.string().min(1),
  useCase: z.string().min(1),
  module: z.string().min(1),
  where: z.string(),
  /** The highest record id sent; the next page starts after it. */
  lastId: ZohoIdSchema.optional(),
  sent: z.number().int().min(0),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().optional(),
});
export type BackfillCheckpoint = z.infer<typeof BackfillCheckpointSchema>;

export interface CheckpointStore {
  load(): Promise<BackfillCheckpoint | undefined>;
  save(checkpoint: BackfillCheckpoint): Promise<void>;
}

/** One COQL page of record ids, ascending, all greater than `afterId`. */
export type FetchIds = (afterId: string | undefined, size: number) => Promise<string[]>;

export interface BackfillRequest {
  connection: string;
  useCase: string;
  module: string;
  where: string;
  /** At most this many records in the whole run (resumes included). */
  limit?: number | undefined;
  /** Messages per second. */
  ratePerSecond: number;
}

export interface BackfillDeps {
  fetchIds: FetchIds;
  queue: Queue;
  checkpoints: CheckpointStore;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** COQL for one page: the caller's condition (parenthesised), after the last id, by id. */
export function pageQuery(module: string, where: string, afterId: string | undefined, size: number): string {
  const conds = [where.trim() ? `(${where.trim()})` : "", afterId ? `id > ${afterId}` : ""].filter(Boolean);
  // COQL needs a where clause; `id is not null` selects every record.
  const clause = conds.length > 0 ? conds.join(" and ") : "id is not null";
  return `select id from ${module} where ${clause} order by id asc limit ${size}`;
}

/** The checkpoint of this request, resumed when one for the same request exists and is not complete. */
export async function openRun(
  req: BackfillRequest,
  deps: Pick<BackfillDeps, "checkpoints" | "now">,
  options: { restart?: boolean | undefined } = {},
): Promise<{ checkpoint: BackfillCheckpoint; resumed: boolean }> {
  const prior = await deps.checkpoints.load();
  const same =
    prior &&
    prior.connection === req.connection &&
    prior.useCase === req.useCase &&
    prior.module === req.module &&
    prior.where === req.where;
  if (same && !options.restart) return { checkpoint: prior, resumed: true };
  return {
    resumed: false,
    checkpoint: {
      v: 1,
      runId: randomUUID(),
      connection: req.connection,
      useCase: req.useCase,
      module: req.module,
      where: req.where,
      sent: 0,
      startedAt: new Date(deps.now()).toISOString(),
    },
  };
}

/** Counts what is left to send (for the estimate), without sending. Pages through ids only. */
export async function countRemaining(
  req: BackfillRequest,
  checkpoint: BackfillCheckpoint,
  fetchIds: FetchIds,
): Promise<number> {
  const cap = req.limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, req.limit - checkpoint.sent);
  let count = 0;
  let after = checkpoint.lastId;
  while (count < cap) {
    const ids = await fetchIds(after, BACKFILL_PAGE_SIZE);
    if (ids.length === 0) break;
    count += ids.length;
    after = ids[ids.length - 1];
    if (ids.length < BACKFILL_PAGE_SIZE) break;
  }
  return Math.min(count, cap);
}

/** The unit of work for one record, exactly as the worker reads it. */
export function backfillMessage(checkpoint: BackfillCheckpoint, id: string, receivedAt: string): WorkMessage {
  const dedupKey = `backfill:${checkpoint.runId}:${checkpoint.module}:${id}`;
  return WorkMessageSchema.parse({
    v: 1,
    jobId: jobIdFor(`${checkpoint.connection}|${dedupKey}`),
    useCase: checkpoint.useCase,
    connection: checkpoint.connection,
    source: "backfill",
    dedupKey,
    receivedAt,
    subject: { service: "crm", module: checkpoint.module, id },
    input: { module: checkpoint.module, id },
    // One id for the whole run: every log line of its jobs names it.
    correlationId: `backfill-${checkpoint.runId}`,
  });
}

/**
 * Sends every remaining record, saving the checkpoint after each batch (so an interrupt loses at most one batch's
 * progress, and those records are re-sent with the same dedup keys). Returns the final checkpoint.
 */
export async function runBackfill(
  req: BackfillRequest,
  start: BackfillCheckpoint,
  deps: BackfillDeps,
  onProgress: (sentThisRun: number, checkpoint: BackfillCheckpoint) => void = () => {},
): Promise<BackfillCheckpoint> {
  let cp = { ...start };
  const cap = req.limit === undefined ? Number.POSITIVE_INFINITY : req.limit;
  const began = deps.now();
  let sentThisRun = 0;
  for (;;) {
    if (cp.sent >= cap) break;
    const ids = (await deps.fetchIds(cp.lastId, BACKFILL_PAGE_SIZE)).slice(0, cap - cp.sent);
    // A page must move forward: an id not after the last one would loop forever.
    const fresh = ids.filter((id) => cp.lastId === undefined || BigInt(id) > BigInt(cp.lastId));
    if (fresh.length === 0) break;
    for (let i = 0; i < fresh.length; i += SEND_BATCH) {
      const batch = fresh.slice(i, i + SEND_BATCH);
      // Bounded rate: never ahead of ratePerSecond since this run began.
      const due = began + ((sentThisRun + batch.length) / req.ratePerSecond) * 1000;
      const wait = due - deps.now();
      if (wait > 0) await deps.sleep(wait);
      const receivedAt = new Date(deps.now()).toISOString();
      await deps.queue.send(batch.map((id) => backfillMessage(cp, id, receivedAt)));
      sentThisRun += batch.length;
      cp = { ...cp, lastId: batch[batch.length - 1] as string, sent: cp.sent + batch.length };
      await deps.checkpoints.save(cp);
      onProgress(sentThisRun, cp);
    }
    if (ids.length < BACKFILL_PAGE_SIZE) break;
  }
  cp = { ...cp, completedAt: new Date(deps.now()).toISOString() };
  await deps.checkpoints.save(cp);
  return cp;
}
