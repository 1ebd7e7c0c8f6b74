/** The whole local stack for end-to-end tests: every port free, retry waits short, helpers to watch outcomes. */
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import {
  LocalEnvSchema,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from "../../infra/local/stack.js";

export async function startTestStack(
  options: LocalStackOptions & { env?: Record<string, string> } = {},
): Promise<LocalStack & { events: string[] }> {
  const events: string[] = [];
  const env = LocalEnvSchema.parse({
    LOCAL_API_PORT: "0",
    ZOHO_SANDBOX_PORT: "0",
    MODEL_SERVER_PORT: "0",
    SECRETS_MANAGER_PORT: "0",
    SQS_PORT: "0",
    DYNAMODB_PORT: "0",
    WORKER_CONCURRENCY: "2",
    ...options.env,
  });
  const stack = await startLocalStack(env, {
    ...options,
    worker: { RETRY_BASE_MS: "100", ...options.worker },
    workerExtras: {
      sleep: () => Promise.resolve(),
      zohoRetry: { rateLimitRetryAfterMs: 200 },
      ...options.workerExtras,
    },
    onEvent: (line) => events.push(line),
  });
  return Object.assign(stack, { events });
}

/** Everything on the dead-letter queue, with the reason attribute the worker put there. */
export async function deadLetters(
  stack: LocalStack,
): Promise<{ body: string; reason: string | undefined }[]> {
  const out: { body: string; reason: string | undefined }[] = [];
  for (;;) {
    const got = await stack.sqsClient.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queues.deadLetterUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (!got.Messages?.length) return out;
    out.push(
      ...got.Messages.map((m) => ({ body: m.Body ?? "", reason: m.MessageAttributes?.reason?.StringValue })),
    );
  }
}

export const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

/** Waits until `check` holds (the pipeline is asynchronous), or fails with the last assertion after `ms`. */
export async function until(check: () => void | Promise<void>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
