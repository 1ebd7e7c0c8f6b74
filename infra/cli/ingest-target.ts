/**
 * Where a target's webhooks are and with which token: the local stack's API from its state file, a deployed
 * stage's from its CloudFormation output `ApiUrl` (or `--api-url`), the `X-Mediator-Token` from the stage's webhook
 * secret (names.webhookSecret). `hooks` and `send` use it.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { parseWebhookSecrets } from "../../shared/ingest/webhook-auth.js";
import { type OpenTarget, openTarget, type Target } from "./target.js";

/** The API's base URL: `--api-url`, the local stack's, or the stage stack's `ApiUrl` output. */
export async function apiUrlOf(
  target: Target,
  given: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (given) return given.replace(/\/+$/, "");
  if (target.local) return target.local.urls.api;
  // The CLI's env, not only process.env, decides the endpoint (as for the other services: tests, emulators).
  const endpoint = env.AWS_ENDPOINT_URL_CLOUDFORMATION ?? env.AWS_ENDPOINT_URL;
  const cfn = new CloudFormationClient({
    region: target.region,
    ...(endpoint ? { endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
  });
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: target.names.stackName }));
    const url = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === "ApiUrl")?.OutputValue;
    if (!url) throw new Error(`stack ${target.names.stackName} has no ApiUrl output`);
    return url.replace(/\/+$/, "");
  } catch (error) {
    throw new Error(
      `cannot find the API URL of stage ${target.stage} (${(error as Error).message}); give --api-url`,
    );
  } finally {
    cfn.destroy();
  }
}

/** The webhook token the target's ingest checks (X-Mediator-Token), read from its webhook secret. */
export async function webhookTokenOf(opened: OpenTarget): Promise<string> {
  const name = opened.target.names.webhookSecret;
  const { SecretString } = await opened.secrets().send(new GetSecretValueCommand({ SecretId: name }));
  return parseWebhookSecrets(SecretString ?? "", name).token;
}

/** Opens the target with the CLI env's per-service endpoints (AWS_ENDPOINT_URL_*) applied for a stage. */
export function openWithEnv(target: Target, env: NodeJS.ProcessEnv): OpenTarget {
  if (target.kind === "local") return openTarget(target);
  const sqs = env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  const secretsManager = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL;
  const dynamodb = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const emulated = Boolean(sqs || secretsManager || dynamodb);
  return openTarget({
    ...target,
    endpoints: {
      ...(sqs ? { sqs } : {}),
      ...(secretsManager ? { secretsManager } : {}),
      ...(dynamodb ? { dynamodb } : {}),
    },
    ...(emulated && !target.credentials && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  });
}
