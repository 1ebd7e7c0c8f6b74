/**
 * The local stack: every outside system the mediator talks to, emulated on loopback, wired the way the deployed
 * stack is. `npm start` runs it; end-to-end tests start it with `port: 0` everywhere.
 */
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import * as z from "zod";
import { createSqsClient } from "../../shared/adapters/sqs/sqs-client.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb.js";
import { type ModelServer, startModelServer } from "./model-server/server.js";
import { type SecretsManagerEmulator, startSecretsManager } from "./secrets-manager/server.js";
import { type SqsEmulator, startSqs } from "./sqs.js";
import type { SandboxOptions } from "./zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "./zoho-sandbox/server.js";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** Environment the local stack reads; every value has an embedded default. */
export const LocalEnvSchema = z.object({
  ZOHO_SANDBOX_PORT: port(4010),
  MODEL_SERVER_PORT: port(4020),
  SECRETS_MANAGER_PORT: port(4030),
  SQS_PORT: port(4040),
  DYNAMODB_PORT: port(4050),
  AWS_REGION: z.string().default("us-east-1"),
  /** Skip DynamoDB Local (it needs Java). */
  LOCAL_DYNAMODB: z.enum(["on", "off"]).default("on"),
});
export type LocalEnv = z.infer<typeof LocalEnvSchema>;

/** Queue settings shared with the CDK stack's WorkQueue construct. */
export const LOCAL_QUEUES = {
  work: "zoho-gpt-mediator-work",
  deadLetter: "zoho-gpt-mediator-dlq",
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 180,
} as const;

export interface LocalStack {
  env: LocalEnv;
  sandbox: ZohoSandbox;
  model: ModelServer;
  secrets: SecretsManagerEmulator;
  sqs: SqsEmulator;
  dynamodb?: DynamoDbLocal;
  queues: { workUrl: string; deadLetterUrl: string };
  stop(): Promise<void>;
}

export async function startLocalStack(
  env: LocalEnv,
  sandboxOptions: Partial<SandboxOptions> = {},
): Promise<LocalStack> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const sqs = await startSqs({ port: env.SQS_PORT, region: env.AWS_REGION });
    started.push(sqs);
    const secrets = await startSecretsManager({ port: env.SECRETS_MANAGER_PORT, region: env.AWS_REGION });
    started.push(secrets);
    const model = await startModelServer({ port: env.MODEL_SERVER_PORT });
    started.push(model);
    const sandbox = await startZohoSandbox({ ...sandboxOptions, port: env.ZOHO_SANDBOX_PORT });
    started.push(sandbox);
    const dynamodb =
      env.LOCAL_DYNAMODB === "on" ? await startDynamoDbLocal({ port: env.DYNAMODB_PORT }) : undefined;
    if (dynamodb) started.push(dynamodb);

    const client = createSqsClient({
      region: env.AWS_REGION,
      endpoint: sqs.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const dlq = await client.send(
      new CreateQueueCommand({
        QueueName: LOCAL_QUEUES.deadLetter,
        Attributes: { MessageRetentionPeriod: "1209600" },
      }),
    );
    const dlqArn = (
      await client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
      )
    ).Attributes?.QueueArn;
    const work = await client.send(
      new CreateQueueCommand({
        QueueName: LOCAL_QUEUES.work,
        Attributes: {
          VisibilityTimeout: String(LOCAL_QUEUES.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: LOCAL_QUEUES.maxReceiveCount,
          }),
        },
      }),
    );
    client.destroy();
    return {
      env,
      sandbox,
      model,
      secrets,
      sqs,
      ...(dynamodb ? { dynamodb } : {}),
      queues: { workUrl: work.QueueUrl ?? "", deadLetterUrl: dlq.QueueUrl ?? "" },
      stop: async () => {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.close().catch(() => {});
    throw error;
  }
}
