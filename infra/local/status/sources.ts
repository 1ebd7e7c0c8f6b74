/**
 * Where the status page reads from besides its feed: a replay of one job's dead letters through the same use case
 * `dlq replay` runs (makeReplayDeadLetters), and the ledger's usage counters (tokens and cost per use case per day).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../../../shared/adapters/dynamodb/document-client.js";
import { SqsReplayQueues } from "../../../shared/adapters/sqs/replay-queues.js";
import type { DeadLetter, ReplayQueues } from "../../../shared/ports/replay-queues.js";
import { makeReplayDeadLetters, type ReplayResult } from "../../../shared/use-cases/replay-dead-letters.js";

/**
 * The replay queues narrowed to one job: dead letters of other jobs are kept hidden while the replay runs (so the
 * use case's loop reaches the end of the queue instead of seeing them again) and made visible again after it.
 */
class OneJobQueues implements ReplayQueues {
  private readonly held: string[] = [];
  constructor(
    private readonly inner: ReplayQueues,
    private readonly jobId: string,
  ) {}

  async receiveDeadLetters(max: number): Promise<DeadLetter[]> {
    for (;;) {
      const batch = await this.inner.receiveDeadLetters(10);
      if (batch.length === 0) return [];
      const mine: DeadLetter[] = [];
      for (const letter of batch) {
        if (jobIdOf(letter.body) === this.jobId && mine.length < max) mine.push(letter);
        else this.held.push(letter.receiptHandle);
      }
      if (mine.length > 0) return mine;
    }
  }
  sendToWork(body: string, attributes: DeadLetter["attributes"]): Promise<void> {
    return this.inner.sendToWork(body, attributes);
  }
  deleteDeadLetter(receiptHandle: string): Promise<void> {
    return this.inner.deleteDeadLetter(receiptHandle);
  }
  releaseDeadLetter(receiptHandle: string): Promise<void> {
    return this.inner.releaseDeadLetter(receiptHandle);
  }
  /** Makes every other job's dead letter visible again. */
  async releaseHeld(): Promise<void> {
    for (const handle of this.held.splice(0)) await this.inner.releaseDeadLetter(handle).catch(() => {});
  }
}

function jobIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { jobId?: unknown }).jobId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Replays the dead letters of one job (each runs once more: the worker spends the replay mark once). */
export function makeReplayJob(sqs: SQSClient, queues: { workUrl: string; deadLetterUrl: string }) {
  return async (jobId: string): Promise<ReplayResult> => {
    const oneJob = new OneJobQueues(new SqsReplayQueues(sqs, queues.workUrl, queues.deadLetterUrl), jobId);
    try {
      return await makeReplayDeadLetters({ queues: oneJob })();
    } finally {
      await oneJob.releaseHeld();
    }
  };
}

/** One row of the ledger's usage: a use case's model calls on a day. */
export interface UsageRow {
  day: string;
  useCase: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/**
 * The ledger's usage counters (`usage#<useCase>#<day>`, written by Ledger.addUsage). A scan: the local ledger holds
 * a few days of counters, and the page is a local tool; the deployed `usage` command reads it its own way.
 */
export function makeUsageReader(dynamodb: DynamoDBClient, table: string) {
  const client = documentClient(dynamodb);
  return async (): Promise<UsageRow[]> => {
    const rows: UsageRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: "begins_with(id, :usage)",
          ExpressionAttributeValues: { ":usage": "usage#" },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const id = String(item.id);
        // The use case name has no `#`; the day is the last part.
        const day = id.slice(id.lastIndexOf("#") + 1);
        const useCase = id.slice("usage#".length, id.lastIndexOf("#"));
        rows.push({
          day,
          useCase,
          calls: Number(item.calls ?? 0),
          promptTokens: Number(item.promptTokens ?? 0),
          completionTokens: Number(item.completionTokens ?? 0),
          costUsd: Number(item.costMicros ?? 0) / 1_000_000,
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return rows.sort((a, b) => b.day.localeCompare(a.day) || a.useCase.localeCompare(b.useCase));
  };
}
