/**
 * The backfill's estimate: tokens per record from the ledger's real average when this use case has rows in the last
 * 30 days, else from the use case's own prompt for a sampled record counted with gpt-tokenizer; priced by the shared
 * price table; the source is named.
 */
import { countTokens } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { UsageRow } from "../../../shared/ports/ledger.js";
import type { ZohoCrm } from "../../../shared/ports/zoho-crm.js";
import {
  estimateBackfill,
  sampleAnswer,
  tokensFromLedger,
  tokensFromPrompt,
} from "../../../shared/use-cases/backfill/estimate.js";
import { measureTokensPerRecord } from "../../../shared/use-cases/backfill/measure.js";
import { backfillMessage } from "../../../shared/use-cases/backfill/run-backfill.js";
import { leadEnrichment } from "../../../shared/use-cases/lead-enrichment/index.js";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const row = (useCase: string, day: string, calls: number, p: number, c: number): UsageRow => ({
  useCase,
  day,
  calls,
  promptTokens: p,
  completionTokens: c,
  costMicros: 0,
});
const CHECKPOINT = {
  v: 1 as const,
  runId: "7f1f6a3e-1d2c-4c1b-9a55-2f1e3d4c5b6a",
  connection: "default",
  useCase: "lead-enrichment",
  module: "Leads",
  where: "",
  sent: 0,
  startedAt: new Date(NOW).toISOString(),
};
const LEAD = {
  id: "5725767000000000001",
  First_Name: "Ada",
  Last_Name: "Quillfeather",
  Company: "Quillfeather Analytics",
  Email: "ada@quillfeather.example",
  Description: "Asked for a demo of the reporting add-on for 40 seats.",
};
/** A CRM port that serves one lead and no fields; any other call fails the test. */
const crmWith = (calls: string[]): ZohoCrm =>
  new Proxy({} as ZohoCrm, {
    get: (_t, name) => {
      if (name === "getRecord")
        return async (module: string, id: string) => {
          calls.push(`getRecord ${module} ${id}`);
          return id === LEAD.id ? LEAD : null;
        };
      if (name === "fields")
        return async (module: string) => {
          calls.push(`fields ${module}`);
          return [];
        };
      if (name === "then") return undefined;
      throw new Error(`unexpected CRM call ${String(name)}`);
    },
  });

describe("backfill estimate", () => {
  it("averages the ledger's rows of this use case per model call", () => {
    const rows = [
      row("lead-enrichment", "2026-11-29", 10, 9_000, 2_000),
      row("lead-enrichment", "2026-11-30", 30, 33_000, 6_400),
      row("ticket-triage", "2026-11-30", 5, 99_000, 9_000),
    ];
    expect(tokensFromLedger(rows, "lead-enrichment")).toEqual({
      prompt: 1_050,
      completion: 210,
      source: "the ledger: average of 40 lead-enrichment model calls in the last 30 days",
    });
    expect(tokensFromLedger(rows, "call-transcript")).toBeUndefined();
    expect(
      tokensFromLedger([row("lead-enrichment", "2026-11-30", 0, 0, 0)], "lead-enrichment"),
    ).toBeUndefined();
  });

  it("prefers the ledger (last 30 days) and then never loads a record", async () => {
    const asked: string[][] = [];
    const calls: string[] = [];
    const per = await measureTokensPerRecord(
      leadEnrichment,
      "default",
      backfillMessage(CHECKPOINT, LEAD.id, new Date(NOW).toISOString()),
      {
        ledger: {
          usageBetween: async (from, to) => {
            asked.push([from, to]);
            return [row("lead-enrichment", "2026-11-20", 4, 4_400, 800)];
          },
        },
        crm: crmWith(calls),
        now: () => NOW,
        countTokens,
      },
    );
    expect(asked).toEqual([["2026-11-01", "2026-11-30"]]);
    expect(per).toMatchObject({
      prompt: 1_100,
      completion: 200,
      source: expect.stringMatching(/^the ledger: /),
    });
    expect(calls).toEqual([]);
  });

  it("without ledger rows counts the use case's real prompt for a sampled record with the tokenizer", async () => {
    const calls: string[] = [];
    const per = await measureTokensPerRecord(
      leadEnrichment,
      "default",
      backfillMessage(CHECKPOINT, LEAD.id, new Date(NOW).toISOString()),
      { ledger: { usageBetween: async () => [] }, crm: crmWith(calls), now: () => NOW, countTokens },
    );
    expect(calls).toEqual(["fields Leads", `getRecord Leads ${LEAD.id}`]);
    // The same figure, computed from the prompt the use case renders for that record.
    const work = leadEnrichment.work?.({ fieldMap: {} });
    if (!work) throw new Error("lead enrichment has work");
    const loaded = await work.load(
      {
        crm: crmWith([]),
        desk: undefined as never,
        creator: undefined as never,
        books: undefined as never,
        connection: "default",
        now: new Date(NOW),
        fields: async () => [],
        binding: { bound: [], targets: [] } as never,
      },
      { module: "Leads", id: LEAD.id },
      backfillMessage(CHECKPOINT, LEAD.id, new Date(NOW).toISOString()),
    );
    const prompt = work.prompt(loaded);
    expect(prompt.user).toContain("Quillfeather Analytics");
    const schemaJson = JSON.stringify(z.toJSONSchema(work.schemaFor(loaded)));
    expect(per?.prompt).toBe(
      countTokens(prompt.system) + countTokens(prompt.user) + countTokens(schemaJson) + 9,
    );
    expect(per?.source).toMatch(
      /prompt and output schema for one sampled record, counted with gpt-tokenizer/,
    );
    // No record to sample and no ledger rows: no figure rather than a guess.
    expect(
      await measureTokensPerRecord(leadEnrichment, "default", undefined, {
        ledger: { usageBetween: async () => [] },
        crm: crmWith([]),
        now: () => NOW,
        countTokens,
      }),
    ).toBeUndefined();
  });

  it("sizes the completion from the output schema: every property, the longest enum value, strings to maxLength", () => {
    const schema = z.object({
      score: z.number().int(),
      stage: z.enum(["Awareness", "Decision"]),
      reason: z.string().max(40),
      notes: z.string().nullable(),
    });
    const answer = sampleAnswer(z.toJSONSchema(schema) as never) as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(["score", "stage", "reason", "notes"]);
    expect(answer.stage).toBe("Awareness");
    expect(String(answer.reason).length).toBeLessThanOrEqual(40);
    expect(String(answer.reason).length).toBeGreaterThanOrEqual(38);
    const per = tokensFromPrompt({ system: "s", user: "u" }, schema, countTokens, "x");
    expect(per.completion).toBe(countTokens(JSON.stringify(answer)));
  });

  it("prices with the shared table (exact name or dated family) and leaves an unknown model unpriced", () => {
    const per = { prompt: 1_000, completion: 200, source: "test" };
    expect(estimateBackfill(2_000, per, "gpt-4o-mini")).toEqual({
      records: 2_000,
      promptTokens: 2_000_000,
      completionTokens: 400_000,
      // 2M x $0.15 + 0.4M x $0.60 per 1M tokens
      costMicros: 540_000,
      source: "test",
    });
    expect(estimateBackfill(2_000, per, "gpt-4o-mini-2024-07-18").costMicros).toBe(540_000);
    expect(estimateBackfill(10, per, "unknown-model").costMicros).toBeUndefined();
    // A deployment's MODEL_PRICES override the default.
    expect(
      estimateBackfill(1_000, per, "gpt-4o-mini", { "gpt-4o-mini": { prompt: 1_000_000, completion: 0 } })
        .costMicros,
    ).toBe(1_000_000);
  });
});
