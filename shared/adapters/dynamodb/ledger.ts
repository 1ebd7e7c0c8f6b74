import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import type { Ledger } from "../../ports/ledger.js";
import type { LlmUsage } from "../../ports/llm.js";
import { documentClient } from "./document-client.js";

/** Counters live two days past their day (TTL), long enough for dashboards and the next day's budget. */
const expiresAt = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 3 * 86_400;
/** A numeric attribute, 0 when absent. */
const numberOf = (value: unknown): number => (typeof value === "number" ? value : 0);

/** The Ledger on a DynamoDB table with partition key `id` and TTL on `expiresAt`; atomic ADD counters. */
export class DynamoLedger implements Ledger {
  private readonly client: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.client = documentClient(client);
  }

  async countRecordWrite(recordKey: string, day: string, cap: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: `writes#${recordKey}#${day}` },
          UpdateExpression: "ADD n :one SET expiresAt = :e",
          ConditionExpression: "attribute_not_exists(n) OR n < :cap",
          ExpressionAttributeValues: {
            ":one": 1,
            ":cap": cap,
            ":e": expiresAt(day),
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
        new UpdateCommand({
          TableName: this.table,
          Key: { id: `writes#${recordKey}#${day}` },
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

  async addUsage(useCase: string, day: string, usage: LlmUsage, costMicros: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: `usage#${useCase}#${day}` },
        UpdateExpression:
          "ADD promptTokens :p, completionTokens :c, costMicros :m, calls :one SET expiresAt = :e",
        ExpressionAttributeValues: {
          ":p": usage.promptTokens,
          ":c": usage.completionTokens,
          ":m": Math.round(costMicros),
          ":one": 1,
          ":e": expiresAt(day),
        },
      }),
    );
  }
}
