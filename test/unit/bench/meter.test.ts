import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { createMeter, estimateUnits, itemSize } from "../../../infra/local/meter.js";

/** A client that never opens a socket: its handler answers every request with `body`. */
function offline<C>(Client: new (config: never) => C, body: string): C {
  return new Client({
    region: "us-east-1",
    endpoint: "http://offline.invalid",
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { "content-type": "application/x-amz-json-1.0" },
          body: new Response(body).body,
        },
      }),
    },
  } as never);
}

describe("the local meter", () => {
  it("counts each DynamoDB command once, by name, with estimated request units", async () => {
    const meter = createMeter();
    const big = "x".repeat(5000);
    const ddb = offline(DynamoDBClient, JSON.stringify({ Item: { id: { S: "a" }, body: { S: big } } }));
    meter.attach(ddb, "dynamodb");
    await ddb.send(new GetItemCommand({ TableName: "t", Key: { id: { S: "a" } }, ConsistentRead: true }));
    await ddb.send(new PutItemCommand({ TableName: "t", Item: { id: { S: "a" }, body: { S: big } } }));
    const snap = meter.snapshot();
    expect(snap.dynamodb.requests).toBe(2);
    expect(snap.dynamodb.GetItem).toBe(1);
    expect(snap.dynamodb.PutItem).toBe(1);
    // A 5 KB item: 2 strongly consistent read units (4 KB each), 5 write units (1 KB each).
    expect(snap.dynamodb.readUnits).toBe(2);
    expect(snap.dynamodb.writeUnits).toBe(5);
  });

  it("counts SQS requests per operation, and reset() starts again from 0", async () => {
    const meter = createMeter();
    const sqs = offline(SQSClient, JSON.stringify({ Successful: [], Failed: [] }));
    meter.attach(sqs, "sqs");
    const send = new SendMessageBatchCommand({
      QueueUrl: "http://q",
      Entries: [{ Id: "1", MessageBody: "m" }],
    });
    await sqs.send(send);
    await sqs.send(send);
    expect(meter.snapshot().sqs).toEqual({ SendMessageBatch: 2 });
    meter.reset();
    expect(meter.snapshot().sqs).toEqual({});
  });

  it("times and counts wrapped functions and API requests", async () => {
    let t = 0;
    const meter = createMeter(() => t);
    const fn = meter.wrapFunction("worker", async (ms: number) => {
      t += ms;
      return ms;
    });
    await fn(30);
    await fn(12);
    await meter.wrapApi(async () => "ok")();
    const snap = meter.snapshot();
    expect(snap.lambda.worker).toEqual({ invocations: 2, ms: 42 });
    expect(snap.apiRequests).toBe(1);
  });

  it("estimates transactional writes at twice their units, and eventually consistent reads at half", () => {
    const item = { id: { S: "k" }, n: { N: "12" } };
    expect(
      estimateUnits(
        "TransactWriteItems",
        {
          TransactItems: [{ Put: { Item: item } }, { Update: { Key: item, ExpressionAttributeValues: {} } }],
        },
        undefined,
      ),
    ).toEqual({ read: 0, write: 4 });
    expect(estimateUnits("GetItem", {}, { Item: item })).toEqual({ read: 0.5, write: 0 });
    expect(itemSize({ id: "k", n: 12 })).toBe(itemSize(item));
  });
});
