/**
 * Local state that survives a restart of `npm start` (under `.local/`, git-ignored; `npm start -- --fresh` clears it).
 * Tests and benchmarks never pass a state directory: they stay in memory.
 *
 * - DynamoDB Local keeps its own SQLite file (`-dbPath`), written as each request commits.
 * - The Secrets Manager emulator rewrites its file on every change (infra/local/secrets-manager/server.ts).
 * - The Zoho sandbox: a snapshot of its org (records, tokens, channels, rules, clock) written when it changed, at
 *   most every {@link SNAPSHOT_INTERVAL_MS}.
 * - The queues (fauxqs is in memory): a snapshot of every message not yet deleted (ready, delayed, in flight, dead
 *   letters) written when it changed, at most every {@link SNAPSHOT_INTERVAL_MS}, plus a write-ahead journal the
 *   ingest appends (and fsyncs) each accepted message to before it is sent, so an event answered 2xx survives a
 *   SIGKILL. Restored messages start again with a receive count of 0, and messages that were in flight are
 *   visible at once; the job store makes a re-run of finished work a no-op.
 *
 * Every file is written to a temporary name and renamed, so a crash leaves the previous or the next copy.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { deserialize, serialize } from "node:v8";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { FauxqsServer } from "fauxqs";
import type { Queue } from "../../shared/ports/queue.js";
import type { WorkMessage } from "../../shared/schemas/work-message.js";
import type { ZohoSandbox } from "./zoho-sandbox/server.js";

/** How often changed state is written at most (what a SIGKILL can lose of sandbox and queue changes). */
export const SNAPSHOT_INTERVAL_MS = 250;

/** Writes `data` to `file` atomically (temp file, fsync, rename), readable by the owner only. */
export function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** {@link atomicWrite} off the event loop: the write and its fsync run on libuv's threads. */
export async function atomicWriteAsync(file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, "w", 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

// ---------------------------------------------------------------- the Zoho sandbox

/** Parts of the sandbox's state that are about this run only, never restored. */
const TRANSIENT = new Set(["ctx", "faults", "inflight"]);

const isPlain = (v: unknown): boolean => {
  if (v === null || typeof v !== "object") return true;
  const proto = Object.getPrototypeOf(v);
  return (
    proto === Object.prototype || proto === null || Array.isArray(v) || v instanceof Map || v instanceof Set
  );
};

/** An instance's own data (functions and the shared context left out), or a plain value as is. */
function dataOf(value: unknown, ctx: unknown): unknown {
  if (isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as object)) if (typeof v !== "function" && v !== ctx) out[k] = v;
  return out;
}

/**
 * The sandbox's org as bytes: every component's data (records, tokens, channels, rules, Desk) and the clock and id
 * counters, serialised together so objects shared between components (the module metadata) stay shared.
 */
export function snapshotSandbox(sandbox: ZohoSandbox, profile: string): Buffer {
  const state = sandbox.state as unknown as Record<string, unknown> & {
    ctx: { clock: object; ids: object };
  };
  const parts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) if (!TRANSIENT.has(k)) parts[k] = dataOf(v, state.ctx);
  return serialize({
    v: 1,
    profile,
    parts,
    clock: dataOf(state.ctx.clock, state.ctx),
    ids: dataOf(state.ctx.ids, state.ctx),
  });
}

/** Puts a snapshot back into a freshly started sandbox; false (and the seeded org kept) when it does not fit. */
export function restoreSandbox(sandbox: ZohoSandbox, bytes: Buffer, profile: string): boolean {
  const snap = deserialize(bytes) as {
    v: number;
    profile: string;
    parts: Record<string, unknown>;
    clock: object;
    ids: object;
  };
  if (snap.v !== 1 || snap.profile !== profile) return false;
  const state = sandbox.state as unknown as Record<string, unknown> & { ctx: { clock: object; ids: object } };
  for (const [k, v] of Object.entries(snap.parts)) {
    if (TRANSIENT.has(k) || !(k in state)) continue;
    if (isPlain(state[k])) state[k] = v;
    else Object.assign(state[k] as object, v);
  }
  Object.assign(state.ctx.clock, snap.clock);
  Object.assign(state.ctx.ids, snap.ids);
  return true;
}

/**
 * Writes the sandbox's snapshot whenever it changed, at most every {@link SNAPSHOT_INTERVAL_MS}. The org is
 * serialised on the event loop (one consistent copy); the file is written and fsynced off it, one write at a time (a
 * tick that comes while one is running is skipped: the next one takes the newer state).
 */
export function persistSandbox(
  sandbox: ZohoSandbox,
  file: string,
  profile: string,
  onError: (error: unknown) => void,
): { flush(): void; stop(): Promise<void> } {
  let last: Buffer | undefined;
  let failed = false;
  let writing: Promise<void> | undefined;
  const fail = (error: unknown) => {
    // Something in the sandbox's state cannot be serialised or written: say so once, keep running in memory.
    if (!failed) onError(error);
    failed = true;
  };
  const flush = () => {
    if (failed || writing) return;
    try {
      const bytes = snapshotSandbox(sandbox, profile);
      if (last?.equals(bytes)) return;
      writing = atomicWriteAsync(file, bytes)
        .then(() => {
          last = bytes;
        }, fail)
        .finally(() => {
          writing = undefined;
        });
    } catch (error) {
      fail(error);
    }
  };
  const timer = setInterval(flush, SNAPSHOT_INTERVAL_MS);
  timer.unref();
  return {
    flush,
    // The last state, written (through the same path as every tick) before the process goes on to exit.
    stop: async () => {
      clearInterval(timer);
      await writing;
      flush();
      await writing;
    },
  };
}

// ---------------------------------------------------------------- the queues

interface StoredMessage {
  queue: "work" | "deadLetter";
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  /** Epoch ms before which the message stays invisible (a delayed message). */
  visibleAt?: number;
}

const attributesOf = (m: { messageAttributes: Record<string, unknown> }) => {
  const out: StoredMessage["attributes"] = {};
  for (const [k, v] of Object.entries(m.messageAttributes ?? {})) {
    const a = v as { DataType?: string; dataType?: string; StringValue?: string; stringValue?: string };
    const value = a.StringValue ?? a.stringValue;
    out[k] = {
      DataType: a.DataType ?? a.dataType ?? "String",
      ...(value !== undefined ? { StringValue: value } : {}),
    };
  }
  return out;
};

/** Every message fauxqs holds that was not deleted, per queue. */
function queueContents(server: FauxqsServer, names: { work: string; deadLetter: string }): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const queue of ["work", "deadLetter"] as const) {
    const q = server.inspectQueue(names[queue]);
    if (!q) continue;
    const all = [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)];
    for (const m of all)
      out.push({
        queue,
        body: m.body,
        attributes: attributesOf(m as never),
        ...(m.delayUntil && m.delayUntil > Date.now() ? { visibleAt: m.delayUntil } : {}),
      });
  }
  return out;
}

/**
 * The ingest's queue with a write-ahead journal: each message is appended and fsynced before it is sent, and kept
 * in the journal until a queue snapshot taken after its send holds it.
 *
 * Appends are group-committed off the event loop: the sends that arrive while one append is being written and
 * fsynced share the next append and its one fsync (a burst of webhooks costs a few fsyncs, not one each, and none
 * blocks the ingest's thread). A message counts as pending from the moment its send starts, so a compaction that
 * runs while its append is in flight keeps it: either the compacted journal or the append holds it, fsynced, before
 * the send goes on.
 */
export class JournaledQueue implements Queue {
  private readonly pending = new Set<string>();
  /** The append being gathered: it is written once the one before it has been fsynced. */
  private gathering: { lines: string[]; written: Promise<void> } | undefined;
  private lastWrite: Promise<unknown> = Promise.resolve();
  /** Lines whose send started since a snapshot was taken, one set per compaction in progress. */
  private readonly trackers = new Set<Set<string>>();
  /** fsyncs done (the group commit's effect, for tests). */
  fsyncs = 0;

  constructor(
    private readonly inner: Queue,
    private readonly journal: string,
  ) {}

  async send(messages: WorkMessage[]): Promise<{ messageIds: string[] }> {
    const lines = messages.map((m) => JSON.stringify(m));
    for (const l of lines) {
      this.pending.add(l);
      for (const t of this.trackers) t.add(l);
    }
    try {
      await this.append(lines);
      return await this.inner.send(messages);
    } finally {
      for (const l of lines) this.pending.delete(l);
    }
  }

  /** Joins the append being gathered (or starts one) and resolves once its lines are fsynced. */
  private append(lines: string[]): Promise<void> {
    let group = this.gathering;
    if (!group) {
      const next: { lines: string[]; written: Promise<void> } = { lines: [], written: Promise.resolve() };
      next.written = this.lastWrite.then(() => {
        // From here on, new sends gather into the next append.
        if (this.gathering === next) this.gathering = undefined;
        return this.write(next.lines);
      });
      this.lastWrite = next.written.catch(() => {});
      this.gathering = next;
      group = next;
    }
    group.lines.push(...lines);
    return group.written;
  }

  private async write(lines: string[]): Promise<void> {
    const file = await open(this.journal, "a", 0o600);
    try {
      await file.write(lines.map((l) => `${l}\n`).join(""));
      await file.sync();
      this.fsyncs += 1;
    } finally {
      await file.close();
    }
  }

  /**
   * A compaction for a snapshot taken now and written later: call it in the same tick as the snapshot is read, and
   * `write()` once the snapshot is durable. The journal then keeps what was pending now and every message sent
   * since; the write runs in turn with the appends, so none lands in the file it replaces.
   */
  compaction(): { write(): Promise<void>; cancel(): void } {
    const keep = new Set(this.pending);
    const since = new Set<string>();
    this.trackers.add(since);
    return {
      write: () => {
        const written = this.lastWrite.then(() => {
          this.trackers.delete(since);
          const lines = [...keep, ...[...since].filter((l) => !keep.has(l))];
          return atomicWriteAsync(this.journal, Buffer.from(lines.map((l) => `${l}\n`).join("")));
        });
        this.lastWrite = written.catch(() => {});
        return written;
      },
      cancel: () => {
        this.trackers.delete(since);
      },
    };
  }
}

/**
 * Writes the queues' snapshot whenever it changed, and then compacts the journal. The queues are read on the event
 * loop (one consistent copy); the snapshot and the journal are written off it, one flush at a time, the journal only
 * once the snapshot is durable (see `JournaledQueue.compaction`).
 */
export function persistQueues(
  server: FauxqsServer,
  names: { work: string; deadLetter: string },
  file: string,
  journal: JournaledQueue,
  onError: (error: unknown) => void = () => {},
): { flush(): void; stop(): Promise<void> } {
  let last = "";
  let writing: Promise<void> | undefined;
  const flush = () => {
    if (writing) return;
    const text = JSON.stringify(queueContents(server, names));
    if (text === last) return;
    // Same tick as the read: what is pending now, or sent from now on, stays in the journal.
    const compaction = journal.compaction();
    writing = atomicWriteAsync(file, Buffer.from(text))
      .then(
        async () => {
          await compaction.write();
          last = text;
        },
        (error) => {
          compaction.cancel();
          throw error;
        },
      )
      // A failed write leaves the previous snapshot and the whole journal: nothing is lost, the next tick tries again.
      .catch(onError)
      .finally(() => {
        writing = undefined;
      });
  };
  const timer = setInterval(flush, SNAPSHOT_INTERVAL_MS);
  timer.unref();
  return {
    flush,
    // The last state, written (through the same path as every tick) before the process goes on to exit.
    stop: async () => {
      clearInterval(timer);
      await writing;
      flush();
      await writing;
    },
  };
}

/**
 * Sends back every message of the last snapshot (with its attributes, and what is left of its delay) and of the
 * journal (through the ingest's own queue adapter); returns how many per queue.
 */
export async function restoreQueues(
  sqs: SQSClient,
  urls: { work: string; deadLetter: string },
  files: { snapshot: string; journal: string },
  ingestQueue: Queue,
): Promise<{ work: number; deadLetter: number }> {
  const messages: StoredMessage[] = existsSync(files.snapshot)
    ? (JSON.parse(readFileSync(files.snapshot, "utf8") || "[]") as StoredMessage[])
    : [];
  const journaled: WorkMessage[] = [];
  if (existsSync(files.journal)) {
    for (const line of readFileSync(files.journal, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        journaled.push(JSON.parse(line) as WorkMessage);
      } catch {
        // A line torn by the crash belongs to a request that was never answered 2xx.
      }
    }
  }
  const counts = { work: journaled.length, deadLetter: 0 };
  if (journaled.length) await ingestQueue.send(journaled);
  for (const queue of ["work", "deadLetter"] as const) {
    const list = messages.filter((m) => m.queue === queue);
    for (let i = 0; i < list.length; i += 10) {
      const batch = list.slice(i, i + 10);
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: urls[queue],
          Entries: batch.map((m, j) => ({
            Id: String(j),
            MessageBody: m.body,
            ...(Object.keys(m.attributes).length ? { MessageAttributes: m.attributes } : {}),
            ...(m.visibleAt
              ? { DelaySeconds: Math.min(900, Math.max(0, Math.ceil((m.visibleAt - Date.now()) / 1000))) }
              : {}),
          })),
        }),
      );
      counts[queue] += batch.length;
    }
  }
  return counts;
}
