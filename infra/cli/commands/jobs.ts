/**
 * `zoho-gpt-mediator jobs show <jobId>`: one job from the job store (the id the ingest's 202 answered, or a dead
 * letter's job): status, trigger, steps, writes, tokens, cost and the audit it recorded.
 */
import { DynamoJobStore } from "../../../shared/adapters/dynamodb/job-store.js";
import { formatUsd } from "../../../shared/domain/model-prices.js";
import { redact, redactString } from "../../../shared/observability/redact.js";
import { type JobDetails, makeShowJob } from "../../../shared/use-cases/operations/job-details.js";
import { onTarget, type TargetOptions, withTargetOptions } from "../ops-target.js";
import { action, type CliContext, EXIT, type RegisterCommand } from "../program.js";

function print(ctx: CliContext, job: JobDetails) {
  const out = ctx.io.out;
  out(`job ${job.jobId}`);
  out(`  status      ${job.status}${job.reason ? ` (${redactString(job.reason).slice(0, 400)})` : ""}`);
  out(`  connection  ${job.connection}`);
  if (job.trigger) out(`  trigger     ${job.trigger}`);
  if (job.useCase) out(`  use case    ${job.useCase}`);
  if (job.model) out(`  model       ${job.model}`);
  if (job.completedAt) out(`  completed   ${job.completedAt}`);
  if (job.deadLetteredAt)
    out(`  dead-lettered ${job.deadLetteredAt}${job.deadLetterId ? ` (${job.deadLetterId})` : ""}`);
  if (job.replayOf) out(`  replay of   ${job.replayOf}`);
  out(`  steps`);
  if (job.steps.length === 0) out("    (none stored)");
  for (const s of job.steps)
    out(
      `    ${s.index + 1}. ${s.done ? "done   " : "pending"} ${s.kind} ${s.target}${s.fields.length ? `: ${s.fields.join(", ")}` : ""}`,
    );
  if (job.audit) out(`    audit  ${job.audit.done ? "done   " : "pending"} ${job.audit.kind}`);
  out(`  written     ${job.written.length ? job.written.join(", ") : "(nothing)"}`);
  out(
    `  tokens      ${job.promptTokens + job.completionTokens} (prompt ${job.promptTokens}, completion ${job.completionTokens})`,
  );
  out(`  cost        ${formatUsd(job.costMicros)}`);
  for (const c of job.calls)
    out(`    call ${c.label}: ${c.promptTokens}+${c.completionTokens} tokens, ${formatUsd(c.costMicros)}`);
  if (job.outcome) {
    const { written: _w, calls: _c, usage: _u, ...audit } = job.outcome;
    out(`  audit       ${redactString(JSON.stringify(audit))}`);
  }
}

export const jobsCommand: RegisterCommand = (program, ctx) => {
  const jobs = program
    .command("jobs")
    .description("jobs: what one job did (its steps, writes, tokens, cost, audit)");
  withTargetOptions(
    jobs.command("show").argument("<jobId>", "the job id (the ingest's 202 answer, dlq list, logs)"),
  )
    .description("one job: status, trigger, steps, writes, tokens, cost and audit")
    .option("--json", "one JSON document on stdout")
    .action(
      action(ctx, async (jobId: string, options: TargetOptions) =>
        onTarget(ctx, "jobs show", options, async (t) => {
          const store = new DynamoJobStore(t.dynamodb(), t.target.names.jobsTable);
          const job = await makeShowJob({ jobs: store })(jobId);
          if (!job) {
            ctx.io.err(`jobs show: no job ${jobId} (unknown, or older than the job store keeps jobs)`);
            return EXIT.failure;
          }
          // Redacted as the text form is: a dead letter's reason or an audit can quote what Zoho or the model said.
          if (options.json) ctx.io.out(JSON.stringify(redact(job), null, 2));
          else print(ctx, job);
          return EXIT.ok;
        }),
      ),
    );
};
