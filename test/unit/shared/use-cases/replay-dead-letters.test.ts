import { describe, expect, it } from "vitest";
import {
  type DeadLetter,
  makeReplayDeadLetters,
  type ReplayQueues,
} from "../../../../shared/use-cases/replay-dead-letters.js";

const attr = (StringValue: string) => ({ DataType: "String", StringValue });

class FakeQueues implements ReplayQueues {
  dead: (DeadLetter & { hidden: boolean })[] = [];
  work: { body: string; attributes: DeadLetter["attributes"] }[] = [];
  failSendAfter = Number.POSITIVE_INFINITY;
  async receiveDeadLetters(max: number) {
    const got = this.dead.filter((d) => !d.hidden).slice(0, max);
    for (const d of got) d.hidden = true;
    return got.map(({ hidden: _, ...d }) => structuredClone(d));
  }
  async sendToWork(body: string, attributes: DeadLetter["attributes"]) {
    if (this.work.length >= this.failSendAfter) throw new Error("SQS unavailable");
    this.work.push({ body, attributes });
  }
  async deleteDeadLetter(receiptHandle: string) {
    this.dead = this.dead.filter((d) => d.receiptHandle !== receiptHandle);
  }
  async releaseDeadLetter(receiptHandle: string) {
    for (const d of this.dead) if (d.receiptHandle === receiptHandle) d.hidden = false;
  }
}

const letter = (n: number, failedAt = "2026-11-30T09:00:00.000Z"): DeadLetter & { hidden: boolean } => ({
  messageId: `dlq-${n}`,
  receiptHandle: `rh-${n}`,
  body: JSON.stringify({ jobId: `job-${n}` }),
  attributes: {
    reason: attr(`reason ${n}`),
    failedAt: attr(failedAt),
    receiveCount: { DataType: "Number", StringValue: "5" },
    deferrals: { DataType: "Number", StringValue: "3" },
    deadLetterId: attr(`dl-${n}`),
    traceparent: attr("keep-me"),
  },
  hidden: false,
});

const now = () => Date.parse("2026-11-30T10:00:00.000Z");

/** A dead-letter queue larger than a replay can read within the visibility window: read letters come back into view. */
class WrappingQueues extends FakeQueues {
  override async receiveDeadLetters(max: number) {
    if (this.dead.every((d) => d.hidden)) for (const d of this.dead) d.hidden = false;
    return super.receiveDeadLetters(max);
  }
}

describe("replay dead letters", () => {
  it("--job on a queue whose letters come back into view stops after one pass instead of circling for ever", async () => {
    const queues = new WrappingQueues();
    queues.dead = Array.from({ length: 25 }, (_, i) => letter(i));

    const missing = await makeReplayDeadLetters({ queues, now })({ jobId: "job-999" });
    expect(missing.replayed).toEqual([]);

    const found = await makeReplayDeadLetters({ queues, now })({ jobId: "job-17" });
    expect(found.replayed.map((r) => r.jobId)).toEqual(["job-17"]);
    expect(queues.work).toHaveLength(1);
    expect(queues.dead).toHaveLength(24);
    expect(queues.dead.every((d) => !d.hidden)).toBe(true);
  });

  it("moves each dead letter to the work queue marked as the replay of it, without the worker's bookkeeping", async () => {
    const queues = new FakeQueues();
    queues.dead = Array.from({ length: 13 }, (_, i) => letter(i));

    const result = await makeReplayDeadLetters({ queues, now })();

    expect(result.replayed).toHaveLength(13);
    expect(result.replayed[0]).toEqual({ messageId: "dlq-0", jobId: "job-0", reason: "reason 0" });
    expect(queues.dead).toEqual([]);
    expect(queues.work[12]).toEqual({
      body: JSON.stringify({ jobId: "job-12" }),
      attributes: { traceparent: attr("keep-me"), replay: attr("dl-12") },
    });
  });

  it("honours --limit", async () => {
    const queues = new FakeQueues();
    queues.dead = Array.from({ length: 5 }, (_, i) => letter(i));

    const result = await makeReplayDeadLetters({ queues, now })({ limit: 2 });

    expect(result.replayed.map((r) => r.jobId)).toEqual(["job-0", "job-1"]);
    expect(queues.dead).toHaveLength(3);
  });

  it("leaves dead letters that arrived after it started (it may have caused them), so it always ends", async () => {
    const queues = new FakeQueues();
    queues.dead = [letter(1), letter(2, "2026-11-30T10:00:01.000Z"), letter(3)];

    const result = await makeReplayDeadLetters({ queues, now })();

    expect(result.replayed.map((r) => r.jobId)).toEqual(["job-1"]);
    expect(result.left).toBe(2);
    expect(queues.dead.map((d) => [d.messageId, d.hidden])).toEqual([
      ["dlq-2", false],
      ["dlq-3", false],
    ]);
  });

  it("a message SQS moved itself (no dead letter id) is marked with its message id", async () => {
    const queues = new FakeQueues();
    const { deadLetterId: _, ...attributes } = letter(7).attributes;
    queues.dead = [{ ...letter(7), attributes }];

    await makeReplayDeadLetters({ queues, now })();

    expect(queues.work[0]?.attributes.replay).toEqual(attr("sqs:dlq-7"));
  });

  it("a failed send leaves the dead letter in its queue", async () => {
    const queues = new FakeQueues();
    queues.dead = [letter(1), letter(2)];
    queues.failSendAfter = 1;

    await expect(makeReplayDeadLetters({ queues, now })()).rejects.toThrow("SQS unavailable");
    expect(queues.dead.map((d) => d.messageId)).toEqual(["dlq-2"]);
  });

  it("--job: replays only that job's dead letter; the others are untouched and visible again", async () => {
    const queues = new FakeQueues();
    queues.dead = Array.from({ length: 25 }, (_, i) => letter(i));

    const result = await makeReplayDeadLetters({ queues, now })({ jobId: "job-17" });

    expect(result.replayed).toEqual([{ messageId: "dlq-17", jobId: "job-17", reason: "reason 17" }]);
    expect(queues.work).toHaveLength(1);
    expect(queues.work[0]?.attributes.replay).toEqual(attr("dl-17"));
    expect(queues.dead.map((d) => d.messageId)).not.toContain("dlq-17");
    expect(queues.dead).toHaveLength(24);
    expect(queues.dead.every((d) => !d.hidden)).toBe(true);

    // Its dead letter is spent: a second replay of the job finds nothing to move.
    const again = await makeReplayDeadLetters({ queues, now })({ jobId: "job-17" });
    expect(again.replayed).toEqual([]);
    expect(queues.work).toHaveLength(1);
    expect(queues.dead.every((d) => !d.hidden)).toBe(true);
  });

  it("--job: a failure part-way still makes the letters it read past visible again", async () => {
    const queues = new FakeQueues();
    queues.dead = Array.from({ length: 5 }, (_, i) => letter(i));
    queues.failSendAfter = 0;

    await expect(makeReplayDeadLetters({ queues, now })({ jobId: "job-3" })).rejects.toThrow(
      "SQS unavailable",
    );
    expect(queues.dead.filter((d) => d.messageId !== "dlq-3").every((d) => !d.hidden)).toBe(true);
  });
});
