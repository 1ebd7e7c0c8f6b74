/**
 * `usage`: the ledger's daily rows over a window, summed per use case or per day, with their cost. The cost is what
 * the worker recorded at each call (the price table in force then); a row recorded with no price (a worker older
 * than the price table, or a model in no table) is priced now from the table by the model the deployment names.
 */
import { costMicrosOf, type ModelPrice } from "../../domain/model-prices.js";
import type { Ledger, UsageRow } from "../../ports/ledger.js";

export type UsageGrouping = "use-case" | "day";

export interface UsageLine {
  /** The use case or the day. */
  key: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  /** True when part of the cost was priced now (the row had tokens and no recorded cost). */
  estimated: boolean;
}

export interface UsageReport {
  from: string;
  to: string;
  by: UsageGrouping;
  lines: UsageLine[];
  total: Omit<UsageLine, "key">;
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The first day of a window: `7d` (today and the 6 days before), `1d` (today), or a date `YYYY-MM-DD`. Undefined
 * for anything else (the command's usage error).
 */
export function windowStart(since: string, nowMs: number): string | undefined {
  const days = /^(\d{1,4})d$/.exec(since.trim());
  if (days) {
    const n = Number(days[1]);
    return n >= 1 ? utcDay(nowMs - (n - 1) * DAY_MS) : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(since) && !Number.isNaN(Date.parse(`${since}T00:00:00Z`))) {
    return utcDay(Date.parse(`${since}T00:00:00Z`)) === since ? since : undefined;
  }
  return undefined;
}

/** Sums rows into lines keyed by use case or day (sorted), with a total. */
export function summariseUsage(
  rows: readonly UsageRow[],
  by: UsageGrouping,
  window: { from: string; to: string },
  priceNow: (useCase: string) => ModelPrice,
): UsageReport {
  const lines = new Map<string, UsageLine>();
  const zero = (key: string): UsageLine => ({
    key,
    calls: 0,
    promptTokens: 0,
    completionTokens: 0,
    costMicros: 0,
    estimated: false,
  });
  const total = zero("total");
  for (const row of rows) {
    const key = by === "day" ? row.day : row.useCase;
    const line = lines.get(key) ?? zero(key);
    const tokens = row.promptTokens + row.completionTokens;
    const estimated = row.costMicros === 0 && tokens > 0;
    const cost = estimated ? Math.round(costMicrosOf(row, priceNow(row.useCase))) : row.costMicros;
    for (const target of [line, total]) {
      target.calls += row.calls;
      target.promptTokens += row.promptTokens;
      target.completionTokens += row.completionTokens;
      target.costMicros += cost;
      target.estimated ||= estimated && cost > 0;
    }
    lines.set(key, line);
  }
  const { key: _key, ...sum } = total;
  return {
    ...window,
    by,
    lines: [...lines.values()].sort((a, b) => a.key.localeCompare(b.key)),
    total: sum,
  };
}

export function makeUsageReport(deps: {
  ledger: Pick<Ledger, "usageBetween">;
  now: () => number;
  priceNow: (useCase: string) => ModelPrice;
}) {
  return async (options: { from: string; by: UsageGrouping }): Promise<UsageReport> => {
    const to = utcDay(deps.now());
    const rows = await deps.ledger.usageBetween(options.from, to);
    return summariseUsage(rows, options.by, { from: options.from, to }, deps.priceNow);
  };
}
