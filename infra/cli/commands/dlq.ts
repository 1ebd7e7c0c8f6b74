/**
 * `zoho-gpt-mediator dlq list|show <id>|replay [--all|--job ID]`, and `replay` (the issue-9 command, now an alias
 * of `dlq replay --all`). A replay moves a dead letter back to the work queue marked as its replay; the job store
 * lets that mark run the job once (shared/use-cases/replay-dead-letters.ts), so replaying the same dead letter
 * twice, or a crash between the send and the delete, never runs the job twice.
 */
import { redactString } from "../../../shared/observability/redact.js";
import {
  type DeadLetterView,
  makeListDeadLetters,
  matches,
} from "../../../shared/use-cases/operations/dead-letters.js";
import { makeReplayDeadLetters, type ReplayResult } from "../../../shared/use-cases/replay-dead-letters.js";
import { onTarget, replayQueuesOf, type TargetOptions, withTargetOptions } from "../ops-target.js";
import { action, type CliContext, EXIT, type RegisterCommand, UsageError } from "../program.js";
import { replayCommand } from "../replay.js";

const positiveInt = (value: string, flag: string): number => {
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`${flag} must be a positive whole number`);
  return n;
};

const oneLine = (text: string | undefined, max: number) =>
  redactString((text ?? "").replace(/\s+/g, " ")).slice(0, max);

const listLine = (d: DeadLetterView) =>
  `${d.id}  job ${d.jobId ?? "(unreadable)"}  ${d.useCase ?? "?"}  ${d.failedAt ?? "?"}  ${oneLine(d.reason, 160) || "(no reason recorded)"}`;

function printReplay(ctx: CliContext, result: ReplayResult) {
  for (const r of result.replayed)
    ctx.io.out(
      `replayed  job ${r.jobId ?? "(unreadable message)"}${r.reason ? ` (was: ${oneLine(r.reason, 160)})` : ""}`,
    );
  ctx.io.out(
    `replay: ${result.replayed.length} dead letter(s) moved to the work queue${result.left ? `, ${result.left} left (dead-lettered while this ran)` : ""}`,
  );
}

async function replay(
  ctx: CliContext,
  options: TargetOptions & { all?: boolean; job?: string; limit?: string },
): Promise<number> {
  if (Boolean(options.all) === Boolean(options.job))
    throw new UsageError("say which dead letters to replay: --all, or --job <jobId>");
  const limit = options.limit === undefined ? undefined : positiveInt(options.limit, "--limit");
  return onTarget(ctx, "dlq replay", options, async (t) => {
    const run = makeReplayDeadLetters({ queues: await replayQueuesOf(t) });
    const result = await run({
      ...(limit !== undefined ? { limit } : {}),
      ...(options.job ? { jobId: options.job } : {}),
    });
    if (options.json) ctx.io.out(JSON.stringify(result, null, 2));
    else printReplay(ctx, result);
    if (options.job && result.replayed.length === 0) {
      // Already replayed (its dead letter is gone), never dead-lettered, or a wrong id: nothing ran.
      ctx.io.err(
        `dlq replay: no dead letter for job ${options.job} (already replayed, or not dead-lettered)`,
      );
      return EXIT.failure;
    }
    return EXIT.ok;
  });
}

export const dlqCommand: RegisterCommand = (program, ctx) => {
  const dlq = program
    .command("dlq")
    .description("dead letters: list them, show one, replay them (each dead letter runs its job once more)");

  withTargetOptions(dlq.command("list"))
    .description("every dead letter, newest first: id, job, use case, time, reason")
    .option("--json", "one JSON document on stdout")
    .action(
      action(ctx, async (options: TargetOptions) =>
        onTarget(ctx, "dlq list", options, async (t) => {
          const letters = await makeListDeadLetters({ queues: await replayQueuesOf(t, 5) })();
          if (options.json) {
            ctx.io.out(
              JSON.stringify(
                letters.map(({ body: _b, ...rest }) => rest),
                null,
                2,
              ),
            );
            return EXIT.ok;
          }
          if (letters.length === 0) ctx.io.out("no dead letters");
          for (const d of letters) ctx.io.out(listLine(d));
          return EXIT.ok;
        }),
      ),
    );

  withTargetOptions(
    dlq.command("show").argument("<id>", "a dead letter id (from dlq list), its job id or message id"),
  )
    .description("one dead letter: its reason, job, attempts and the work message")
    .option("--json", "one JSON document on stdout")
    .action(
      action(ctx, async (id: string, options: TargetOptions) =>
        onTarget(ctx, "dlq show", options, async (t) => {
          const letters = await makeListDeadLetters({ queues: await replayQueuesOf(t, 5) })();
          const found = letters.find((d) => matches(d, id));
          if (!found) {
            ctx.io.err(`dlq show: no dead letter ${id} (dlq list shows them)`);
            return EXIT.failure;
          }
          if (options.json) {
            ctx.io.out(JSON.stringify({ ...found, body: redactString(found.body) }, null, 2));
            return EXIT.ok;
          }
          ctx.io.out(`dead letter ${found.id}`);
          ctx.io.out(`  job         ${found.jobId ?? "(unreadable message)"}`);
          ctx.io.out(`  use case    ${found.useCase ?? "?"}`);
          ctx.io.out(`  subject     ${found.subject ?? "?"}`);
          ctx.io.out(`  failed at   ${found.failedAt ?? "?"}`);
          ctx.io.out(`  receives    ${found.receiveCount ?? "?"}`);
          ctx.io.out(`  reason      ${oneLine(found.reason, 2_000) || "(no reason recorded)"}`);
          ctx.io.out(`  message     ${redactString(found.body)}`);
          ctx.io.out(`replay it with: zoho-gpt-mediator dlq replay --job ${found.jobId ?? "<jobId>"}`);
          return EXIT.ok;
        }),
      ),
    );

  withTargetOptions(dlq.command("replay"))
    .description(
      "move dead letters back to the work queue; each runs its job once more, then is written or dead-lettered again",
    )
    .option("--all", "every dead letter (those dead-lettered while this runs are left)")
    .option("--job <jobId>", "only that job's dead letter (exit 1 when it has none)")
    .option("--limit <n>", "at most n dead letters")
    .option("--json", "one JSON document on stdout")
    .action(action(ctx, (options) => replay(ctx, options)));

  // `replay` (issue 9), kept: `dlq replay --all`; its queue-URL flags still work as they did.
  withTargetOptions(program.command("replay"))
    .description("alias of `dlq replay --all`")
    .option("--limit <n>", "at most n dead letters")
    .option("--sqs-endpoint <url>", "(legacy) SQS endpoint of the queues below")
    .option("--work-queue-url <url>", "(legacy) the work queue URL")
    .option("--dead-letter-url <url>", "(legacy) the dead-letter queue URL")
    .action(
      action(
        ctx,
        async (
          options: TargetOptions & {
            limit?: string;
            sqsEndpoint?: string;
            workQueueUrl?: string;
            deadLetterUrl?: string;
          },
        ) => {
          if (options.sqsEndpoint || options.workQueueUrl || options.deadLetterUrl) {
            const args = [
              ...(options.stage ? ["--stage", options.stage] : []),
              ...(options.region ? ["--region", options.region] : []),
              ...(options.limit ? ["--limit", options.limit] : []),
              ...(options.sqsEndpoint ? ["--sqs-endpoint", options.sqsEndpoint] : []),
              ...(options.workQueueUrl ? ["--work-queue-url", options.workQueueUrl] : []),
              ...(options.deadLetterUrl ? ["--dead-letter-url", options.deadLetterUrl] : []),
            ];
            return replayCommand(args, ctx.env, (l) =>
              l.startsWith("replay failed") ? ctx.io.err(l) : ctx.io.out(l),
            );
          }
          return replay(ctx, { ...options, all: true });
        },
      ),
    );
};

/** For commands that print dead letters too (`status`). */
export { listLine as deadLetterLine };
