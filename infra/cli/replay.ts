/**
 * `npx zoho-gpt-mediator replay`: moves dead letters back to the work queue as replays (see
 * shared/use-cases/replay-dead-letters.ts). Each replayed job runs once more, then is written or dead-lettered
 * again with its reason.
 *
 * Queues: `--work-queue-url` and `--dead-letter-url` (the stack outputs WorkQueueUrl and DeadLetterQueueUrl, or
 * WORK_QUEUE_URL / DEAD_LETTER_QUEUE_URL); without them, the local stack's queues when `--sqs-endpoint` is given,
 * else the stage's queues found by their CloudFormation names (`ZohoGptMediator-<stage>-WorkQueue...`).
 */
import { parseArgs } from "node:util";
import { GetQueueUrlCommand, ListQueuesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SqsReplayQueues } from "../../shared/adapters/sqs/replay-queues.js";
import { createSqsClient } from "../../shared/adapters/sqs/sqs-client.js";
import { stageResources } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { redactString } from "../../shared/observability/redact.js";
import { makeReplayDeadLetters } from "../../shared/use-cases/replay-dead-letters.js";

export const REPLAY_USAGE = `replay: moves dead letters back to the work queue, each marked as the replay of its dead letter, so its job
runs once more (a duplicate of a dead-lettered job is otherwise acknowledged without work).
  --stage NAME             the deployed stage whose queues to use (default: ${DEFAULT_STAGE})
  --limit N                replay at most N dead letters (default: all)
  --sqs-endpoint URL       SQS endpoint (the local stack's: http://127.0.0.1:4040)
  --work-queue-url URL     the work queue (stack output WorkQueueUrl, or WORK_QUEUE_URL)
  --dead-letter-url URL    the dead-letter queue (stack output DeadLetterQueueUrl, or DEAD_LETTER_QUEUE_URL)
  --region REGION          AWS region (default: AWS_REGION or us-east-1)`;

/** The local stack's queue names (infra/local/stack.ts LOCAL_QUEUES). */
export const LOCAL_QUEUE_NAMES = {
  work: stageResources(DEFAULT_STAGE).workQueue,
  deadLetter: stageResources(DEFAULT_STAGE).deadLetterQueue,
};

async function queueUrls(
  client: SQSClient,
  options: { work?: string | undefined; deadLetter?: string | undefined; local: boolean; stage: string },
): Promise<{ work: string; deadLetter: string }> {
  if (options.work && options.deadLetter) return { work: options.work, deadLetter: options.deadLetter };
  if (options.local) {
    const url = async (QueueName: string) =>
      (await client.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl as string;
    return {
      work: options.work ?? (await url(LOCAL_QUEUE_NAMES.work)),
      deadLetter: options.deadLetter ?? (await url(LOCAL_QUEUE_NAMES.deadLetter)),
    };
  }
  // CloudFormation names a queue without a physical name `<stack>-<logical id>-<suffix>`.
  const find = async (prefix: string) => {
    const urls = (await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];
    if (urls.length !== 1)
      throw new Error(
        `found ${urls.length} queues named ${prefix}...; pass --work-queue-url and --dead-letter-url`,
      );
    return urls[0] as string;
  };
  const stack = `ZohoGptMediator-${options.stage}`;
  return {
    work: options.work ?? (await find(`${stack}-WorkQueue`)),
    deadLetter: options.deadLetter ?? (await find(`${stack}-WorkDeadLetters`)),
  };
}

export async function replayCommand(
  rest: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      stage: { type: "string", default: DEFAULT_STAGE },
      limit: { type: "string" },
      "sqs-endpoint": { type: "string" },
      "work-queue-url": { type: "string" },
      "dead-letter-url": { type: "string" },
      region: { type: "string" },
    },
    strict: true,
  });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    out(`replay: --limit must be a positive whole number\n\n${REPLAY_USAGE}`);
    return 2;
  }
  const endpoint = values["sqs-endpoint"];
  const client = createSqsClient({
    region: values.region ?? env.AWS_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    // The local emulator does not check signatures; without configured credentials, sign with dummy ones.
    ...(endpoint && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  });
  try {
    const urls = await queueUrls(client, {
      work: values["work-queue-url"] ?? env.WORK_QUEUE_URL,
      deadLetter: values["dead-letter-url"] ?? env.DEAD_LETTER_QUEUE_URL,
      local: Boolean(endpoint),
      stage: values.stage ?? DEFAULT_STAGE,
    });
    const replay = makeReplayDeadLetters({ queues: new SqsReplayQueues(client, urls.work, urls.deadLetter) });
    const result = await replay(limit !== undefined ? { limit } : {});
    for (const r of result.replayed)
      out(
        `replayed  job ${r.jobId ?? "(unreadable message)"}${r.reason ? ` (was: ${r.reason.slice(0, 160)})` : ""}`,
      );
    out(
      `replay: ${result.replayed.length} dead letter(s) moved to the work queue${result.left ? `, ${result.left} left (dead-lettered while this ran)` : ""}`,
    );
    return 0;
  } catch (error) {
    out(`replay failed: ${redactString((error as Error).message)}`);
    return 1;
  } finally {
    client.destroy();
  }
}
