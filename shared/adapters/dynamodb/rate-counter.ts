import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import type { SharedCounter } from "../../ingest/rate-limit.js";

/**
 * The ingest's shared rate counter on a DynamoDB table (partition key `id`, TTL `expiresAt`): one conditional ADD
 * per fixed window and key, so every container counts against the same number. Items expire a window after theirs.
 */
export class DynamoRateCounter implements SharedCounter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async increment(key: string, windowStart: number, windowSeconds: number, limit: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: `rate#${key}#${windowStart}` } },
          UpdateExpression: "ADD n :one SET expiresAt = :e",
          ConditionExpression: "attribute_not_exists(n) OR n < :limit",
          ExpressionAttributeValues: {
            ":one": { N: "1" },
            ":limit": { N: String(limit) },
            ":e": { N: String(windowStart + 2 * windowSeconds) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new UpstreamUnavailableError(
        "aws",
        `DynamoDB rate counter call failed (${(error as Error).name})`,
        {
          cause: error,
        },
      );
    }
  }
}
