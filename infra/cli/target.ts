/**
 * Which mediator a CLI command talks to. `--stage NAME` means the deployed stage NAME in AWS (its resources found by
 * their physical names, shared/config/resource-names.ts; the SDK's own endpoint resolution applies, so
 * `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER` point it at emulators).
 * Without `--stage`, a running `npm start` is found through its state file (infra/local/state-file.ts); with neither,
 * the default stage in AWS.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { createDynamoDbClient } from "../../shared/adapters/dynamodb/client.js";
import { createSqsClient } from "../../shared/adapters/sqs/sqs-client.js";
import { STAGE_NAME, type StageResources, stageResources } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { type LocalStackState, readLocalState } from "../local/state-file.js";
import { UsageError } from "./program.js";

export interface TargetFlags {
  stage?: string | undefined;
  region?: string | undefined;
}

export interface Target {
  kind: "local" | "aws";
  stage: string;
  region: string;
  names: StageResources;
  /** The running local stack's state (kind "local"). */
  local?: LocalStackState;
  /** The local stack's emulators; empty for AWS (the SDK resolves endpoints, AWS_ENDPOINT_URL_* included). */
  endpoints: { sqs?: string; dynamodb?: string; secretsManager?: string };
  /** Emulators do not check signatures: dummy credentials when none are configured. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const hasCredentials = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(
    env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  );

/** A readable description of the target, for a command's first line or its error: `local stack` or `stage prod (eu-west-1)`. */
export const describeTarget = (t: Target): string =>
  t.kind === "local" ? `the local stack (${t.local?.urls.api})` : `stage ${t.stage} (${t.region})`;

export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): Target {
  const local = flags.stage === undefined ? readLocalState(env) : undefined;
  if (local) {
    return {
      kind: "local",
      stage: local.stage,
      region: flags.region ?? local.region,
      names: stageResources(local.stage),
      local,
      endpoints: {
        sqs: local.urls.sqs,
        secretsManager: local.urls.secretsManager,
        ...(local.urls.dynamodb ? { dynamodb: local.urls.dynamodb } : {}),
      },
      ...(hasCredentials(env) ? {} : { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
    };
  }
  const stage = flags.stage ?? DEFAULT_STAGE;
  if (!STAGE_NAME.test(stage))
    throw new UsageError(
      `--stage ${JSON.stringify(stage)} is not a stage name: lower-case letters, digits and dashes, starting with a letter`,
    );
  const emulated = Boolean(
    env.AWS_ENDPOINT_URL || Object.keys(env).some((k) => k.startsWith("AWS_ENDPOINT_URL_")),
  );
  return {
    kind: "aws",
    stage,
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    names: stageResources(stage),
    endpoints: {},
    ...(emulated && !hasCredentials(env)
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  };
}

/** The target's AWS clients, made on first use; `close()` destroys those made. */
export function openTarget(target: Target) {
  const base = { region: target.region, ...(target.credentials ? { credentials: target.credentials } : {}) };
  const made: { sqs?: SQSClient; dynamodb?: DynamoDBClient; secrets?: SecretsManagerClient } = {};
  const at = (endpoint: string | undefined) => ({ ...base, ...(endpoint ? { endpoint } : {}) });
  const sqs = (): SQSClient => {
    made.sqs ??= createSqsClient(at(target.endpoints.sqs));
    return made.sqs;
  };
  return {
    target,
    sqs,
    dynamodb: (): DynamoDBClient => {
      made.dynamodb ??= createDynamoDbClient(at(target.endpoints.dynamodb));
      return made.dynamodb;
    },
    secrets: (): SecretsManagerClient => {
      made.secrets ??= new SecretsManagerClient(at(target.endpoints.secretsManager));
      return made.secrets;
    },
    /** The work and dead-letter queue URLs (the local stack's from its state; a stage's by name). */
    queueUrls: async (): Promise<{ work: string; deadLetter: string }> => {
      if (target.local) return target.local.queues;
      const url = async (QueueName: string) =>
        (await sqs().send(new GetQueueUrlCommand({ QueueName }))).QueueUrl as string;
      return { work: await url(target.names.workQueue), deadLetter: await url(target.names.deadLetterQueue) };
    },
    close: (): void => {
      made.sqs?.destroy();
      made.dynamodb?.destroy();
      made.secrets?.destroy();
    },
  };
}
export type OpenTarget = ReturnType<typeof openTarget>;
