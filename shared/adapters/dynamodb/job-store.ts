import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { UpstreamUnavailableError } from "../../errors.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import type { ClaimRequest, ClaimResult, JobStatus, JobStore } from "../../ports/job-store.js";
import { type StoredPlan, StoredPlanSchema } from "../../schemas/stored-plan.js";
import { documentClient } from "./document-client.js";
import {
  CLAIM_CONDITION,
  CLAIM_UPDATE,
  claimedAnswer,
  claimValues,
  completeUpdate,
  DEAD_LETTER_TTL_SECONDS,
  pointerItem,
  S,
  savePlanUpdate,
  stringOf,
  unclaimedAnswer,
} from "./job-items.js";
import { claimManyBatched } from "./job-store-batch.js";
import { transactUpdates } from "./transactions.js";

/**
 * The JobStore on a DynamoDB table with partition key `id` (string) and TTL on `expiresAt`. Claims are conditional
 * updates, so two workers can never both hold a job, and the one replay of a dead letter is a conditional
 * transition DEAD_LETTERED -> REPLAYING keyed on that dead letter's id. (Powertools idempotency wraps one function
 * per record; the worker combines Zoho writes across the records of a batch, so it needs claim and complete as
 * separate steps.)
 */
export class DynamoJobStore implements JobStore {
  private readonly client: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.client = documentClient(client);
  }

  async claim(
    key: string,
    jobId: string,
    leaseMs: number,
    options: { replayId?: string } = {},
  ): Promise<ClaimResult> {
    const now = this.clock.now();
    const { ":j": j, ":l": l, ":e": e } = claimValues(jobId, leaseMs, now);
    try {
      if (options.replayId) {
        const replayed = await this.update(key, {
          // Only the dead letter this replay was made from; a second replay of it finds REPLAYING or a newer one.
          UpdateExpression:
            "SET jobId = :j, #s = :r, leaseUntil = :l, expiresAt = :e, replayOf = :rid REMOVE deadLetterId",
          ConditionExpression: "#s = :dl AND deadLetterId = :rid",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: {
            ":j": j,
            ":l": l,
            ":e": e,
            ":r": S.replaying,
            ":dl": S.deadLettered,
            ":rid": options.replayId,
          },
        });
        if (replayed) {
          await this.pointTo(jobId, key);
          return claimedAnswer(replayed, true);
        }
      }
      const claimed = await this.update(key, {
        UpdateExpression: CLAIM_UPDATE,
        ConditionExpression: CLAIM_CONDITION,
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: claimValues(jobId, leaseMs, now),
      });
      if (claimed) {
        await this.pointTo(jobId, key);
        return claimedAnswer(claimed, claimed.status === S.replaying);
      }
      const item = await this.client.send(
        new GetCommand({ TableName: this.table, Key: { id: key }, ConsistentRead: true }),
      );
      return unclaimedAnswer(item.Item);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async statusOf(jobId: string): Promise<JobStatus | null> {
    try {
      const ref = await this.client.send(
        new GetCommand({ TableName: this.table, Key: { id: `jobref#${jobId}` } }),
      );
      const key = stringOf(ref.Item?.key);
      if (!key) return null;
      const item = (
        await this.client.send(
          new GetCommand({ TableName: this.table, Key: { id: key }, ConsistentRead: true }),
        )
      ).Item;
      const status = stringOf(item?.status);
      if (!item || !status) return null;
      const outcome = stringOf(item.outcome);
      return {
        jobId,
        // The job's key is `<connection>|<dedup key>` (jobKeyOf).
        connection: key.split("|")[0] ?? "",
        status:
          status === S.done
            ? "done"
            : status === S.deadLettered
              ? "dead-lettered"
              : status === S.replaying
                ? "replaying"
                : "in-progress",
        ...(status === S.deadLettered ? { reason: stringOf(item.reason) ?? "dead-lettered" } : {}),
        ...(outcome ? { outcome: JSON.parse(outcome) as Record<string, unknown> } : {}),
        ...this.details(key, item),
      };
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** What `jobs show` and the status page read beyond the status: the plan, the trigger, the dead letter. */
  private details(key: string, item: Record<string, unknown>): Partial<JobStatus> {
    const raw = stringOf(item.plan);
    const parsed = raw ? StoredPlanSchema.safeParse(JSON.parse(raw)) : undefined;
    const dedupKey = key.slice(key.indexOf("|") + 1);
    const at = stringOf(item.deadLetteredAt);
    const id = stringOf(item.deadLetterId);
    const replayOf = stringOf(item.replayOf);
    return {
      ...(dedupKey ? { dedupKey } : {}),
      ...(parsed?.success ? { plan: parsed.data } : {}),
      ...(at ? { deadLetteredAt: at } : {}),
      ...(id ? { deadLetterId: id } : {}),
      ...(replayOf ? { replayOf } : {}),
    };
  }

  /** The job id's pointer to its key (see `pointerItem`), written at each claim. */
  private async pointTo(jobId: string, key: string): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: pointerItem(jobId, key, this.clock.now()) }),
    );
  }

  /**
   * The batch forms: one consistent BatchGetItem per 100 keys and the claims in transactions (job-store-batch.ts);
   * replays and repeated keys take the single form. Same answers as `claim` for every request.
   */
  async claimMany(requests: readonly ClaimRequest[], leaseMs: number): Promise<ClaimResult[]> {
    const { client, table, clock } = this;
    const claimOne = this.claim.bind(this);
    try {
      return await claimManyBatched({ client, table, clock, claimOne }, requests, leaseMs);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async savePlans(entries: readonly { key: string; plan: StoredPlan }[]): Promise<void> {
    try {
      await transactUpdates(
        this.client,
        this.table,
        entries.map((e) => ({ key: e.key, update: savePlanUpdate(e.plan) })),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  async completeMany(entries: readonly { key: string; outcome: Record<string, unknown> }[]): Promise<void> {
    try {
      const now = this.clock.now();
      await transactUpdates(
        this.client,
        this.table,
        entries.map((e) => ({ key: e.key, update: completeUpdate(e.outcome, now) })),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  async savePlan(key: string, plan: StoredPlan): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: key },
          ...savePlanUpdate(plan),
        }),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  async complete(key: string, outcome: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: key },
          ...completeUpdate(outcome, this.clock.now()),
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
        new UpdateCommand({
          TableName: this.table,
          Key: { id: key },
          UpdateExpression: "SET leaseUntil = :zero",
          ConditionExpression: "#s IN (:p, :r)",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: {
            ":p": S.inProgress,
            ":r": S.replaying,
            ":zero": 0,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.translate(error);
    }
  }

  /** Keeps the job as DEAD_LETTERED with its reason and plan: duplicates are acknowledged, only its replay runs. */
  async deadLetter(
    key: string,
    deadLetter: { reason: string; deadLetterId: string; messageId: string },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: key },
          UpdateExpression:
            "SET #s = :dl, reason = :reason, deadLetterId = :id, deadLetterMessageId = :m, deadLetteredAt = :at, expiresAt = :e REMOVE leaseUntil",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: {
            ":dl": S.deadLettered,
            ":reason": deadLetter.reason.slice(0, 4_000),
            ":id": deadLetter.deadLetterId,
            ":m": deadLetter.messageId,
            ":at": new Date(this.clock.now()).toISOString(),
            ":e": Math.floor(this.clock.now() / 1000) + DEAD_LETTER_TTL_SECONDS,
          },
        }),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** A conditional update; the new item, or undefined when the condition failed. */
  private async update(
    key: string,
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], "TableName" | "Key" | "ReturnValues">,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: key },
          ReturnValues: "ALL_NEW",
          ...input,
        }),
      );
      return out.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private translate(error: unknown): Error {
    if (error instanceof UpstreamUnavailableError) return error;
    return new UpstreamUnavailableError("aws", `DynamoDB job store call failed (${(error as Error).name})`, {
      cause: error,
    });
  }
}
