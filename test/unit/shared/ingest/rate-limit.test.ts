/** The ingest's in-container token buckets and their environment settings (issue 9, defect 1). */
import { describe, expect, it } from "vitest";
import { IngestEnvSchema, ingestLimitsOf } from "../../../../shared/config/ingest-env.js";
import { WorkMustWaitError } from "../../../../shared/errors.js";
import { DEFAULT_INGEST_LIMITS, TokenBucketLimiter } from "../../../../shared/ingest/rate-limit.js";

const limits = { caller: { capacity: 3, refillPerSecond: 1 }, record: { capacity: 2, refillPerSecond: 0.5 } };

describe("TokenBucketLimiter", () => {
  it("refills at the sustained rate and says when to come back", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(limits, () => now);
    const take = () => limiter.take([{ kind: "record", key: "r" }]);

    take();
    take();
    let refused: unknown;
    try {
      take();
    } catch (e) {
      refused = e;
    }
    now += 2_000;

    expect(refused).toBeInstanceOf(WorkMustWaitError);
    expect((refused as WorkMustWaitError).retryAfterMs).toBe(2_000);
    expect(take).not.toThrow();
  });

  it("takes from every bucket or from none", () => {
    const limiter = new TokenBucketLimiter(limits, () => 0);

    limiter.take([{ kind: "record", key: "a" }]);
    limiter.take([{ kind: "record", key: "a" }]);
    // The record is spent: the caller's token must not be taken either.
    expect(() =>
      limiter.take([
        { kind: "caller", key: "c" },
        { kind: "record", key: "a" },
      ]),
    ).toThrow(/record/);
    expect(() => limiter.take([{ kind: "caller", key: "c", cost: 3 }])).not.toThrow();
  });

  it("never needs more than a full bucket, so a large batch can pass when the bucket is full", () => {
    const limiter = new TokenBucketLimiter(limits, () => 0);

    expect(() => limiter.take([{ kind: "caller", key: "c", cost: 100 }])).not.toThrow();
    expect(() => limiter.take([{ kind: "caller", key: "c" }])).toThrow(/caller/);
  });

  it("keeps keys apart, including names Object.prototype has", () => {
    const limiter = new TokenBucketLimiter(limits, () => 0);

    for (const key of ["__proto__", "constructor", "toString"]) {
      limiter.take([{ kind: "record", key }]);
      limiter.take([{ kind: "record", key }]);
    }
    expect(() => limiter.take([{ kind: "record", key: "hasOwnProperty" }])).not.toThrow();
  });
});

describe("ingest rate-limit settings", () => {
  const base = {
    WORK_QUEUE_URL: "http://q.example/q",
    WEBHOOK_SECRET_NAME: "s",
    ZOHO_CONNECTIONS: "default",
  };

  it("defaults to the documented limits", () => {
    expect(ingestLimitsOf(IngestEnvSchema.parse(base))).toEqual(DEFAULT_INGEST_LIMITS);
  });

  it("reads a stage's limits, the record rate per minute", () => {
    const env = IngestEnvSchema.parse({
      ...base,
      INGEST_CALLER_BURST: "100",
      INGEST_CALLER_PER_SECOND: "5",
      INGEST_RECORD_BURST: "4",
      INGEST_RECORD_PER_MINUTE: "30",
    });

    expect(ingestLimitsOf(env)).toEqual({
      caller: { capacity: 100, refillPerSecond: 5 },
      record: { capacity: 4, refillPerSecond: 0.5 },
    });
  });

  it("refuses a zero or negative rate", () => {
    expect(IngestEnvSchema.safeParse({ ...base, INGEST_RECORD_PER_MINUTE: "0" }).success).toBe(false);
  });
});
