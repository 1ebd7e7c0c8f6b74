import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import type { Ledger, UsageRow } from "../../ports/ledger.js";
import type { LlmUsage } from "../../ports/llm.js";
import { documentClient } from "./document-client.js";
import { countRecordWritesBatched, countUpdate, expiresAt, writesKey } from "./ledger-batch.js";
/** Usage rows are the cost history `usage` reads: kept this many days unless the deployment says otherwise. */
export const DEFAULT_LEDGER_RETENTION_DAYS = 400;
/** A numeric attribute, 0 when absent. */
const numberOf = (value: unknown): number => (typeof value === "number" ? value : 0);

/** The Ledger on a DynamoDB table with partition key `id` and TTL on `expiresAt`; atomic ADD counters. */
export class DynamoLedger implements Ledger {
  private readonly client: DynamoDBDocumentClient;
  private readonly retentionDays: number;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    options: { retentionDays?: number } = {},
  ) {
    this.client = documentClient(client);
    this.retentionDays = options.retentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS;
  }

  /** One TransactWriteItems per 100 distinct records (ledger-batch.ts); repeats of a record counted after it. */
  async countRecordWrites(
    entries: readonly { recordKey: string; day: string; cap: number }[],
  ): Promise<boolean[]> {
    try {
      return await countRecordWritesBatched(this.client, this.table, entries, (recordKey, day, cap) =>
        this.countRecordWrite(recordKey, day, cap),
      );
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) throw error;
      throw new UpstreamUnavailableError("aws", `DynamoDB ledger call failed (${(error as Error).name})`, {
        cause: error,
      });
    }
  }

  async countRecordWrite(recordKey: string, day: string, cap: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: writesKey(recordKey, day) },
          ...countUpdate(day, cap),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new UpstreamUnavailableError("aws", `DynamoDB ledger call failed (${(error as Error).name})`, {
        cause: error,
      });
    }
  }

  async uncountRecordWrite(recordKey: string, day: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: writesKey(recordKey, day) },
          UpdateExpression: "ADD n :minus",
          ConditionExpression: "n > :zero",
          ExpressionAttributeValues: { ":minus": -1, ":zero": 0 },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new UpstreamUnavailableError("aws", `DynamoDB ledger call failed (${(error as Error).name})`, {
        cause: error,
      });
    }
  }

  async tokensSpent(useCase: string, day: string): Promise<number> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { id: `usage#${useCase}#${day}` },
        ConsistentRead: true,
      }),
    );
    return numberOf(out.Item?.promptTokens) + numberOf(out.Item?.completionTokens);
  }

  async addUsage(
    useCase: string,
    day: string,
    usage: LlmUsage,
    costMicros: number,
    calls = 1,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: `usage#${useCase}#${day}` },
        ExpressionAttributeValues: {
          ":p": usage.promptTokens,
          ":c": usage.completionTokens,
          ":m": Math.round(costMicros),
          ":calls": calls,
          ":e": expiresAt(day, this.retentionDays + 1),
          ":u": useCase,
          ":d": day,
        },
        // The use case and day as attributes too, so `usageBetween` reads them without parsing the key.
        UpdateExpression:
          "ADD promptTokens :p, completionTokens :c, costMicros :m, calls :calls SET expiresAt = :e, useCase = :u, #day = :d",
        ExpressionAttributeNames: { "#day": "day" },
      }),
    );
  }

  /**
   * A scan of the usage rows (the ledger holds one per use case per day plus short-lived write counters, so it stays
   * small); filtered on the key prefix and the day. Rows written before issue 13 lack `useCase`/`day`: read from the key.
   */
  async usageBetween(fromDay: string, toDay: string): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.client.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: "begins_with(id, :usage)",
            ExpressionAttributeValues: { ":usage": "usage#" },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          const id = String(item.id);
          const day = id.slice(id.lastIndexOf("#") + 1);
          if (day < fromDay || day > toDay) continue;
          rows.push({
            useCase: id.slice("usage#".length, id.lastIndexOf("#")),
            day,
            promptTokens: numberOf(item.promptTokens),
            completionTokens: numberOf(item.completionTokens),
            costMicros: numberOf(item.costMicros),
            calls: numberOf(item.calls),
          });
        }
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw new UpstreamUnavailableError("aws", `DynamoDB ledger call failed (${(error as Error).name})`, {
        cause: error,
      });
    }
    return rows.sort((a, b) => a.day.localeCompare(b.day) || a.useCase.localeCompare(b.useCase));
  }
}
