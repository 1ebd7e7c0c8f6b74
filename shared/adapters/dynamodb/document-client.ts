import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * The document client every DynamoDB adapter speaks: plain JavaScript values in and out, marshalled by
 * `@aws-sdk/lib-dynamodb` instead of hand-written attribute maps. It wraps (and shares) the caller's client, so the
 * timeouts and endpoint of `createDynamoDbClient` still apply.
 */
export const documentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
