/** The ingest's shared rate counter on DynamoDB Local (AWS's emulator): the conditional ADD holds its limit. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";
import { DynamoRateCounter } from "../../../shared/adapters/dynamodb/rate-counter.js";
import { ensureTables } from "../../../shared/adapters/dynamodb/tables.js";
import { UpstreamUnavailableError } from "../../../shared/errors.js";

let local: DynamoDbLocal;
let ddb: ReturnType<typeof createDynamoDbClient>;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = createDynamoDbClient({
    endpoint: local.url,
    region: "us-east-1",
    credentials: { accessKeyId: "l", secretAccessKey: "l" },
  });
  await ensureTables(ddb, ["rate"]);
}, 60_000);
afterAll(async () => {
  ddb?.destroy();
  await local?.close();
});

describe("DynamoRateCounter", () => {
  it("counts up to the limit per key and window, concurrently, then refuses", async () => {
    const counter = new DynamoRateCounter(ddb, "rate");

    const results = await Promise.all(
      Array.from({ length: 8 }, () => counter.increment("default:crm:Leads:1", 1_000, 60, 5)),
    );
    const otherKey = await counter.increment("default:crm:Leads:2", 1_000, 60, 5);
    const nextWindow = await counter.increment("default:crm:Leads:1", 1_060, 60, 5);

    expect(results.filter(Boolean)).toHaveLength(5);
    expect(otherKey).toBe(true);
    expect(nextWindow).toBe(true);
  });

  it("reports an unreachable table as unavailable (the ingest then fails open)", async () => {
    const error = await new DynamoRateCounter(ddb, "no-such-table").increment("k", 0, 60, 5).catch((e) => e);

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
  });
});
