/**
 * The agent store on one DynamoDB table (partition key `id`, TTL `expiresAt`; `agentTableName(stage)` in AWS):
 * API keys, their rate and write-budget counters, proposals and the tool-call log, with the semantics of the
 * in-memory store (test/fakes/agent-store.ts). Every guarantee is one conditional write: a key id is never
 * overwritten, a counter never passes its limit (and takes nothing when it would), a proposal leaves a status at
 * most once. Lists scan with a prefix filter: the table is small (keys and proposals are made by people). Item
 * shapes: agent-items.ts. DynamoDB failures become UpstreamUnavailableError("aws"), retryable.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { ApiKeyRecord } from "../../domain/api-key.js";
import { AppError, UpstreamUnavailableError, ValidationError } from "../../errors.js";
import type {
  ApiKeyStore,
  KeyLimits,
  Proposal,
  ProposalStatus,
  ProposalStore,
  ToolCallLog,
  ToolCallRecord,
} from "../../ports/agent-store.js";
import {
  callFromItem,
  callToItem,
  DAY_SECONDS,
  itemId,
  KEEP_SECONDS,
  keyFromItem,
  keyToItem,
  proposalFromItem,
  proposalToItem,
  ttlAfter,
} from "./agent-items.js";
import { documentClient } from "./document-client.js";

/** What every class here shares: the document client, the table, and one translation of failures. */
abstract class AgentTable {
  protected readonly client: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    protected readonly table: string,
  ) {
    this.client = documentClient(client);
  }

  /** Runs a call; our own errors pass, a failed condition is `false`, anything else is a passing AWS fault. */
  protected async run<T>(what: string, call: () => Promise<T>): Promise<T | false> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if (error instanceof AppError) throw error;
      throw new UpstreamUnavailableError(
        "aws",
        `DynamoDB agent store ${what} failed (${(error as Error).name})`,
        {
          cause: error,
        },
      );
    }
  }

  protected async getItem(id: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.run("get", () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true })),
    );
    return out ? out.Item : undefined;
  }

  /** Every item whose id starts with `prefix` and that passes `filter` (all pages). */
  protected async scan(
    prefix: string,
    filter?: { expression: string; names?: Record<string, string>; values: Record<string, unknown> },
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.run("scan", () =>
        this.client.send(
          new ScanCommand({
            TableName: this.table,
            ConsistentRead: true,
            FilterExpression: `begins_with(id, :prefix)${filter ? ` AND ${filter.expression}` : ""}`,
            ...(filter?.names ? { ExpressionAttributeNames: filter.names } : {}),
            ExpressionAttributeValues: { ":prefix": prefix, ...filter?.values },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      if (!page) break;
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

export class DynamoApiKeyStore extends AgentTable implements ApiKeyStore {
  async put(key: ApiKeyRecord): Promise<void> {
    const stored = await this.run("put", () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: keyToItem(key),
          ConditionExpression: "attribute_not_exists(id)",
        }),
      ),
    );
    if (stored === false)
      throw new ValidationError(`an API key with id ${key.id} exists`, [], { httpStatus: 422 });
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const item = await this.getItem(itemId.key(id));
    return item ? keyFromItem(item) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.scan("apikey#"))
      .map(keyFromItem)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const done = await this.run("revoke", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: itemId.key(id) },
          UpdateExpression: "SET revokedAt = :at",
          ConditionExpression: "attribute_exists(id) AND attribute_not_exists(revokedAt)",
          ExpressionAttributeValues: { ":at": at },
        }),
      ),
    );
    return done !== false;
  }
}

export class DynamoKeyLimits extends AgentTable implements KeyLimits {
  async takeCall(keyId: string, windowStart: number, windowSeconds: number, limit: number): Promise<boolean> {
    return this.take(itemId.rate(keyId, windowStart), 1, limit, windowStart + 2 * windowSeconds);
  }

  async takeWrites(keyId: string, day: string, n: number, limit: number): Promise<boolean> {
    return this.take(itemId.budget(keyId, day), n, limit, ttlAfter(`${day}T00:00:00Z`, 3 * DAY_SECONDS));
  }

  async writesUsed(keyId: string, day: string): Promise<number> {
    const n = (await this.getItem(itemId.budget(keyId, day)))?.n;
    return typeof n === "number" ? n : 0;
  }

  /**
   * Adds `n` to the counter only while the sum stays within `limit`: one conditional ADD, so every container
   * counts against the same number and a refused take leaves the counter as it was.
   */
  private async take(id: string, n: number, limit: number, expiresAt: number): Promise<boolean> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`a counter takes a whole number >= 1, not ${n}`);
    if (n > limit) return false;
    const taken = await this.run("counter", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: "ADD n :k SET expiresAt = :e",
          ConditionExpression: "attribute_not_exists(n) OR n <= :room",
          ExpressionAttributeValues: { ":k": n, ":room": limit - n, ":e": expiresAt },
        }),
      ),
    );
    return taken !== false;
  }
}

export class DynamoProposalStore extends AgentTable implements ProposalStore {
  async create(proposal: Proposal): Promise<void> {
    const stored = await this.run("create proposal", () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: proposalToItem(proposal),
          ConditionExpression: "attribute_not_exists(id)",
        }),
      ),
    );
    if (stored === false)
      throw new ValidationError(`a proposal with id ${proposal.id} exists`, [], { httpStatus: 422 });
  }

  async get(id: string): Promise<Proposal | null> {
    const item = await this.getItem(itemId.proposal(id));
    return item ? proposalFromItem(item) : null;
  }

  async list(status?: ProposalStatus): Promise<Proposal[]> {
    const items = await this.scan(
      "proposal#",
      status === undefined
        ? undefined
        : { expression: "#s = :s", names: { "#s": "status" }, values: { ":s": status } },
    );
    return items.map(proposalFromItem).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async transition(
    id: string,
    from: ProposalStatus,
    to: ProposalStatus,
    patch: Partial<Pick<Proposal, "decidedAt" | "decidedBy" | "result">> = {},
  ): Promise<boolean> {
    const sets = ["#s = :to"];
    const values: Record<string, unknown> = { ":to": to, ":from": from };
    if (patch.decidedAt !== undefined) {
      sets.push("decidedAt = :at", "expiresAt = :e");
      values[":at"] = patch.decidedAt;
      values[":e"] = ttlAfter(patch.decidedAt, KEEP_SECONDS);
    }
    if (patch.decidedBy !== undefined) {
      sets.push("decidedBy = :by");
      values[":by"] = patch.decidedBy;
    }
    if (patch.result !== undefined) {
      sets.push("#r = :r");
      values[":r"] = JSON.stringify(patch.result);
    }
    const moved = await this.run("proposal transition", () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: itemId.proposal(id) },
          UpdateExpression: `SET ${sets.join(", ")}`,
          // attribute_exists: a transition of an unknown id must not create a stub item.
          ConditionExpression: "attribute_exists(id) AND #s = :from",
          ExpressionAttributeNames: {
            "#s": "status",
            ...(patch.result !== undefined ? { "#r": "result" } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return moved !== false;
  }
}

export class DynamoToolCallLog extends AgentTable implements ToolCallLog {
  async record(call: ToolCallRecord): Promise<void> {
    await this.run("record call", () =>
      this.client.send(new PutCommand({ TableName: this.table, Item: callToItem(call) })),
    );
  }

  async get(id: string): Promise<ToolCallRecord | null> {
    const item = await this.getItem(itemId.call(id));
    return item ? callFromItem(item) : null;
  }

  async listByKey(keyId: string, limit = 50): Promise<ToolCallRecord[]> {
    const items = await this.scan("call#", { expression: "keyId = :k", values: { ":k": keyId } });
    return items
      .map(callFromItem)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit);
  }
}

/** The four stores on one table: the shape of `memoryAgentStore()`. */
export const createDynamoAgentStore = (client: DynamoDBClient, table: string) => ({
  keys: new DynamoApiKeyStore(client, table),
  limits: new DynamoKeyLimits(client, table),
  proposals: new DynamoProposalStore(client, table),
  calls: new DynamoToolCallLog(client, table),
});
