/**
 * The local stack's batch settings: the defaults (batch 75, window 500 ms, 2 invocations x 5 model calls, 2 x 2 Zoho
 * calls) and the check that a full local batch ends within the work queue's visibility and the claim lease.
 */
import { describe, expect, it } from "vitest";
import { checkLocalBatch, FREE_PORTS, LocalEnvSchema } from "../../infra/local/local-env.js";
import { LOCAL_QUEUES } from "../../infra/local/queues.js";
import { WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { batchTime } from "../../shared/domain/batch-time.js";

const WIRING = {
  WORK_QUEUE_URL: "http://q/work",
  DEAD_LETTER_QUEUE_URL: "http://q/dlq",
  JOBS_TABLE: "jobs",
  LEDGER_TABLE: "ledger",
  ZOHO_CONNECTION_SECRETS: "s",
  REFRESHER_FUNCTION_NAME: "r",
};

describe("local batch settings", () => {
  const env = LocalEnvSchema.parse({ ...FREE_PORTS });
  const worker = WorkerEnvSchema.parse(WIRING);

  it("default to batches of 75 gathered for 500 ms, 2 x 5 = 10 model calls and 2 x 2 = 4 Zoho calls at once", () => {
    expect(env).toMatchObject({ WORKER_BATCH_SIZE: 75, WORKER_BATCH_WINDOW_MS: 500, WORKER_CONCURRENCY: 2 });
    expect(env.WORKER_CONCURRENCY * worker.MODEL_CONCURRENCY).toBe(10);
    // The sandbox's concurrency is 10 (Standard edition); 2 are kept for the tool endpoint and the refresher.
    expect(env.WORKER_CONCURRENCY * worker.ZOHO_CONCURRENCY).toBeLessThanOrEqual(10 - 2);
    // Every call at the 25 s timeout would take ceil(75 / 5) x 2 x 25 s + 30 s = 780 s; the ask cutoff of a 300 s
    // function (the 360 s lease less 60) is 220 s, so the batch ends by 220 + 50 + 30 = 300 s, inside the queue's
    // 360 s visibility and the 360 s lease.
    const timing = {
      batchSize: env.WORKER_BATCH_SIZE,
      modelConcurrency: worker.MODEL_CONCURRENCY,
      modelTimeoutSeconds: worker.MODEL_TIMEOUT_MS / 1000,
    };
    expect(batchTime(timing).seconds).toBe(780);
    expect(batchTime({ ...timing, timeoutSeconds: worker.LEASE_SECONDS - 60 })).toMatchObject({
      seconds: 300,
      by: "cutoff",
    });
    expect(() => checkLocalBatch(env, worker, LOCAL_QUEUES.visibilityTimeoutSeconds)).not.toThrow();
  });

  it("accepts up to 10,000 records a batch, as Lambda does for a standard queue", () => {
    expect(LocalEnvSchema.parse({ WORKER_BATCH_SIZE: "10000" }).WORKER_BATCH_SIZE).toBe(10_000);
    expect(LocalEnvSchema.safeParse({ WORKER_BATCH_SIZE: "10001" }).success).toBe(false);
    expect(LocalEnvSchema.safeParse({ WORKER_BATCH_SIZE: "0" }).success).toBe(false);
  });

  it("refuses a batch that can outlast the queue's visibility, naming the settings to change", () => {
    const big = LocalEnvSchema.parse({ WORKER_BATCH_SIZE: "40" });
    // A 100 s model timeout: every call would take ceil(40 / 5) x 2 x 100 s + 30 s = 1630 s, and the cutoff of a 300 s
    // function is at half of it, 150 s, so the batch can take 150 + 200 + 30 = 380 s > 360 s.
    const slow = { ...worker, MODEL_TIMEOUT_MS: 100_000 };
    expect(() => checkLocalBatch(big, slow, LOCAL_QUEUES.visibilityTimeoutSeconds)).toThrow(
      "a local batch can take 380 s (WORKER_BATCH_SIZE 40, MODEL_CONCURRENCY 5, MODEL_TIMEOUT_MS 100000), longer than the work queue's 360 s visibility or LEASE_SECONDS 360: lower WORKER_BATCH_SIZE or MODEL_TIMEOUT_MS, or raise MODEL_CONCURRENCY",
    );
    // The same batch with eight times the model calls at once fits: ceil(40 / 40) x 2 x 100 s + 30 s = 230 s.
    expect(() =>
      checkLocalBatch(big, { ...slow, MODEL_CONCURRENCY: 40 }, LOCAL_QUEUES.visibilityTimeoutSeconds),
    ).not.toThrow();
  });

  it("refuses a batch that can outlast the claim lease", () => {
    // A 140 s function (a 200 s lease): its cutoff at 70 s + 2 x 25 s + 30 s = 150 s fits; with 60 s model calls,
    // 70 s + 120 s + 30 s = 220 s does not.
    const short = { ...worker, LEASE_SECONDS: 200 };
    expect(() => checkLocalBatch(env, short, LOCAL_QUEUES.visibilityTimeoutSeconds)).not.toThrow();
    expect(() =>
      checkLocalBatch(env, { ...short, MODEL_TIMEOUT_MS: 60_000 }, LOCAL_QUEUES.visibilityTimeoutSeconds),
    ).toThrow(/can take 220 s .* LEASE_SECONDS 200/);
  });
});
