import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../infra/local/dynamodb.js";

let local: DynamoDbLocal;
let ddb: DynamoDBClient;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = new DynamoDBClient({ endpoint: local.url, region: "us-east-1" });
  await ddb.send(
    new CreateTableCommand({
      TableName: "idempotency",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
});
afterAll(async () => {
  ddb?.destroy();
  await local?.close();
});

describe("DynamoDB Local (AWS's emulator) through @aws-sdk/client-dynamodb", () => {
  it("refuses a second conditional put of the same key (the idempotency primitive)", async () => {
    const put = () =>
      ddb.send(
        new PutItemCommand({
          TableName: "idempotency",
          Item: { id: { S: "job-1" }, status: { S: "INPROGRESS" } },
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );

    await put();

    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it("enables TTL on a table", async () => {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: "idempotency",
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    );

    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "idempotency" }));

    expect(ttl.TimeToLiveDescription?.AttributeName).toBe("expiresAt");
  });

  it("applies TransactWriteItems all or nothing", async () => {
    await expect(
      ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: "idempotency", Item: { id: { S: "tx-a" } } } },
            {
              Put: {
                TableName: "idempotency",
                Item: { id: { S: "job-1" } },
                ConditionExpression: "attribute_not_exists(id)",
              },
            },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(TransactionCanceledException);

    const a = await ddb.send(new GetItemCommand({ TableName: "idempotency", Key: { id: { S: "tx-a" } } }));

    expect(a.Item).toBeUndefined();
  });
});
