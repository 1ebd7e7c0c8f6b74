/**
 * The local stack's meter on the whole stack: one lead webhook through the local API, the ingest, SQS, the worker,
 * DynamoDB and the sandbox, counted as AWS would bill it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../../infra/local/stack.js";
import { leadWrites, seededLeadIds, startTestStack, triggerLead, until } from "../../helpers/local-stack.js";

let stack: LocalStack & { events: string[] };

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

describe("stack.meter", () => {
  it("counts the API request, both functions, and the SQS and DynamoDB requests of one event", async () => {
    const id = seededLeadIds(stack)[2] as string;
    stack.meter.reset();
    const res = await triggerLead(stack, id);
    expect(res.status).toBe(202);
    await until(() => expect(leadWrites(stack, id).length).toBeGreaterThanOrEqual(1));
    await until(() => expect(stack.events.some((e) => e.startsWith("written") && e.includes(id))).toBe(true));
    // The worker's invocation ends after the write (it acknowledges its message): its time is counted then.
    await until(() => expect(stack.meter.inFlight()).toBe(0));
    const snap = stack.meter.snapshot();

    expect(snap.apiRequests).toBe(1);
    expect(snap.lambda.ingest?.invocations).toBe(1);
    expect(snap.lambda.worker?.invocations).toBeGreaterThanOrEqual(1);
    expect(snap.lambda.worker?.ms).toBeGreaterThan(0);
    // The ingest's send and the worker's acknowledgement of its message.
    expect(snap.sqs.SendMessage ?? snap.sqs.SendMessageBatch).toBeGreaterThanOrEqual(1);
    expect(snap.sqs.ReceiveMessage).toBeGreaterThanOrEqual(1);
    // The job's claim, plan and completion, with their estimated write units.
    expect(snap.dynamodb.requests).toBeGreaterThanOrEqual(3);
    expect(snap.dynamodb.writeUnits).toBeGreaterThanOrEqual(3);
    const operations = Object.keys(snap.dynamodb).filter(
      (k) => !["requests", "readUnits", "writeUnits"].includes(k),
    );
    expect(operations.reduce((n, k) => n + (snap.dynamodb[k] ?? 0), 0)).toBe(snap.dynamodb.requests);

    stack.meter.reset();
    expect(stack.meter.snapshot()).toEqual({
      lambda: {},
      sqs: {},
      dynamodb: { requests: 0, readUnits: 0, writeUnits: 0 },
      secretsManager: 0,
      apiRequests: 0,
    });
  });
});
