/**
 * `zoho-gpt-mediator backfill`: runs a use case over records that already exist (CONTRACTS-13 §4). Pages the records
 * a COQL condition selects, prints the estimate of tokens and cost, asks (or takes `--yes`), then enqueues one unit
 * of work per record at a bounded rate with a progress bar on stderr. A checkpoint file (`<state dir>/.backfill/`)
 * makes the same command line resume an interrupted run with the same run id, so no record is written twice.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DynamoLedger } from "../../../shared/adapters/dynamodb/ledger.js";
import { SqsQueue } from "../../../shared/adapters/sqs/sqs-queue.js";
import { ZohoCrmHttp } from "../../../shared/adapters/zoho/crm.js";
import { DEFAULT_CONNECTION } from "../../../shared/config/stage.js";
import { DEFAULT_MODEL } from "../../../shared/config/worker-env.js";
import { formatUsd, mergePrices } from "../../../shared/domain/model-prices.js";
import { ModuleNameSchema, UseCaseNameSchema } from "../../../shared/schemas/work-message.js";
import { checkpointPath, fileCheckpointStore } from "../../../shared/use-cases/backfill/checkpoint-file.js";
import { estimateBackfill } from "../../../shared/use-cases/backfill/estimate.js";
import { measureTokensPerRecord } from "../../../shared/use-cases/backfill/measure.js";
import {
  type BackfillCheckpoint,
  type BackfillRequest,
  backfillMessage,
  countRemaining,
  type FetchIds,
  openRun,
  pageQuery,
  runBackfill,
} from "../../../shared/use-cases/backfill/run-backfill.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { localStateDir } from "../../local/state-file.js";
import { openConnection } from "../connection.js";
import { action, type CliContext, EXIT, type RegisterCommand, UsageError } from "../program.js";
import { describeTarget, openTarget, resolveTarget, type Target } from "../target.js";

interface BackfillOptions {
  useCase: string;
  module: string;
  where: string;
  limit?: string;
  dryRun?: boolean;
  yes?: boolean;
  rate: string;
  restart?: boolean;
  connection: string;
  model: string;
  stage?: string;
  region?: string;
  verbose?: boolean;
}

const positiveInt = (flag: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer (got ${text})`);
  return n;
};

/** `--rate 20` or `--rate 20/s`. */
const parseRate = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n > 0) || n > 3000)
    throw new UsageError(`--rate must be messages per second, e.g. 20/s (got ${text})`);
  return n;
};

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  ctx.io.err(question);
  try {
    for await (const line of rl) return /^y(es)?$/i.test(line.trim());
    return false;
  } finally {
    rl.close();
  }
}

/** A progress bar on a terminal; a line per page of progress otherwise (logs, tests). */
async function progressReporter(ctx: CliContext, total: number) {
  if (process.stderr.isTTY && ctx.io.interactive) {
    const { SingleBar, Presets } = await import("cli-progress");
    const bar = new SingleBar(
      { stream: process.stderr, format: "backfill [{bar}] {value}/{total} records | {eta_formatted} left" },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
  }
  let shown = 0;
  return {
    update: (n: number) => {
      if (n - shown >= 100 || n === total) {
        shown = n;
        ctx.io.err(`progress: ${n}/${total} records sent`);
      }
    },
    stop: () => {},
  };
}

const usd = (micros: number | undefined) =>
  micros === undefined ? "unknown (no price for the model)" : formatUsd(micros);

/** MODEL_PRICES as the worker reads it (micro-dollars per 1M tokens), over the dated default table. */
function pricesFrom(raw: string | undefined) {
  if (!raw) return mergePrices();
  try {
    return mergePrices(JSON.parse(raw));
  } catch {
    throw new UsageError(
      'MODEL_PRICES must be JSON like {"gpt-4o-mini": {"prompt": 150000, "completion": 600000}}',
    );
  }
}

/**
 * Where checkpoints live: the local stack's state folder for the local stack; for a deployed stage a fixed folder per
 * user (BACKFILL_STATE_DIR, else ~/.zoho-gpt-mediator), so a rerun from another directory still resumes its run id.
 */
function checkpointDir(target: Target, env: NodeJS.ProcessEnv): string {
  if (target.kind === "local") return localStateDir(env);
  return env.BACKFILL_STATE_DIR || join(homedir(), ".zoho-gpt-mediator");
}

async function runCommand(ctx: CliContext, o: BackfillOptions): Promise<number> {
  const useCase = UseCaseNameSchema.safeParse(o.useCase);
  if (!useCase.success) throw new UsageError(`--use-case: ${useCase.error.issues[0]?.message}`);
  const mod = ModuleNameSchema.safeParse(o.module);
  if (!mod.success) throw new UsageError(`--module: ${mod.error.issues[0]?.message}`);
  if (/;/.test(o.where)) throw new UsageError("--where is one COQL condition (no ';')");
  const descriptor = USE_CASE_CATALOG.find((d) => d.name === useCase.data);
  if (!descriptor) throw new UsageError(`--use-case: no use case named ${useCase.data}`);
  // Only a use case that takes CRM records of this module can run on them: anything else would be dead-lettered later.
  const modules = [
    descriptor.triggers.crmWorkflow?.defaultModule,
    ...(descriptor.triggers.crmNotification?.modules ?? []),
  ].filter((m): m is string => Boolean(m));
  if (!modules.includes(mod.data))
    throw new UsageError(
      modules.length
        ? `--module: ${useCase.data} runs on CRM records of ${[...new Set(modules)].join(", ")}, not ${mod.data}`
        : `--use-case: ${useCase.data} does not run on CRM records (it is triggered by ${Object.keys(descriptor.triggers).join(", ")})`,
    );
  const req: BackfillRequest = {
    connection: o.connection,
    useCase: useCase.data,
    module: mod.data,
    // Spacing is not meaning: the same condition typed again resumes the same run.
    where: o.where.trim().replace(/\s+/g, " "),
    limit: o.limit === undefined ? undefined : positiveInt("--limit", o.limit),
    ratePerSecond: parseRate(o.rate),
  };

  const target = resolveTarget({ stage: o.stage, region: o.region }, ctx.env);
  if (o.verbose) ctx.io.err(`target: ${describeTarget(target)}`);
  const opened = openTarget(target);
  const conn = openConnection(
    {
      connection: o.connection,
      stage: target.stage,
      region: target.region,
      ...(target.endpoints.secretsManager ? { "secrets-endpoint": target.endpoints.secretsManager } : {}),
    },
    ctx.env,
    ctx.deps,
    { stage: target.stage, connection: DEFAULT_CONNECTION },
  );
  try {
    const crm = new ZohoCrmHttp(conn.zoho());
    const fetchIds: FetchIds = async (afterId, size) => {
      const rows = await crm.coql(pageQuery(req.module, req.where, afterId, size));
      return rows.map((r) => String(r.id));
    };
    const file = checkpointPath(checkpointDir(target, ctx.env), {
      target: `${target.kind}:${target.stage}:${target.region}`,
      connection: req.connection,
      useCase: req.useCase,
      module: req.module,
      where: req.where,
    });
    const checkpoints = fileCheckpointStore(file);
    const clock = { now: () => ctx.deps.clock?.now() ?? Date.now() };
    const { checkpoint, resumed } = await openRun(
      req,
      { checkpoints, now: clock.now },
      { restart: o.restart },
    );
    if (resumed && checkpoint.completedAt) {
      ctx.io.out(
        `backfill ${checkpoint.runId} already finished at ${checkpoint.completedAt}: ${checkpoint.sent} records sent (--restart starts a new run)`,
      );
      return EXIT.ok;
    }
    if (resumed)
      ctx.io.err(
        `resuming backfill ${checkpoint.runId}: ${checkpoint.sent} records already sent (checkpoint ${file})`,
      );

    const remaining = await countRemaining(req, checkpoint, fetchIds);
    const [first] = remaining > 0 ? await fetchIds(checkpoint.lastId, 1) : [];
    const per = await measureTokensPerRecord(
      descriptor,
      req.connection,
      first ? backfillMessage(checkpoint, first, new Date(clock.now()).toISOString()) : undefined,
      {
        ledger: new DynamoLedger(opened.dynamodb(), target.names.ledgerTable),
        crm,
        now: clock.now,
        countTokens: (await import("gpt-tokenizer")).countTokens,
      },
      { raw: ctx.env },
    );
    if (per) {
      const est = estimateBackfill(remaining, per, o.model, pricesFrom(ctx.env.MODEL_PRICES));
      ctx.io.err(
        `estimate: ${remaining} ${req.module} records, ~${est.promptTokens.toLocaleString("en")} prompt + ${est.completionTokens.toLocaleString("en")} completion tokens on ${o.model}, ~${usd(est.costMicros)}`,
      );
      ctx.io.err(
        `  per record: ${per.prompt} prompt + ${per.completion} completion tokens, from ${per.source}`,
      );
      if (o.dryRun) {
        ctx.io.out(JSON.stringify({ dryRun: true, ...est, model: o.model }));
        return EXIT.ok;
      }
    } else {
      ctx.io.err(
        `estimate: ${remaining} ${req.module} records (no ledger rows and no record to measure a prompt on)`,
      );
      if (o.dryRun) {
        ctx.io.out(JSON.stringify({ dryRun: true, records: remaining, model: o.model }));
        return EXIT.ok;
      }
    }
    if (remaining === 0) {
      await checkpoints.save({ ...checkpoint, completedAt: new Date(clock.now()).toISOString() });
      ctx.io.out("nothing to backfill");
      return EXIT.ok;
    }
    if (!o.yes) {
      if (!ctx.io.interactive) {
        ctx.io.err("error: add --yes to confirm (stdin is not a terminal)");
        return EXIT.usage;
      }
      if (!(await confirm(ctx, `enqueue ${remaining} records for ${req.useCase}? [y/N]`))) {
        ctx.io.err("cancelled");
        return EXIT.failure;
      }
    }
    // Saved before the first send: an interrupt from here on resumes this run id.
    await checkpoints.save(checkpoint);
    const queue = new SqsQueue(opened.sqs(), (await opened.queueUrls()).work);
    const progress = await progressReporter(ctx, remaining);
    let done: BackfillCheckpoint;
    try {
      done = await runBackfill(
        req,
        checkpoint,
        {
          fetchIds,
          queue,
          checkpoints,
          now: clock.now,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        },
        (n) => progress.update(n),
      );
    } finally {
      progress.stop();
    }
    ctx.io.out(`backfill ${done.runId}: ${done.sent} records enqueued for ${req.useCase}`);
    return EXIT.ok;
  } finally {
    conn.close();
    opened.close();
  }
}

export const backfillCommand: RegisterCommand = (program, ctx) => {
  program
    .command("backfill")
    .description("run a use case over existing records selected by a COQL condition (resumable)")
    .requiredOption("--use-case <name>", "use case to run, e.g. lead-enrichment")
    .option("--module <name>", "CRM module", "Leads")
    .option("--where <condition>", "COQL condition, e.g. \"Lead_Status = 'New'\" (default: every record)", "")
    .option("--limit <n>", "at most this many records in the run")
    .option("--dry-run", "print the estimate only")
    .option("--yes", "do not ask for confirmation")
    .option("--rate <n/s>", "messages per second", "20/s")
    .option("--restart", "start a new run even if a checkpoint for this command exists")
    .option("--connection <name>", "Zoho connection", DEFAULT_CONNECTION)
    .option("--model <name>", "model the estimate prices", DEFAULT_MODEL)
    .option("--stage <name>", "deployed stage (default: the running local stack, else dev)")
    .option("--region <region>", "AWS region")
    .option("--verbose", "print the target on stderr")
    .action(action(ctx, (o: BackfillOptions) => runCommand(ctx, o)));
};
