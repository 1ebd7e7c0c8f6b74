/**
 * What the operations commands (`status`, `dlq`, `jobs`, `usage`) share: the target flags, opening the target and
 * closing it, and turning a failure into one redacted line on stderr with exit 1 (never a stack trace).
 */
import type { Command } from "commander";
import { SqsReplayQueues } from "../../shared/adapters/sqs/replay-queues.js";
import { isAppError } from "../../shared/errors.js";
import { redactString } from "../../shared/observability/redact.js";
import { type CliContext, EXIT } from "./program.js";
import { describeTarget, type OpenTarget, openTarget, resolveTarget } from "./target.js";

export interface TargetOptions {
  stage?: string;
  region?: string;
  verbose?: boolean;
  json?: boolean;
}

/** `--stage`, `--region`, `--verbose` on a command that talks to a mediator. */
export const withTargetOptions = (command: Command): Command =>
  command
    .option("--stage <name>", "a deployed stage (default: the running local stack, else stage dev)")
    .option("--region <region>", "AWS region (default: AWS_REGION, or the local stack's)")
    .option("--verbose", "print the target on stderr");

/** Runs `run` against the target the flags name; a failure is one line on stderr and exit 1. */
export async function onTarget(
  ctx: CliContext,
  command: string,
  options: TargetOptions,
  run: (t: OpenTarget) => Promise<number>,
): Promise<number> {
  const target = resolveTarget({ stage: options.stage, region: options.region }, ctx.env);
  if (options.verbose) ctx.io.err(`target: ${describeTarget(target)}`);
  const open = openTarget(target);
  try {
    return await run(open);
  } catch (error) {
    const message = isAppError(error)
      ? error.message
      : `${(error as Error).name}: ${(error as Error).message}`;
    ctx.io.err(`${command}: failed against ${describeTarget(target)}: ${redactString(message)}`);
    return EXIT.failure;
  } finally {
    open.close();
  }
}

/** The target's two queues as the dead-letter use cases need them. */
export async function replayQueuesOf(t: OpenTarget, visibilitySeconds?: number) {
  const urls = await t.queueUrls();
  return new SqsReplayQueues(t.sqs(), urls.work, urls.deadLetter, visibilitySeconds);
}

/** True when the environment points the SDK at emulators (no CloudWatch there unless its own endpoint is set). */
export const emulated = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.AWS_ENDPOINT_URL || Object.keys(env).some((k) => k.startsWith("AWS_ENDPOINT_URL_")));
