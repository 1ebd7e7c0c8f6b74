import { describe, expect, it } from "vitest";
import { AWS_PRICES } from "../../../bench/cost/aws-prices.js";
import { infraCost, infraCostPer1k, memoryMbOf, modelCostPer1k } from "../../../bench/cost/cost.js";
import { FUNCTION_MEMORY_MB } from "../../../infra/constructs/function-memory.js";
import type { MeterSnapshot } from "../../../infra/local/meter.js";

const empty = (): MeterSnapshot => ({
  lambda: {},
  sqs: {},
  dynamodb: { requests: 0, readUnits: 0, writeUnits: 0 },
  secretsManager: 0,
  apiRequests: 0,
});

describe("infraCost", () => {
  it("prices Lambda GB-seconds from each function's configured memory and billed milliseconds", () => {
    // 1,000 worker invocations of 500 ms at 512 MB = 250 GB-s; 2,000 refresher invocations of 0.4 ms billed as 1 ms.
    const snap = {
      ...empty(),
      lambda: { worker: { invocations: 1000, ms: 500_000 }, refresher: { invocations: 2000, ms: 800 } },
    };
    const cost = infraCost(snap);
    const workerGbs = 500 * (FUNCTION_MEMORY_MB.worker / 1024);
    const refresherGbs = 2 * (FUNCTION_MEMORY_MB.default / 1024);
    expect(cost.lambdaCompute).toBeCloseTo((workerGbs + refresherGbs) * AWS_PRICES.lambdaPerGbSecond, 12);
    expect(cost.lambdaRequests).toBeCloseTo(3000 * 0.2e-6, 12);
    expect(cost.total).toBeCloseTo(cost.lambdaCompute + cost.lambdaRequests, 12);
  });

  it("prices each service's requests and DynamoDB's read and write units", () => {
    const snap: MeterSnapshot = {
      ...empty(),
      sqs: { SendMessageBatch: 100, ReceiveMessage: 150, DeleteMessageBatch: 50 },
      dynamodb: { requests: 3000, readUnits: 1000, writeUnits: 2000, UpdateItem: 3000 },
      secretsManager: 10_000,
      apiRequests: 1_000_000,
    };
    const cost = infraCost(snap);
    expect(cost.sqs).toBeCloseTo(300 * 0.4e-6, 12);
    expect(cost.dynamodb).toBeCloseTo(1000 * 0.125e-6 + 2000 * 0.625e-6, 12);
    expect(cost.secretsManager).toBeCloseTo(0.05, 12);
    expect(cost.apiGateway).toBeCloseTo(1, 12);
    expect(infraCostPer1k(snap, 2000)).toBeCloseTo((cost.total / 2000) * 1000, 12);
  });

  it("is 0 for no events rather than dividing by zero", () => {
    expect(infraCostPer1k({ ...empty(), apiRequests: 5 }, 0)).toBe(0);
  });

  it("takes each function's memory from the constructs' constants", () => {
    expect(memoryMbOf("worker")).toBe(FUNCTION_MEMORY_MB.worker);
    expect(memoryMbOf("ingest")).toBe(FUNCTION_MEMORY_MB.ingest);
    expect(memoryMbOf("refresher")).toBe(FUNCTION_MEMORY_MB.default);
  });
});

describe("modelCostPer1k", () => {
  const table = {
    cheap: { prompt: 150_000, completion: 600_000 },
    cached: { prompt: 1_000_000, completion: 4_000_000, cachedPrompt: 250_000 },
  };

  it("prices prompt and completion tokens per 1M at the model's price", () => {
    // 1,000 events x (600 prompt + 80 completion) at $0.15 / $0.60 per 1M = $0.09 + $0.048 per 1,000 events.
    expect(modelCostPer1k({ prompt: 600_000, completion: 80_000 }, "cheap", 1000, table)).toBeCloseTo(
      0.138,
      10,
    );
  });

  it("charges cached prompt tokens at the cached price when the table has one", () => {
    const cost = modelCostPer1k(
      { prompt: 1_000_000, completion: 0, cachedPrompt: 400_000 },
      "cached",
      1000,
      table,
    );
    expect(cost).toBeCloseTo(0.6 + 0.1, 10);
  });

  it("charges cached prompt tokens at the prompt price when the table has no cached price", () => {
    const withCache = modelCostPer1k(
      { prompt: 1_000_000, completion: 0, cachedPrompt: 400_000 },
      "cheap",
      1000,
      table,
    );
    expect(withCache).toBeCloseTo(
      modelCostPer1k({ prompt: 1_000_000, completion: 0 }, "cheap", 1000, table),
      12,
    );
  });

  it("finds a dated snapshot's family and costs an unknown model 0", () => {
    expect(modelCostPer1k({ prompt: 1e6, completion: 0 }, "cheap-2025-01-01", 1000, table)).toBeCloseTo(
      0.15,
      10,
    );
    expect(modelCostPer1k({ prompt: 1e6, completion: 1e6 }, "unknown", 1000, table)).toBe(0);
  });
});
