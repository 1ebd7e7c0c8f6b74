/**
 * What the operations commands (`status`, `dlq`, `jobs`, `usage`) share: the target flags, opening the target and
 * closing it, and turning a failure into one redacted line on stderr with exit 1 (never a stack trace).
 */
import { SqsReplayQueues } from "../../shared/adapters/sqs/replay-queues.js";
import { isAppError } from "../../shared/errors.js";
import { redactString } from "../../shared/observability/redact.js";
import { targetOf } from "./command-kit.js";
import { type CliContext, EXIT } from "./program.js";
import { describeTarget, type OpenTarget, openTarget } from "./target.js";

export interface TargetOptions {
  stage?: string;
  region?: string;
  verbose?: boolean;
  json?: boolean;
}

export { withTargetOptions } from "./command-kit.js";

/** Runs `run` against the target the flags name; a failure is one line on stderr and exit 1. */
export async function onTarget(
  ctx: CliContext,
  command: string,
  options: TargetOptions,
  run: (t: OpenTarget) => Promise<number>,
): Promise<number> {
  const open = openTarget(targetOf(ctx, options));
  try {
    return await run(open);
  } catch (error) {
    const message = isAppError(error)
      ? error.message
      : `${(error as Error).name}: ${(error as Error).message}`;
    ctx.io.err(`${command}: failed against ${describeTarget(open.target)}: ${redactString(message)}`);
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
