/**
 * The usage book adds a batch's usage to the ledger in one update: the row's `calls` must still count model calls
 * (not flushes), or per-call averages (the backfill's estimate, `usage`) come out many times too large.
 */
import { describe, expect, it } from "vitest";
import { makeUsageBook } from "../../../shared/pipeline/budget.js";
import type { Ledger } from "../../../shared/ports/ledger.js";

describe("usage book", () => {
  it("flushes a batch's calls as one ledger update that counts every model call", async () => {
    const added: unknown[][] = [];
    const ledger = {
      addUsage: async (...args: unknown[]) => {
        added.push(args);
      },
      tokensSpent: async () => 0,
    } as unknown as Ledger;
    const book = makeUsageBook(ledger, { now: () => 0 } as never);
    book.add("lead-enrichment", "2026-11-30", { promptTokens: 800, completionTokens: 300 }, 300);
    book.add("lead-enrichment", "2026-11-30", { promptTokens: 900, completionTokens: 350 }, 345);
    book.add("lead-enrichment", "2026-11-30", { promptTokens: 700, completionTokens: 250 }, 255);
    book.add("ticket-triage", "2026-11-30", { promptTokens: 100, completionTokens: 10 }, 21);
    await book.flush();
    expect(added).toEqual([
      ["lead-enrichment", "2026-11-30", { promptTokens: 2_400, completionTokens: 900 }, 900, 3],
      ["ticket-triage", "2026-11-30", { promptTokens: 100, completionTokens: 10 }, 21, 1],
    ]);
    await book.flush();
    expect(added).toHaveLength(2);
  });
});
