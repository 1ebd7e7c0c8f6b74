import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournaledQueue } from "../../../../infra/local/persistence.js";
import type { Queue } from "../../../../shared/ports/queue.js";
import type { WorkMessage } from "../../../../shared/schemas/work-message.js";

const message = (i: number) => ({ jobId: `job-${i}` }) as unknown as WorkMessage;
const linesOf = async (file: string) =>
  (await readFile(file, "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { jobId: string }).jobId);

/** A queue whose sends wait until released, recording what the journal held when each send began. */
function gatedQueue(journal: string) {
  const seenAtSend: string[][] = [];
  const gates: (() => void)[] = [];
  const queue: Queue = {
    send: async (messages) => {
      seenAtSend.push(await linesOf(journal));
      await new Promise<void>((release) => gates.push(release));
      return { messageIds: messages.map((_, i) => `m${i}`) };
    },
  } as Queue;
  const releaseAll = () => {
    for (const release of gates.splice(0)) release();
  };
  return { queue, seenAtSend, releaseAll };
}

describe("the local ingest's write-ahead journal", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "journal-"));
    file = join(dir, "journal.ndjson");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("has every message on disk before its send, and concurrent sends share fsyncs", async () => {
    const gated = gatedQueue(file);
    const journal = new JournaledQueue(gated.queue, file);
    const sends = Array.from({ length: 50 }, (_, i) => journal.send([message(i)]));
    // Wait on state: every send has reached the queue.
    while (gated.seenAtSend.length < 50) await new Promise((r) => setTimeout(r, 5));
    for (const [i, seen] of gated.seenAtSend.entries()) expect(seen.length, `send ${i}`).toBeGreaterThan(0);
    expect(new Set(await linesOf(file)).size).toBe(50);
    // The first append goes alone; the 49 sends that arrived while it was written share the next ones.
    expect(journal.fsyncs).toBeLessThan(10);
    gated.releaseAll();
    await Promise.all(sends);
  });

  it("a compaction while appends are in flight keeps every message whose send has not finished", async () => {
    const gated = gatedQueue(file);
    const journal = new JournaledQueue(gated.queue, file);
    const first = Array.from({ length: 5 }, (_, i) => journal.send([message(i)]));
    while (gated.seenAtSend.length < 5) await new Promise((r) => setTimeout(r, 5));
    // Five sends wait in the queue; five more start, and the snapshot compacts before their appends are written.
    const second = Array.from({ length: 5 }, (_, i) => journal.send([message(5 + i)]));
    await journal.compaction().write();
    expect((await linesOf(file)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `job-${i}`).sort());
    while (gated.seenAtSend.length < 10) await new Promise((r) => setTimeout(r, 5));
    gated.releaseAll();
    await Promise.all([...first, ...second]);
    // Sent: the next compaction leaves them to the snapshot.
    await journal.compaction().write();
    expect(await linesOf(file)).toEqual([]);
  });

  it("a compaction written after its snapshot keeps what was pending then and everything sent since", async () => {
    const sent: string[] = [];
    const queue = {
      send: async (m: WorkMessage[]) => {
        sent.push(...m.map((x) => (x as unknown as { jobId: string }).jobId));
        return { messageIds: [] };
      },
    } as unknown as Queue;
    const journal = new JournaledQueue(queue, file);
    await journal.send([message(1)]);
    // The snapshot is taken now (it holds job-1); job-2 and job-3 are sent while it is being written.
    const compaction = journal.compaction();
    await Promise.all([journal.send([message(2)]), journal.send([message(3)])]);
    await compaction.write();
    expect((await linesOf(file)).sort()).toEqual(["job-2", "job-3"]);
    // Appends after the compaction land in the new file.
    await journal.send([message(4)]);
    expect((await linesOf(file)).sort()).toEqual(["job-2", "job-3", "job-4"]);
    expect(sent).toEqual(["job-1", "job-2", "job-3", "job-4"]);
  });

  it("a send whose append fails is refused and never reaches the queue", async () => {
    const sent: WorkMessage[] = [];
    const queue = {
      send: async (m: WorkMessage[]) => {
        sent.push(...m);
        return { messageIds: [] };
      },
    } as unknown as Queue;
    const journal = new JournaledQueue(queue, join(dir, "missing", "journal.ndjson"));
    await expect(journal.send([message(1)])).rejects.toThrow(/ENOENT/);
    expect(sent).toEqual([]);
  });
});
