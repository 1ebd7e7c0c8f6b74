/**
 * The ledger's usage history (issue 13, defect 5) on DynamoDB Local: usage rows are kept for the retention the
 * deployment sets (default 400 days, not the write counters' 3), and `usageBetween` reads them back per use case
 * and day within the window, the rows written before issue 13 (no `useCase`/`day` attributes) included.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";
import { documentClient } from "../../../shared/adapters/dynamodb/document-client.js";
import { DEFAULT_LEDGER_RETENTION_DAYS, DynamoLedger } from "../../../shared/adapters/dynamodb/ledger.js";
import { ensureTables } from "../../../shared/adapters/dynamodb/tables.js";

let local: DynamoDbLocal;
let ddb: DynamoDBClient;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = createDynamoDbClient({
    endpoint: local.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTables(ddb, ["ledger-a", "ledger-b"]);
});
afterAll(async () => {
  ddb?.destroy();
  await local?.close();
});

const expiresAtOf = async (table: string, id: string) =>
  (await documentClient(ddb).send(new GetCommand({ TableName: table, Key: { id } }))).Item?.expiresAt;
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

describe("ledger usage history", () => {
  it("keeps usage rows the retention (default 400 days) and write counters 3 days", async () => {
    expect(DEFAULT_LEDGER_RETENTION_DAYS).toBe(400);
    const ledger = new DynamoLedger(ddb, "ledger-a");
    await ledger.addUsage("lead-enrichment", "2026-11-01", { promptTokens: 10, completionTokens: 5 }, 4.5);
    await ledger.countRecordWrite("Leads:1", "2026-11-01", 3);
    expect(await expiresAtOf("ledger-a", "usage#lead-enrichment#2026-11-01")).toBe(
      dayStart("2026-11-01") + 401 * 86_400,
    );
    expect(await expiresAtOf("ledger-a", "writes#Leads:1#2026-11-01")).toBe(
      dayStart("2026-11-01") + 3 * 86_400,
    );

    const short = new DynamoLedger(ddb, "ledger-a", { retentionDays: 30 });
    await short.addUsage("ticket-triage", "2026-11-01", { promptTokens: 1, completionTokens: 1 }, 1);
    expect(await expiresAtOf("ledger-a", "usage#ticket-triage#2026-11-01")).toBe(
      dayStart("2026-11-01") + 31 * 86_400,
    );
  });

  it("usageBetween: every use case's rows in the window, summed per row, older rows included", async () => {
    const ledger = new DynamoLedger(ddb, "ledger-b");
    await ledger.addUsage("lead-enrichment", "2026-11-20", { promptTokens: 100, completionTokens: 20 }, 27);
    await ledger.addUsage("lead-enrichment", "2026-11-20", { promptTokens: 50, completionTokens: 10 }, 13.4);
    await ledger.addUsage("email-triage", "2026-11-25", { promptTokens: 7, completionTokens: 3 }, 2.9);
    await ledger.addUsage("email-triage", "2026-10-01", { promptTokens: 9, completionTokens: 9 }, 9);
    await ledger.countRecordWrite("Leads:9", "2026-11-20", 3);
    // A row as the ledger wrote it before issue 13: no useCase/day attributes.
    await documentClient(ddb).send(
      new PutCommand({
        TableName: "ledger-b",
        Item: {
          id: "usage#ticket-triage#2026-11-21",
          promptTokens: 4,
          completionTokens: 1,
          costMicros: 0,
          calls: 1,
        },
      }),
    );
    expect(await ledger.usageBetween("2026-11-20", "2026-11-30")).toEqual([
      {
        useCase: "lead-enrichment",
        day: "2026-11-20",
        promptTokens: 150,
        completionTokens: 30,
        costMicros: 40,
        calls: 2,
      },
      {
        useCase: "ticket-triage",
        day: "2026-11-21",
        promptTokens: 4,
        completionTokens: 1,
        costMicros: 0,
        calls: 1,
      },
      {
        useCase: "email-triage",
        day: "2026-11-25",
        promptTokens: 7,
        completionTokens: 3,
        costMicros: 3,
        calls: 1,
      },
    ]);
  });
});
