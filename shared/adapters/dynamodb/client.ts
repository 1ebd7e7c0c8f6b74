import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";

/**
 * The one kind of DynamoDB client the product uses: explicit timeouts, so a stuck call fails (and the SDK retries
 * it) instead of hanging a worker until its Lambda times out. Job-store calls are small; a few seconds is ample.
 */
export function createDynamoDbClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    ...config,
  });
}
