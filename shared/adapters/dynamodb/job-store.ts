import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import type { Clock } from "../../ports/clock.js";
import { systemClock } from "../../ports/clock.js";
import type { ClaimResult, JobStore, StoredPlan } from "../../ports/job-store.js";

/** Done jobs are remembered this long (TTL), far longer than any redelivery or Zoho retry. */
const DONE_TTL_SECONDS = 7 * 86_400;

/**
 * The JobStore on a DynamoDB table with partition key `id` (string) and TTL on `expiresAt`. Claims are conditional
 * puts, so two workers can never both hold a job. (Powertools idempotency wraps one function per record; the
 * worker combines Zoho writes across the records of a batch, so it needs claim and complete as separate steps.)
 */
export class DynamoJobStore implements JobStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async claim(key: string, jobId: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.clock.now();
    try {
      // An update, not a put: a re-claimed job keeps the plan its earlier attempt stored.
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: key } },
          UpdateExpression: "SET jobId = :j, #s = :p, leaseUntil = :l, expiresAt = :e",
          ConditionExpression: "attribute_not_exists(id) OR (#s = :p AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: {
            ":j": { S: jobId },
            ":p": { S: "IN_PROGRESS" },
            ":l": { N: String(now + leaseMs) },
            ":e": { N: String(Math.floor(now / 1000) + DONE_TTL_SECONDS) },
            ":now": { N: String(now) },
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      const plan = out.Attributes?.plan?.S; // "plan" is a DynamoDB reserved word: always written as #plan
      return plan ? { status: "claimed", plan: JSON.parse(plan) as StoredPlan } : { status: "claimed" };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.translate(error);
      const item = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { id: { S: key } }, ConsistentRead: true }),
      );
      return item.Item?.status?.S === "DONE" ? { status: "done" } : { status: "busy" };
    }
  }

  async savePlan(key: string, plan: StoredPlan): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: key } },
          UpdateExpression: "SET #plan = :p",
          ExpressionAttributeNames: { "#plan": "plan" },
          ExpressionAttributeValues: { ":p": { S: JSON.stringify(plan) } },
        }),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  async complete(key: string, outcome: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: key } },
          UpdateExpression: "SET #s = :d, outcome = :o, expiresAt = :e REMOVE leaseUntil, #plan",
          ExpressionAttributeNames: { "#s": "status", "#plan": "plan" },
          ExpressionAttributeValues: {
            ":d": { S: "DONE" },
            ":o": { S: JSON.stringify(outcome) },
            ":e": { N: String(Math.floor(this.clock.now() / 1000) + DONE_TTL_SECONDS) },
          },
        }),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Ends the lease now, so the next delivery can claim the job; a stored plan stays for that attempt. */
  async release(key: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: key } },
          UpdateExpression: "SET leaseUntil = :zero",
          ConditionExpression: "#s = :p",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":p": { S: "IN_PROGRESS" }, ":zero": { N: "0" } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.translate(error);
    }
  }

  /** Forgets a job entirely (dead-lettered work, so a replay from the dead-letter queue can run it again). */
  async forget(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { id: { S: key } } }));
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): Error {
    return new UpstreamUnavailableError("aws", `DynamoDB job store call failed (${(error as Error).name})`, {
      cause: error,
    });
  }
}
