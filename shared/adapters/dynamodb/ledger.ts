import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import type { Ledger } from "../../ports/ledger.js";
import type { LlmUsage } from "../../ports/llm.js";

/** Counters live two days past their day (TTL), long enough for dashboards and the next day's budget. */
const expiresAt = (day: string) => String(Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 3 * 86_400);

/** The Ledger on a DynamoDB table with partition key `id` and TTL on `expiresAt`; atomic ADD counters. */
export class DynamoLedger implements Ledger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async countRecordWrite(recordKey: string, day: string, cap: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: `writes#${recordKey}#${day}` } },
          UpdateExpression: "ADD n :one SET expiresAt = :e",
          ConditionExpression: "attribute_not_exists(n) OR n < :cap",
          ExpressionAttributeValues: {
            ":one": { N: "1" },
            ":cap": { N: String(cap) },
            ":e": { N: expiresAt(day) },
          },
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
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: `writes#${recordKey}#${day}` } },
          UpdateExpression: "ADD n :minus",
          ConditionExpression: "n > :zero",
          ExpressionAttributeValues: { ":minus": { N: "-1" }, ":zero": { N: "0" } },
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
      new GetItemCommand({
        TableName: this.table,
        Key: { id: { S: `usage#${useCase}#${day}` } },
        ConsistentRead: true,
      }),
    );
    return Number(out.Item?.promptTokens?.N ?? 0) + Number(out.Item?.completionTokens?.N ?? 0);
  }

  async addUsage(useCase: string, day: string, usage: LlmUsage, costMicros: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { id: { S: `usage#${useCase}#${day}` } },
        UpdateExpression:
          "ADD promptTokens :p, completionTokens :c, costMicros :m, calls :one SET expiresAt = :e",
        ExpressionAttributeValues: {
          ":p": { N: String(usage.promptTokens) },
          ":c": { N: String(usage.completionTokens) },
          ":m": { N: String(Math.round(costMicros)) },
          ":one": { N: "1" },
          ":e": { N: expiresAt(day) },
        },
      }),
    );
  }
}
