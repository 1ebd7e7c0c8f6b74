/**
 * `zoho-gpt-mediator status`: is the mediator keeping up? The work and dead-letter queues' depths, the age of the
 * oldest waiting message (CloudWatch's ApproximateAgeOfOldestMessage on AWS), the newest dead letters' reasons, and
 * the stage's alarms in ALARM (named with its alarm prefix). The local stack has no CloudWatch: `n/a`.
 * Exit 0 when it could read the queues (whatever they hold), 1 when not.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { redactString } from "../../../shared/observability/redact.js";
import { makeListDeadLetters } from "../../../shared/use-cases/operations/dead-letters.js";
import { emulated, onTarget, replayQueuesOf, type TargetOptions, withTargetOptions } from "../ops-target.js";
import { action, EXIT, type RegisterCommand } from "../program.js";
import type { OpenTarget } from "../target.js";

interface QueueDepth {
  waiting: number;
  inFlight: number;
  delayed: number;
}

async function depthOf(sqs: SQSClient, url: string): Promise<QueueDepth> {
  const a =
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
          ],
        }),
      )
    ).Attributes ?? {};
  return {
    waiting: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** CloudWatch, for a stage in AWS (or emulators that include it); undefined where there is none. */
function cloudWatchOf(t: OpenTarget, env: NodeJS.ProcessEnv): CloudWatchClient | undefined {
  if (t.target.kind === "local") return undefined;
  if (emulated(env) && !env.AWS_ENDPOINT_URL_CLOUDWATCH && !env.AWS_ENDPOINT_URL) return undefined;
  return new CloudWatchClient({
    region: t.target.region,
    ...(t.target.credentials ? { credentials: t.target.credentials } : {}),
  });
}

async function oldestAgeSeconds(
  cw: CloudWatchClient,
  queueName: string,
  now: number,
): Promise<number | null> {
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [{ Name: "QueueName", Value: queueName }],
      StartTime: new Date(now - 15 * 60_000),
      EndTime: new Date(now),
      Period: 60,
      Statistics: ["Maximum"],
    }),
  );
  const latest = (out.Datapoints ?? []).sort(
    (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
  )[0];
  return latest?.Maximum ?? null;
}

async function alarmsInAlarm(
  cw: CloudWatchClient,
  prefix: string,
): Promise<{ name: string; reason: string }[]> {
  const found: { name: string; reason: string }[] = [];
  let next: string | undefined;
  do {
    const out = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, StateValue: "ALARM", NextToken: next }),
    );
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])])
      found.push({ name: a.AlarmName ?? "", reason: a.StateReason ?? "" });
    next = out.NextToken;
  } while (next);
  return found;
}

export const statusCommand: RegisterCommand = (program, ctx) => {
  withTargetOptions(program.command("status"))
    .description("queue depths, oldest message age, the newest dead letters' reasons, alarms in ALARM")
    .option("--errors <n>", "how many of the newest dead-letter reasons to show", "5")
    .option("--json", "one JSON document on stdout")
    .action(
      action(ctx, async (options: TargetOptions & { errors: string }) =>
        onTarget(ctx, "status", options, async (t) => {
          const now = ctx.deps.clock?.now() ?? Date.now();
          const urls = await t.queueUrls();
          const [work, deadLetters] = await Promise.all([
            depthOf(t.sqs(), urls.work),
            depthOf(t.sqs(), urls.deadLetter),
          ]);
          const letters = await makeListDeadLetters({ queues: await replayQueuesOf(t, 5) })();
          const errors = letters.slice(0, Math.max(0, Number(options.errors) || 0)).map((d) => ({
            at: d.failedAt ?? null,
            jobId: d.jobId ?? null,
            reason: redactString(d.reason ?? ""),
          }));
          const cw = cloudWatchOf(t, ctx.env);
          let oldest: number | null | "n/a" = "n/a";
          let alarms: { name: string; reason: string }[] | "n/a" = "n/a";
          let cloudWatchError: string | undefined;
          if (cw) {
            try {
              oldest = await oldestAgeSeconds(cw, t.target.names.workQueue, now);
              alarms = await alarmsInAlarm(cw, t.target.names.alarmPrefix);
            } catch (error) {
              cloudWatchError = redactString((error as Error).message);
            } finally {
              cw.destroy();
            }
          }
          const report = {
            target: t.target.kind === "local" ? "local" : `stage ${t.target.stage} (${t.target.region})`,
            workQueue: work,
            deadLetterQueue: { ...deadLetters, messages: letters.length },
            oldestMessageAgeSeconds: oldest,
            lastErrors: errors,
            alarmsInAlarm: alarms,
            ...(cloudWatchError ? { cloudWatchError } : {}),
          };
          if (options.json) {
            ctx.io.out(JSON.stringify(report, null, 2));
            return EXIT.ok;
          }
          const out = ctx.io.out;
          out(`work queue     ${work.waiting} waiting, ${work.inFlight} in flight, ${work.delayed} delayed`);
          out(
            `oldest message ${oldest === "n/a" ? "n/a (no CloudWatch for this target)" : oldest === null ? "none in the last 15 minutes" : `${Math.round(oldest)} s`}`,
          );
          out(`dead letters   ${letters.length}${letters.length ? " (dlq list; dlq replay --job ID)" : ""}`);
          for (const e of errors)
            out(`  ${e.at ?? "?"}  job ${e.jobId ?? "?"}  ${e.reason.replace(/\s+/g, " ").slice(0, 160)}`);
          out(
            `alarms         ${alarms === "n/a" ? "n/a (no CloudWatch for this target)" : alarms.length === 0 ? "none in ALARM" : `${alarms.length} in ALARM`}`,
          );
          if (Array.isArray(alarms)) for (const a of alarms) out(`  ${a.name}: ${a.reason.slice(0, 160)}`);
          if (cloudWatchError) ctx.io.err(`status: CloudWatch unavailable: ${cloudWatchError}`);
          return EXIT.ok;
        }),
      ),
    );
};
