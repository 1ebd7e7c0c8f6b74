/**
 * The budget stage, before a unit loads anything: Zoho's credits and the use case's daily token budget; either
 * spent makes the unit wait (WorkMustWaitError -> defer), never fail. Also the usage book every model call adds to.
 */
import { CREDITS_WAIT_MS, creditsLow, tokenBudgetWaitMs, utcDay } from "../domain/budgets.js";
import { WorkMustWaitError } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { Ledger } from "../ports/ledger.js";
import type { LlmUsage } from "../ports/llm.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { PipelineConfig } from "./deps.js";

/**
 * Token usage, kept off the per-event path: usage is added to the ledger once per batch (in `finally`, so failed
 * units count too), and the day's spend is re-read at most every few seconds. A daily budget tolerates that much
 * staleness; the alternative was two DynamoDB round trips per event.
 */
export function makeUsageBook(ledger: Ledger, clock: Clock) {
  const pending = new Map<
    string,
    { useCase: string; day: string; usage: LlmUsage; costMicros: number; calls: number }
  >();
  const spentCache = new Map<string, { value: number; at: number }>();
  const reading = new Map<string, Promise<number>>();
  return {
    add(useCase: string, day: string, u: LlmUsage, costMicros: number) {
      const key = `${useCase}|${day}`;
      const entry = pending.get(key) ?? {
        useCase,
        day,
        usage: { promptTokens: 0, completionTokens: 0 },
        costMicros: 0,
        calls: 0,
      };
      entry.usage.promptTokens += u.promptTokens;
      entry.usage.completionTokens += u.completionTokens;
      entry.costMicros += costMicros;
      entry.calls += 1;
      pending.set(key, entry);
      const cached = spentCache.get(key);
      if (cached) cached.value += u.promptTokens + u.completionTokens;
    },
    async spent(useCase: string, day: string): Promise<number> {
      const key = `${useCase}|${day}`;
      const cached = spentCache.get(key);
      if (cached && clock.now() - cached.at < 5_000) return cached.value;
      // A batch's units check their budgets at once: they share one read per use case, not one each.
      let read = reading.get(key);
      if (!read) {
        read = ledger.tokensSpent(useCase, day).finally(() => reading.delete(key));
        reading.set(key, read);
      }
      const spentBefore = await read;
      const known = spentCache.get(key);
      if (known && clock.now() - known.at < 5_000) return known.value;
      const p = pending.get(key);
      const value = spentBefore + (p ? p.usage.promptTokens + p.usage.completionTokens : 0);
      spentCache.set(key, { value, at: clock.now() });
      return value;
    },
    async flush() {
      const entries = [...pending.values()];
      pending.clear();
      await Promise.all(
        entries.map((e) => ledger.addUsage(e.useCase, e.day, e.usage, e.costMicros, e.calls)),
      );
    },
  };
}
export type UsageBook = ReturnType<typeof makeUsageBook>;

/** Throws WorkMustWaitError when Zoho's credits are low or the use case's token budget for today is spent. */
export async function checkBudgets(
  zoho: ZohoPorts,
  useCase: string,
  now: number,
  usage: UsageBook,
  config: Pick<PipelineConfig, "creditsLowWater" | "tokenBudgetPerDay">,
): Promise<void> {
  const credits = zoho.crm.creditsRemaining();
  if (creditsLow(credits, config.creditsLowWater))
    throw new WorkMustWaitError(`Zoho API credits are low (${credits} left)`, {
      retryAfterMs: CREDITS_WAIT_MS,
    });
  const budget = config.tokenBudgetPerDay(useCase);
  if ((await usage.spent(useCase, utcDay(now))) >= budget)
    throw new WorkMustWaitError(`daily token budget of ${budget} for ${useCase} is spent`, {
      retryAfterMs: tokenBudgetWaitMs(now),
    });
}
