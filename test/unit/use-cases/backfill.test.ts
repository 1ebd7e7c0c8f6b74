/** The backfill use case: pages by id, checkpoints each batch, resumes on the same run id (the estimate: backfill-estimate.test.ts). */
import { describe, expect, it } from "vitest";
import { parseCoql } from "../../../infra/local/zoho-sandbox/coql.js";
import type { WorkMessage } from "../../../shared/schemas/work-message.js";
import {
  type BackfillCheckpoint,
  type BackfillRequest,
  countRemaining,
  openRun,
  pageQuery,
  runBackfill,
} from "../../../shared/use-cases/backfill/run-backfill.js";

const IDS = Array.from({ length: 450 }, (_, i) => String(5_725_767_000_000_000_000n + BigInt(i)));
const fetchIds = async (after: string | undefined, size: number) =>
  IDS.filter((id) => after === undefined || BigInt(id) > BigInt(after)).slice(0, size);
const REQ: BackfillRequest = {
  connection: "default",
  useCase: "lead-enrichment",
  module: "Leads",
  where: "Lead_Status = 'New'",
  ratePerSecond: 1000,
};

function harness(failAfter = Number.POSITIVE_INFINITY) {
  const sent: WorkMessage[] = [];
  let saved: BackfillCheckpoint | undefined;
  let t = 0;
  return {
    sent,
    saved: () => saved,
    deps: {
      fetchIds,
      queue: {
        send: async (m: WorkMessage[]) => {
          if (sent.length + m.length > failAfter) throw new Error("killed");
          sent.push(...m);
          return { messageIds: m.map((x) => x.jobId) };
        },
      },
      checkpoints: {
        load: async () => saved,
        save: async (c: BackfillCheckpoint) => {
          saved = c;
        },
      },
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    },
  };
}

describe("backfill", () => {
  it("pages after the last id, by id, inside the caller's condition", () => {
    expect(pageQuery("Leads", "Lead_Status = 'New'", "123", 200)).toBe(
      "select id from Leads where (Lead_Status = 'New') and id > 123 order by id asc limit 200",
    );
    expect(pageQuery("Leads", "", undefined, 200)).toBe(
      "select id from Leads where id is not null order by id asc limit 200",
    );
  });

  it("the sandbox compares 19-digit ids exactly", () => {
    const q = parseCoql("select id from Leads where id > 5725767000000000001", () => new Set(["id"]));
    expect(q.where({ id: "5725767000000000002" })).toBe(true);
    expect(q.where({ id: "5725767000000000001" })).toBe(false);
  });

  it("resumes an interrupted run on the same run id, so every record has one dedup key", async () => {
    const h = harness(237);
    const first = await openRun(REQ, h.deps);
    await expect(runBackfill(REQ, first.checkpoint, h.deps)).rejects.toThrow("killed");
    expect(h.saved()?.sent).toBe(230);

    const again = await openRun(REQ, h.deps);
    expect(again.resumed).toBe(true);
    expect(await countRemaining(REQ, again.checkpoint, fetchIds)).toBe(220);
    const sentAfter: WorkMessage[] = [];
    const resumedHarness = {
      ...h.deps,
      queue: {
        send: async (m: WorkMessage[]) => {
          sentAfter.push(...m);
          return { messageIds: m.map((x) => x.jobId) };
        },
      },
    };
    const done = await runBackfill(REQ, again.checkpoint, resumedHarness);
    expect(done).toMatchObject({ runId: first.checkpoint.runId, sent: 450 });
    expect(done.completedAt).toBeDefined();
    const all = [...h.sent, ...sentAfter];
    expect(new Set(all.map((m) => m.subject?.id)).size).toBe(450);
    expect(all).toHaveLength(450);
    expect(all[0]).toMatchObject({
      source: "backfill",
      dedupKey: `backfill:${first.checkpoint.runId}:Leads:${IDS[0]}`,
      input: { module: "Leads", id: IDS[0] },
    });
    // One correlation id for the run: every worker line of its jobs names it.
    expect(new Set(all.map((m) => m.correlationId))).toEqual(new Set([`backfill-${first.checkpoint.runId}`]));
  });

  it("keeps to the rate and the limit", async () => {
    const h = harness();
    const { checkpoint } = await openRun(REQ, h.deps);
    const done = await runBackfill({ ...REQ, ratePerSecond: 50, limit: 100 }, checkpoint, h.deps);
    expect(done.sent).toBe(100);
    expect(h.deps.now()).toBeGreaterThanOrEqual(2000);
  });
});
