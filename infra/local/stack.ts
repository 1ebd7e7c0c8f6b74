/**
 * The local stack: the whole system on one machine with the same handlers as AWS, only endpoints changed.
 * Emulated: SQS (fauxqs), Secrets Manager, DynamoDB Local, the Zoho sandbox (unless a real Zoho org is
 * configured) and the model server (unless a real model is). Wired: a local API router in front of the real
 * ingest handler, a poller that invokes the real worker like the SQS event source, and the token refresher on its
 * schedule. `npm start` runs it; end-to-end tests start it with every port set to 0.
 */
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import * as z from "zod";
import { buildHandler as buildIngestHandler } from "../../functions/ingest/handler.js";
import { createDynamoDbClient } from "../../shared/adapters/dynamodb/client.js";
import { ensureTables } from "../../shared/adapters/dynamodb/tables.js";
import { OpenAiLlm } from "../../shared/adapters/openai/openai-llm.js";
import { createSqsClient } from "../../shared/adapters/sqs/sqs-client.js";
import { SqsQueue } from "../../shared/adapters/sqs/sqs-queue.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { ZOHO_DCS } from "../../shared/config/zoho-dc.js";
import { connectionSecretName, serializeConnection } from "../../shared/domain/zoho-connection.js";
import { webhookSecretsLoader } from "../../shared/lambda/deps/ingest-deps.js";
import { createWorkerDeps, type WorkerExtras } from "../../shared/lambda/deps/worker-deps.js";
import { makeTokenRefresher } from "../../shared/lambda/token-refresher.js";
import { createLogger } from "../../shared/observability/logger.js";
import { registerSecret } from "../../shared/observability/redact.js";
import type { ProgressEvent } from "../../shared/use-cases/process-work.js";
import { MEDIATOR_WRITTEN_FIELDS } from "../../shared/use-cases/worker/lead-enrichment.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb.js";
import type { RunningServer } from "./http.js";
import { type ModelServer, startModelServer } from "./model-server/server.js";
import { startPoller } from "./poller.js";
import { startLocalApi } from "./router.js";
import { type SecretsManagerEmulator, startSecretsManager } from "./secrets-manager/server.js";
import { type SqsEmulator, startSqs } from "./sqs.js";
import { createLocalZohoConnection, type LocalZohoConnection } from "./zoho-connection.js";
import type { SandboxOptions } from "./zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "./zoho-sandbox/server.js";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** Environment the local stack reads; every value has an embedded default. */
export const LocalEnvSchema = z.object({
  LOCAL_API_PORT: port(4000),
  ZOHO_SANDBOX_PORT: port(4010),
  MODEL_SERVER_PORT: port(4020),
  SECRETS_MANAGER_PORT: port(4030),
  SQS_PORT: port(4040),
  DYNAMODB_PORT: port(4050),
  AWS_REGION: z.string().default("us-east-1"),
  /** Skip DynamoDB Local (it needs Java); then only the emulators run, not the worker. */
  LOCAL_DYNAMODB: z.enum(["on", "off"]).default("on"),
  /** The webhook token Zoho sends; random when unset. */
  MEDIATOR_WEBHOOK_TOKEN: z.string().min(20).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(10).default(10),
  REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(600),
  /** A real model: an API key (and optionally another OpenAI-compatible base URL and model). */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  MODEL: z.string().default("gpt-4o-mini"),
  /** A real Zoho org instead of the sandbox. */
  ZOHO_CLIENT_ID: z.string().optional(),
  ZOHO_CLIENT_SECRET: z.string().optional(),
  ZOHO_REFRESH_TOKEN: z.string().optional(),
  ZOHO_GRANT_CODE: z.string().optional(),
  ZOHO_DC: z.enum(ZOHO_DCS).default("us"),
  ZOHO_ACCOUNTS_URL: z.url().optional(),
  ZOHO_API_DOMAIN: z.url().optional(),
  ZOHO_DESK_URL: z.url().optional(),
  ZOHO_DESK_ORG_ID: z.string().optional(),
});
export type LocalEnv = z.infer<typeof LocalEnvSchema>;

/** Every local port set to 0 (free ports): what tests and benchmarks use so they never clash with `npm start`. */
export const FREE_PORTS = {
  LOCAL_API_PORT: "0",
  ZOHO_SANDBOX_PORT: "0",
  MODEL_SERVER_PORT: "0",
  SECRETS_MANAGER_PORT: "0",
  SQS_PORT: "0",
  DYNAMODB_PORT: "0",
} as const;

/** Queue settings, the same as the CDK stack's WorkQueue. */
export const LOCAL_QUEUES = {
  work: "zoho-gpt-mediator-work",
  deadLetter: "zoho-gpt-mediator-dlq",
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 360,
} as const;
const STAGE = DEFAULT_STAGE;
const CONNECTION = "default";

export interface LocalStackOptions {
  sandbox?: Partial<SandboxOptions>;
  /** Worker settings over the deployed defaults (tests shorten retry delays). */
  worker?: Record<string, string>;
  /** Called for each event as it moves (npm start prints a line). */
  onEvent?: (line: string) => void;
  /** Worker wiring over the defaults (tests shorten Zoho's retry waits). */
  workerExtras?: WorkerExtras;
}

export interface LocalStack {
  env: LocalEnv;
  sandbox?: ZohoSandbox;
  model?: ModelServer;
  secrets: SecretsManagerEmulator;
  sqs: SqsEmulator;
  sqsClient: SQSClient;
  dynamodb?: DynamoDbLocal;
  api?: RunningServer;
  queues: { workUrl: string; deadLetterUrl: string };
  webhookToken: string;
  connection?: LocalZohoConnection;
  hooks: { crm: string; desk: string; flow: string };
  stop(): Promise<void>;
}

export async function startLocalStack(env: LocalEnv, options: LocalStackOptions = {}): Promise<LocalStack> {
  const started: { close(): Promise<void> | void }[] = [];
  const say = options.onEvent ?? (() => {});
  const realZoho = Boolean(
    env.ZOHO_CLIENT_ID && env.ZOHO_CLIENT_SECRET && (env.ZOHO_REFRESH_TOKEN || env.ZOHO_GRANT_CODE),
  );
  const realModel = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  try {
    const sqs = await startSqs({ port: env.SQS_PORT, region: env.AWS_REGION });
    started.push(sqs);
    const secrets = await startSecretsManager({ port: env.SECRETS_MANAGER_PORT, region: env.AWS_REGION });
    started.push(secrets);
    const model = realModel ? undefined : await startModelServer({ port: env.MODEL_SERVER_PORT });
    if (model) started.push(model);
    const sandbox = realZoho
      ? undefined
      : await startZohoSandbox({ ...options.sandbox, port: env.ZOHO_SANDBOX_PORT });
    if (sandbox) started.push(sandbox);
    const dynamodb =
      env.LOCAL_DYNAMODB === "on" ? await startDynamoDbLocal({ port: env.DYNAMODB_PORT }) : undefined;
    if (dynamodb) started.push(dynamodb);

    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    const sqsClient = createSqsClient({ region: env.AWS_REGION, endpoint: sqs.url, credentials });
    started.push({ close: () => sqsClient.destroy() });
    const dlq = await sqsClient.send(
      new CreateQueueCommand({
        QueueName: LOCAL_QUEUES.deadLetter,
        Attributes: { MessageRetentionPeriod: "1209600" },
      }),
    );
    const dlqArn = (
      await sqsClient.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
      )
    ).Attributes?.QueueArn;
    const work = await sqsClient.send(
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
    const queues = { workUrl: work.QueueUrl ?? "", deadLetterUrl: dlq.QueueUrl ?? "" };

    // Webhook secret, as the stack's WebhookEndpoint generates it.
    const webhookToken = env.MEDIATOR_WEBHOOK_TOKEN ?? randomBytes(24).toString("hex");
    registerSecret(webhookToken);
    const webhookSecretName = `zoho-gpt-mediator/${STAGE}/webhooks`;
    const connection = createLocalZohoConnection({
      ...(sandbox ? { sandbox } : {}),
      secretsEndpoint: secrets.url,
      secretName: connectionSecretName(STAGE, CONNECTION),
      region: env.AWS_REGION,
    });
    started.push(connection);
    await connection.sm.send(
      new CreateSecretCommand({
        Name: webhookSecretName,
        SecretString: JSON.stringify({
          token: webhookToken,
          previousToken: null,
          hmacKeys: [],
          notificationTokens: [],
        }),
      }),
    );

    // The Zoho connection: the real auth use case against the sandbox or a real org; or, given only a refresh
    // token, a connection whose first use refreshes.
    if (sandbox) await connection.connect({ deskSourceId: "5d3c8a3e-6b1f-4c9a-9d8e-mediator0001" });
    else if (env.ZOHO_GRANT_CODE) {
      await connection.connect({
        clientId: env.ZOHO_CLIENT_ID as string,
        clientSecret: env.ZOHO_CLIENT_SECRET as string,
        code: env.ZOHO_GRANT_CODE,
        dc: env.ZOHO_DC,
        ...(env.ZOHO_ACCOUNTS_URL ? { accountsServer: env.ZOHO_ACCOUNTS_URL } : {}),
        ...(env.ZOHO_DESK_URL ? { deskBase: env.ZOHO_DESK_URL } : {}),
        ...(env.ZOHO_DESK_ORG_ID ? { deskOrgId: env.ZOHO_DESK_ORG_ID } : { deskOrgId: undefined as never }),
      });
    } else {
      const { dcHosts } = await import("../../shared/config/zoho-dc.js");
      const hosts = dcHosts(env.ZOHO_DC);
      await connection.store.upsert(
        connection.secretName,
        serializeConnection({
          schemaVersion: 1,
          name: CONNECTION,
          dc: env.ZOHO_DC,
          accountsServer: env.ZOHO_ACCOUNTS_URL ?? hosts.accountsServer,
          apiDomain: env.ZOHO_API_DOMAIN ?? hosts.apiDomain,
          desk: env.ZOHO_DESK_ORG_ID
            ? { base: env.ZOHO_DESK_URL ?? hosts.deskBase, orgId: env.ZOHO_DESK_ORG_ID, sourceId: null }
            : null,
          clientId: env.ZOHO_CLIENT_ID as string,
          clientSecret: env.ZOHO_CLIENT_SECRET as string,
          refreshToken: env.ZOHO_REFRESH_TOKEN as string,
          scopes: [],
          accessToken: null,
          accessTokenExpiresAt: null,
          status: "active",
          brokenReason: null,
          refreshLog: [],
          throttledUntil: null,
          updatedAt: new Date().toISOString(),
        }),
      );
    }

    // Ingest behind the local API router, exactly the handler deployed behind API Gateway.
    const ingestLogger = createLogger("ingest");
    const ingest = buildIngestHandler({
      queue: new SqsQueue(sqsClient, queues.workUrl),
      webhookSecrets: webhookSecretsLoader(connection.store, webhookSecretName),
      connections: [CONNECTION],
      loopGuard: {
        crmIntegrationUsers: [],
        crmMediatorFields: MEDIATOR_WRITTEN_FIELDS,
        deskIntegrationActors: [],
      },
      clock: { now: () => Date.now() },
      logger: ingestLogger,
    });
    const api = await startLocalApi(
      [
        {
          prefix: "/v1/hooks/",
          handler: async (event) => {
            const res = await ingest(event);
            const accepted =
              res.statusCode < 300 && res.headers["content-type"] === "application/json"
                ? (JSON.parse(res.body) as { accepted?: number }).accepted
                : undefined;
            say(
              `received  ${event.requestContext.http.method} ${event.rawPath} -> ${res.statusCode}${accepted !== undefined ? `, queued ${accepted}` : ""}`,
            );
            return res;
          },
        },
      ],
      env.LOCAL_API_PORT,
    );
    started.push(api);
    const hooks = {
      crm: `${api.url}/v1/hooks/crm/lead-enrichment`,
      desk: `${api.url}/v1/hooks/desk?token=${webhookToken}`,
      flow: `${api.url}/v1/hooks/flow/{useCase}`,
    };
    if (sandbox) sandbox.connectHooks(api.url, webhookToken);

    // The worker and its event source, when DynamoDB (idempotency, budgets) is available.
    if (dynamodb) {
      const ddb = createDynamoDbClient({
        endpoint: dynamodb.url,
        region: env.AWS_REGION,
        credentials,
        httpAgent: new Agent({ keepAlive: false }),
      });
      started.push({ close: () => ddb.destroy() });
      await ensureTables(ddb, ["zoho-gpt-mediator-jobs", "zoho-gpt-mediator-ledger"]);
      const workerEnv = WorkerEnvSchema.parse({
        WORK_QUEUE_URL: queues.workUrl,
        DEAD_LETTER_QUEUE_URL: queues.deadLetterUrl,
        JOBS_TABLE: "zoho-gpt-mediator-jobs",
        LEDGER_TABLE: "zoho-gpt-mediator-ledger",
        ZOHO_CONNECTION_SECRETS: connection.secretName,
        REFRESHER_FUNCTION_NAME: "local-refresher",
        MODEL: env.MODEL,
        MAX_RECEIVE_COUNT: String(LOCAL_QUEUES.maxReceiveCount),
        ...options.worker,
      });
      const llm = new OpenAiLlm({
        apiKey: env.OPENAI_API_KEY ?? "local",
        baseURL: env.OPENAI_BASE_URL ?? (realModel ? "https://api.openai.com/v1" : `${model?.url}/v1`),
        timeoutMs: 25_000,
      });
      const progress = (e: ProgressEvent) =>
        say(
          `${e.stage.padEnd(9)} ${e.useCase} ${e.subject} job ${e.jobId.slice(0, 8)}${e.detail ? ` (${e.detail.slice(0, 160)})` : ""}`,
        );
      const { handle } = createWorkerDeps(
        workerEnv,
        {
          sqs: sqsClient,
          dynamodb: ddb,
          secrets: connection.store,
          coordinator: connection.coordinator,
          llm,
        },
        { progress, metrics: connection.metrics, ...options.workerExtras },
      );
      const poller = startPoller({
        sqs: sqsClient,
        queueUrl: queues.workUrl,
        handler: handle,
        batchSize: env.WORKER_BATCH_SIZE,
        concurrency: env.WORKER_CONCURRENCY,
      });
      started.push({ close: () => poller.stop() });
    }

    // The token refresher on its schedule (the same logic as the Lambda's scheduled run).
    const refresher = makeTokenRefresher({
      refresh: connection.refresh,
      secretNames: [connection.secretName],
      refreshAheadMs: 25 * 60_000,
      metrics: connection.metrics,
      logger: createLogger("token-refresher"),
    });
    const timer = setInterval(() => {
      refresher({ source: "aws.events", "detail-type": "Scheduled Event" }).catch(() => {});
    }, env.REFRESH_INTERVAL_SECONDS * 1000);
    timer.unref();
    started.push({ close: () => clearInterval(timer) });

    return {
      env,
      ...(sandbox ? { sandbox } : {}),
      ...(model ? { model } : {}),
      secrets,
      sqs,
      sqsClient,
      ...(dynamodb ? { dynamodb } : {}),
      api,
      queues,
      webhookToken,
      connection,
      hooks,
      stop: async () => {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await Promise.resolve(s.close()).catch(() => {});
    throw error;
  }
}
