import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import type { SharedCounter } from "../../ingest/rate-limit.js";
import { documentClient } from "./document-client.js";

/**
 * The ingest's shared rate counter on a DynamoDB table (partition key `id`, TTL `expiresAt`): one conditional ADD
 * per fixed window and key, so every container counts against the same number. Items expire a window after theirs.
 */
export class DynamoRateCounter implements SharedCounter {
  private readonly client: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.client = documentClient(client);
  }

  async increment(key: string, windowStart: number, windowSeconds: number, limit: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: `rate#${key}#${windowStart}` },
          UpdateExpression: "ADD n :one SET expiresAt = :e",
          ConditionExpression: "attribute_not_exists(n) OR n < :limit",
          ExpressionAttributeValues: {
            ":one": 1,
            ":limit": limit,
            ":e": windowStart + 2 * windowSeconds,
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
