import type { Agent } from "node:http";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * The one kind of DynamoDB client the product uses: explicit timeouts, so a stuck call fails (and the SDK retries
 * it) instead of hanging a worker until its Lambda times out. Job-store calls are small; a few seconds is ample.
 * `httpAgent` lets the local stack open a connection per request: DynamoDB Local closes idle keep-alive sockets,
 * and a request written to one of those stalls until the timeout.
 */
export function createDynamoDbClient(
  config: Omit<DynamoDBClientConfig, "requestHandler"> & { httpAgent?: Agent } = {},
): DynamoDBClient {
  const { httpAgent, ...rest } = config;
  return new DynamoDBClient({
    maxAttempts: 3,
    // An explicit handler: the plain-options shorthand does not apply an httpAgent.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      ...(httpAgent ? { httpAgent } : {}),
    }),
    ...rest,
  });
}
