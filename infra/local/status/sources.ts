/**
 * Where the status page reads from besides its feed: a replay of one job's dead letters through the same use case
 * `dlq replay` runs (makeReplayDeadLetters), and the ledger's usage counters (tokens and cost per use case per day).
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { SqsReplayQueues } from "../../../shared/adapters/sqs/replay-queues.js";
import type { Ledger } from "../../../shared/ports/ledger.js";
import { makeReplayDeadLetters, type ReplayResult } from "../../../shared/use-cases/replay-dead-letters.js";

/** Replays the dead letters of one job, as `dlq replay --job` does (each runs once more: the worker spends the replay mark once). */
export function makeReplayJob(sqs: SQSClient, queues: { workUrl: string; deadLetterUrl: string }) {
  const replay = makeReplayDeadLetters({
    queues: new SqsReplayQueues(sqs, queues.workUrl, queues.deadLetterUrl),
  });
  return (jobId: string): Promise<ReplayResult> => replay({ jobId });
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

/** Days of usage the page shows. */
const USAGE_DAYS = 30;

/** The ledger's usage rows of the last 30 days (the same reader as `usage`), newest day first, cost in dollars. */
export function makeUsageReader(ledger: Pick<Ledger, "usageBetween">, now: () => Date = () => new Date()) {
  return async (): Promise<UsageRow[]> => {
    const today = now();
    const from = new Date(today.getTime() - (USAGE_DAYS - 1) * 86_400_000);
    const rows = await ledger.usageBetween(from.toISOString().slice(0, 10), today.toISOString().slice(0, 10));
    return rows
      .map((r) => ({
        day: r.day,
        useCase: r.useCase,
        calls: r.calls,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        costUsd: r.costMicros / 1_000_000,
      }))
      .sort((a, b) => b.day.localeCompare(a.day) || a.useCase.localeCompare(b.useCase));
  };
}
