import type { LlmUsage } from "./llm.js";

/** Counters behind the budgets: AI writes per record per day, tokens and cost per use case per day. */
export interface Ledger {
  /** Counts one AI write on a record today; false when the record already had `cap` today (the loop breaker). */
  countRecordWrite(recordKey: string, day: string, cap: number): Promise<boolean>;
  /**
   * `countRecordWrite` for several records at once (a batch's units): answers in entry order. Entries naming the
   * same record and day count one after the other, as separate calls would.
   */
  countRecordWrites(entries: readonly { recordKey: string; day: string; cap: number }[]): Promise<boolean[]>;
  /** Gives back one counted write of that record and day (the unit ended with nothing written). Never below 0. */
  uncountRecordWrite(recordKey: string, day: string): Promise<void>;
  /** Tokens spent by a use case on a day. */
  tokensSpent(useCase: string, day: string): Promise<number>;
  /**
   * Adds usage and cost (micro-dollars) to the use case's day: `calls` model calls' worth (default 1; the usage book
   * adds a batch's calls at once, and `calls` must count model calls, not flushes, for per-call averages).
   */
  addUsage(useCase: string, day: string, usage: LlmUsage, costMicros: number, calls?: number): Promise<void>;
  /** Every use case's daily usage rows from `fromDay` to `toDay` (UTC `YYYY-MM-DD`, both included), for `usage`. */
  usageBetween(fromDay: string, toDay: string): Promise<UsageRow[]>;
}

/** One use case's usage on one UTC day, as the ledger keeps it (for the retention the deployment sets). */
export interface UsageRow {
  useCase: string;
  day: string;
  promptTokens: number;
  completionTokens: number;
  /** Micro-dollars, at the prices in force when each call was made. */
  costMicros: number;
  calls: number;
}
