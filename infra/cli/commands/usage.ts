/**
 * `zoho-gpt-mediator usage [--since 7d] [--by use-case|day] [--json]`: model tokens and cost from the ledger's
 * daily rows (kept `ledger.retentionDays`, default 400), per use case or per day. Cost is what the worker recorded
 * at the prices in force (the dated default table with the deployment's `prices` over it).
 */
import { DynamoLedger } from "../../../shared/adapters/dynamodb/ledger.js";
import { DEFAULT_MODEL } from "../../../shared/config/worker-env.js";
import { formatUsd, MODEL_PRICES_AS_OF, mergePrices, priceOf } from "../../../shared/domain/model-prices.js";
import {
  makeUsageReport,
  type UsageGrouping,
  windowStart,
} from "../../../shared/use-cases/operations/usage.js";
import { onTarget, type TargetOptions, withTargetOptions } from "../ops-target.js";
import { action, EXIT, type RegisterCommand, UsageError } from "../program.js";

export const usageCommand: RegisterCommand = (program, ctx) => {
  withTargetOptions(program.command("usage"))
    .description("model tokens and cost from the ledger, per use case or per day")
    .option("--since <window>", "7d (today and the 6 days before), 30d, or a date YYYY-MM-DD", "7d")
    .option("--by <grouping>", "use-case or day", "use-case")
    .option("--json", "one JSON document on stdout")
    .action(
      action(ctx, async (options: TargetOptions & { since: string; by: string }) => {
        const now = ctx.deps.clock?.now() ?? Date.now();
        const from = windowStart(options.since, now);
        if (!from) throw new UsageError(`--since must be like 7d or 2026-11-01 (got "${options.since}")`);
        if (options.by !== "use-case" && options.by !== "day")
          throw new UsageError(`--by must be use-case or day (got "${options.by}")`);
        const by: UsageGrouping = options.by;
        return onTarget(ctx, "usage", options, async (t) => {
          // Rows recorded without a cost are priced now, by the model this environment names (else the default).
          const table = mergePrices(parsePrices(ctx.env.MODEL_PRICES));
          const model = ctx.env.MODEL ?? DEFAULT_MODEL;
          const report = await makeUsageReport({
            ledger: new DynamoLedger(t.dynamodb(), t.target.names.ledgerTable),
            now: () => now,
            priceNow: () => priceOf(model, table),
          })({ from, by });
          if (options.json) {
            ctx.io.out(JSON.stringify({ ...report, pricesAsOf: MODEL_PRICES_AS_OF }, null, 2));
            return EXIT.ok;
          }
          ctx.io.out(`usage ${report.from} .. ${report.to} by ${by}`);
          const width = Math.max(9, ...report.lines.map((l) => l.key.length));
          const row = (key: string, l: (typeof report)["total"]) =>
            `${key.padEnd(width)}  ${String(l.calls).padStart(6)} calls  ${String(l.promptTokens).padStart(10)} prompt  ${String(l.completionTokens).padStart(10)} completion  ${formatUsd(l.costMicros).padStart(11)}${l.estimated ? " (part priced now)" : ""}`;
          if (report.lines.length === 0) ctx.io.out("no model calls in this window");
          for (const l of report.lines) ctx.io.out(row(l.key, l));
          ctx.io.out(row("total", report.total));
          return EXIT.ok;
        });
      }),
    );
};

/** MODEL_PRICES as the worker reads it, when this shell sets it; an unreadable value is a usage error. */
function parsePrices(raw: string | undefined): Record<string, { prompt: number; completion: number }> {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, { prompt: number; completion: number }>;
  } catch {
    throw new UsageError("MODEL_PRICES is not JSON");
  }
}
