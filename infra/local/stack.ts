/**
 * The local stack: the whole system on one machine with the same handlers as AWS, only endpoints changed.
 * Emulated: SQS (fauxqs), Secrets Manager, DynamoDB Local, the Zoho sandbox (unless a real Zoho org is
 * configured) and the model server (unless a real model is). Wired: a local API router in front of the real
 * ingest handler, a poller that invokes the real worker like the SQS event source, and the token refresher on its
 * schedule. `npm start` runs it; end-to-end tests start it with every port set to 0.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import * as z from "zod";
import { handler as healthHandler } from "../../functions/health/handler.js";
import { buildHandler as buildIngestHandler } from "../../functions/ingest/handler.js";
import { buildHandler as buildChannelsHandler } from "../../functions/notification-channels/handler.js";
import { createDynamoDbClient } from "../../shared/adapters/dynamodb/client.js";
import { ensureTables } from "../../shared/adapters/dynamodb/tables.js";
import { OpenAiLlm } from "../../shared/adapters/openai/openai-llm.js";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { createSqsClient } from "../../shared/adapters/sqs/sqs-client.js";
import { SqsQueue } from "../../shared/adapters/sqs/sqs-queue.js";
import { type IngestEnv, IngestEnvSchema, ingestLimitsOf } from "../../shared/config/ingest-env.js";
import {
  type NotificationChannelsEnv,
  NotificationChannelsEnvSchema,
} from "../../shared/config/notification-channels-env.js";
import { type RefresherEnv, RefresherEnvSchema } from "../../shared/config/refresher-env.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { DEFAULT_MODEL, type WorkerEnv, WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { ZOHO_DCS } from "../../shared/config/zoho-dc.js";
import {
  connectionSecretName,
  parseConnection,
  serializeConnection,
  webhookSecretName as webhookSecretNameOf,
} from "../../shared/domain/zoho-connection.js";
import { ConfigError } from "../../shared/errors.js";
import { parseWebhookSecrets } from "../../shared/ingest/webhook-auth.js";
import { webhookSecretsLoader } from "../../shared/lambda/deps/ingest-deps.js";
import { channelsConfig, zohoClientsFor } from "../../shared/lambda/deps/notification-channels-deps.js";
import { createWorkerDeps, type WorkerExtras } from "../../shared/lambda/deps/worker-deps.js";
import { makeTokenRefresher } from "../../shared/lambda/token-refresher.js";
import { createLogger } from "../../shared/observability/logger.js";
import { registerSecret } from "../../shared/observability/redact.js";
import type { ProgressEvent } from "../../shared/pipeline/progress.js";
import { type Clock, systemClock } from "../../shared/ports/clock.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import { mediatorWrittenCrmFields } from "../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import type { ChannelOutcome } from "../../shared/use-cases/manage-notification-channels.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb.js";
import type { RunningServer } from "./http.js";
import { type ModelServer, startModelServer } from "./model-server/server.js";
import {
  JournaledQueue,
  persistQueues,
  persistSandbox,
  restoreQueues,
  restoreSandbox,
} from "./persistence.js";
import { startPoller } from "./poller.js";
import { startLocalApi } from "./router.js";
import { type SecretsManagerEmulator, startSecretsManager } from "./secrets-manager/server.js";
import { lambdaEnv } from "./settings.js";
import { type SqsEmulator, startSqs } from "./sqs.js";
import { createLocalZohoConnection, type LocalZohoConnection } from "./zoho-connection.js";
import type { SandboxOptions } from "./zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "./zoho-sandbox/server.js";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/**
 * Environment the local stack reads; every value has an embedded default. Other keys pass through: every setting a
 * Lambda's environment schema defines (worker, ingest, refresher, notification channels) is read from here by the
 * same parser the Lambda uses (see settings.ts).
 */
export const LocalEnvSchema = z.looseObject({
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
  /** How often the notification channels are checked (the deployed schedule is hourly). */
  NOTIFICATION_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(300),
  /** The Zoho sandbox's seed profile: the demo org, or a second org with other fields and values. */
  ZOHO_SANDBOX_PROFILE: z.enum(["demo", "alt"]).default("demo"),
  /** A real model: an API key (and optionally another OpenAI-compatible base URL and model). */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  MODEL: z.string().default(DEFAULT_MODEL),
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
  /** With a real org: the public URL (a tunnel) of `/v1/hooks/crm/notifications`; channels are managed only then. */
  NOTIFY_URL: z.url().optional(),
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
  /** Ingest, refresher and notification-channel settings over the environment's (tests). */
  ingest?: Record<string, string>;
  refresher?: Record<string, string>;
  notifications?: Record<string, string>;
  /** Where state survives a restart (`npm start` passes `.local`); absent, everything is in memory. */
  stateDir?: string;
  /** The notification-channel manager's clock (tests move it with the sandbox's). */
  notificationsClock?: Clock;
  /** Run the channel manager at start and on its interval. @default true (tests run it on demand) */
  notificationsTimer?: boolean;
  /** Called for each event as it moves (npm start prints a line). */
  onEvent?: (line: string) => void;
  /** Worker wiring over the defaults (tests shorten Zoho's retry waits). */
  workerExtras?: WorkerExtras;
  /** The use cases served, as MediatorStack's `useCases` (a test adds a throwaway one). @default USE_CASE_CATALOG */
  useCases?: readonly UseCaseDescriptor[];
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
  /** Every Lambda's configuration as its own parser read it. */
  config: {
    worker?: WorkerEnv;
    ingest: IngestEnv;
    refresher: RefresherEnv;
    notifications?: NotificationChannelsEnv;
  };
  /** The notification-channel manager (with the sandbox, or a real org and NOTIFY_URL): one run on demand. */
  notifications?: { run(): Promise<ChannelOutcome[]> };
  /** Dead letters with their reasons, read without consuming them. */
  deadLetters(): DeadLetter[];
  /** What a restart found in the state directory. */
  restored: { sandbox: boolean; secrets: boolean; work: number; deadLetter: number };
  stop(): Promise<void>;
}

/** A dead letter as `GET /_local/dead-letters` lists it. */
export interface DeadLetter {
  messageId: string;
  reason: string | undefined;
  attributes: Record<string, string>;
  sentAt: string;
  body: unknown;
}

const STATE_FILES = (dir: string) => ({
  secrets: join(dir, "secrets.bin"),
  sandbox: join(dir, "sandbox.bin"),
  dynamodb: join(dir, "dynamodb"),
  queues: join(dir, "queues.json"),
  journal: join(dir, "queue-journal.jsonl"),
});

export async function startLocalStack(env: LocalEnv, options: LocalStackOptions = {}): Promise<LocalStack> {
  const started: { close(): Promise<void> | void }[] = [];
  const say = options.onEvent ?? (() => {});
  const realZoho = Boolean(
    env.ZOHO_CLIENT_ID && env.ZOHO_CLIENT_SECRET && (env.ZOHO_REFRESH_TOKEN || env.ZOHO_GRANT_CODE),
  );
  const realModel = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  const files = options.stateDir ? STATE_FILES(options.stateDir) : undefined;
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const restored = {
    sandbox: false,
    secrets: Boolean(files && existsSync(files.secrets)),
    work: 0,
    deadLetter: 0,
  };
  try {
    const sqs = await startSqs({ port: env.SQS_PORT, region: env.AWS_REGION });
    started.push(sqs);
    const secrets = await startSecretsManager({
      port: env.SECRETS_MANAGER_PORT,
      region: env.AWS_REGION,
      ...(files ? { file: files.secrets } : {}),
    });
    started.push(secrets);
    const model = realModel ? undefined : await startModelServer({ port: env.MODEL_SERVER_PORT });
    if (model) started.push(model);
    // `profile` is the sandbox's seed profile option (demo | alt); passed through as given.
    const profile = { profile: env.ZOHO_SANDBOX_PROFILE } as Record<string, unknown>;
    const sandbox = realZoho
      ? undefined
      : await startZohoSandbox({ ...profile, ...options.sandbox, port: env.ZOHO_SANDBOX_PORT });
    if (sandbox) started.push(sandbox);
    if (sandbox && files) {
      if (existsSync(files.sandbox)) {
        restored.sandbox = restoreSandbox(sandbox, readFileSync(files.sandbox), env.ZOHO_SANDBOX_PROFILE);
        if (!restored.sandbox)
          say(`state     the saved Zoho sandbox org is another profile: starting a fresh one`);
      }
      const persister = persistSandbox(sandbox, files.sandbox, env.ZOHO_SANDBOX_PROFILE, (error) =>
        say(`state     the Zoho sandbox cannot be saved (${(error as Error).message}); it stays in memory`),
      );
      started.push({ close: () => persister.stop() });
    }
    const dynamodb =
      env.LOCAL_DYNAMODB === "on"
        ? await startDynamoDbLocal({ port: env.DYNAMODB_PORT, ...(files ? { dbPath: files.dynamodb } : {}) })
        : undefined;
    if (dynamodb) started.push(dynamodb);

    // Every Lambda setting from the environment, through each Lambda's own parser (see settings.ts).
    const workerLayers = {
      defaults: { MODEL: env.MODEL, MAX_RECEIVE_COUNT: String(LOCAL_QUEUES.maxReceiveCount) },
      over: options.worker,
    };
    const maxReceiveCount = WorkerEnvSchema.shape.MAX_RECEIVE_COUNT.parse(
      lambdaEnv(WorkerEnvSchema, env, { ...workerLayers, wiring: {} }).MAX_RECEIVE_COUNT,
    );
    const refresherEnv = RefresherEnvSchema.parse(
      lambdaEnv(RefresherEnvSchema, env, {
        over: options.refresher,
        wiring: { ZOHO_CONNECTION_SECRETS: connectionSecretName(STAGE, CONNECTION) },
      }),
    );

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
          // As the CDK stack: the queue's redrive and the worker's own dead-lettering use the same count.
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
        },
      }),
    );
    const queues = { workUrl: work.QueueUrl ?? "", deadLetterUrl: dlq.QueueUrl ?? "" };

    const webhookSecretName = webhookSecretNameOf(STAGE);
    const connection = createLocalZohoConnection({
      ...(sandbox ? { sandbox } : {}),
      secretsEndpoint: secrets.url,
      secretName: connectionSecretName(STAGE, CONNECTION),
      region: env.AWS_REGION,
      guard: { maxRefreshes: refresherEnv.REFRESH_GUARD_MAX },
      oauthTimeoutMs: refresherEnv.ZOHO_HTTP_TIMEOUT_MS,
    });
    started.push(connection);
    const existing = async (name: string) =>
      connection.store.get(name, { fresh: true }).catch((error: unknown) => {
        if (error instanceof ConfigError) return undefined;
        throw error;
      });

    // Webhook secret, as the stack's WebhookEndpoint generates it; a restart keeps it (Zoho is configured with it).
    const savedHooks = await existing(webhookSecretName);
    let webhookToken: string;
    if (savedHooks) {
      const saved = parseWebhookSecrets(savedHooks.value, webhookSecretName);
      webhookToken = env.MEDIATOR_WEBHOOK_TOKEN ?? saved.token;
      if (webhookToken !== saved.token)
        await connection.store.put(
          webhookSecretName,
          JSON.stringify({ ...JSON.parse(savedHooks.value), token: webhookToken }),
        );
    } else {
      webhookToken = env.MEDIATOR_WEBHOOK_TOKEN ?? randomBytes(24).toString("hex");
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
    }
    registerSecret(webhookToken);

    // The Zoho connection: the real auth use case against the sandbox or a real org; or, given only a refresh
    // token, a connection whose first use refreshes. A restart reuses the stored connection (a grant code works
    // once), unless the sandbox org it belongs to was not restored with it.
    const savedConnection = await existing(connection.secretName);
    if (savedConnection && (!sandbox || restored.sandbox)) {
      // Kept from the last run; the sandbox may listen on another port now (tests pick free ports).
      if (sandbox) {
        const saved = parseConnection(savedConnection.value, connection.secretName);
        const demo = sandbox.demo();
        const moved = {
          ...saved,
          accountsServer: demo.accountsUrl,
          apiDomain: demo.apiDomain,
          desk: saved.desk ? { ...saved.desk, base: demo.deskUrl } : null,
        };
        if (JSON.stringify(moved) !== JSON.stringify(saved))
          await connection.store.put(connection.secretName, serializeConnection(moved));
      }
    } else if (sandbox) await connection.connect({ deskSourceId: "5d3c8a3e-6b1f-4c9a-9d8e-mediator0001" });
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

    // Ingest behind the local API router, exactly the handler deployed behind API Gateway, configured by its own
    // parser. The webhook secret is cached 5 s here (60 s deployed) so a new channel token is accepted at once.
    const useCases = options.useCases ?? USE_CASE_CATALOG;
    const ingestEnv = IngestEnvSchema.parse(
      lambdaEnv(IngestEnvSchema, env, {
        defaults: {
          LOOP_GUARD_CRM_FIELDS: mediatorWrittenCrmFields(useCases).join(","),
          WEBHOOK_SECRET_TTL_SECONDS: "5",
        },
        over: options.ingest,
        wiring: {
          WORK_QUEUE_URL: queues.workUrl,
          WEBHOOK_SECRET_NAME: webhookSecretName,
          ZOHO_CONNECTIONS: CONNECTION,
        },
      }),
    );
    const ingestLogger = createLogger("ingest");
    const workQueue = new SqsQueue(sqsClient, queues.workUrl);
    const journal = files ? new JournaledQueue(workQueue, files.journal) : undefined;
    if (files) {
      const counts = await restoreQueues(
        sqsClient,
        { work: queues.workUrl, deadLetter: queues.deadLetterUrl },
        { snapshot: files.queues, journal: files.journal },
        workQueue,
      );
      Object.assign(restored, counts);
    }
    if (files && journal) {
      const persister = persistQueues(
        sqs.server,
        { work: LOCAL_QUEUES.work, deadLetter: LOCAL_QUEUES.deadLetter },
        files.queues,
        journal,
      );
      started.push({ close: () => persister.stop() });
    }
    const ingest = buildIngestHandler({
      queue: journal ?? workQueue,
      webhookSecrets: webhookSecretsLoader(
        new SecretsManagerStore({
          client: connection.sm,
          ttlMs: ingestEnv.WEBHOOK_SECRET_TTL_SECONDS * 1000,
        }),
        webhookSecretName,
      ),
      connections: ingestEnv.ZOHO_CONNECTIONS,
      loopGuard: {
        crmIntegrationUsers: ingestEnv.LOOP_GUARD_CRM_USERS,
        crmMediatorFields: ingestEnv.LOOP_GUARD_CRM_FIELDS,
        deskIntegrationActors: ingestEnv.LOOP_GUARD_DESK_ACTORS,
      },
      clock: { now: () => Date.now() },
      logger: ingestLogger,
      // One process: the in-container buckets are the whole limit (no shared DynamoDB counter is needed locally).
      limits: ingestLimitsOf(ingestEnv),
      catalog: useCases,
    });
    const notFound = {
      statusCode: 404,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Not Found" }),
    };
    const deadLetters = (): DeadLetter[] => {
      const q = sqs.server.inspectQueue(LOCAL_QUEUES.deadLetter);
      if (!q) return [];
      const all = [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)];
      return all.map((m) => {
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.messageAttributes ?? {})) {
          const value = (v as { StringValue?: string }).StringValue;
          if (value !== undefined) attributes[k] = value;
        }
        let body: unknown = m.body;
        try {
          body = JSON.parse(m.body);
        } catch {
          // Not JSON: listed as sent.
        }
        return {
          messageId: m.messageId,
          reason: attributes.reason,
          attributes,
          sentAt: new Date(m.sentTimestamp).toISOString(),
          body,
        };
      });
    };
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
        {
          // As deployed: GET /v1/health is the health function; other methods are API Gateway's 404.
          prefix: "/v1/health",
          handler: async (event) =>
            event.rawPath === "/v1/health" && event.requestContext.http.method === "GET"
              ? healthHandler()
              : notFound,
        },
        {
          // Local only: the dead letters with their reasons, without consuming them.
          prefix: "/_local/",
          handler: async (event) =>
            event.rawPath === "/_local/dead-letters" && event.requestContext.http.method === "GET"
              ? {
                  statusCode: 200,
                  headers: { "content-type": "application/json" },
                  body: JSON.stringify({ count: deadLetters().length, deadLetters: deadLetters() }),
                }
              : notFound,
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
    if (sandbox) {
      // A restored org already has the mediator's workflow rule, pointing at the last run's URL: replace it.
      const rules = sandbox.state.automation.rules;
      const stale = rules.filter((r) => r.webhook.url.includes("/v1/hooks/crm/lead-enrichment"));
      for (const r of stale) rules.splice(rules.indexOf(r), 1);
      sandbox.connectHooks(api.url, webhookToken);
    }

    // The worker and its event source, when DynamoDB (idempotency, budgets) is available.
    let workerEnv: WorkerEnv | undefined;
    if (dynamodb) {
      const ddb = createDynamoDbClient({
        endpoint: dynamodb.url,
        region: env.AWS_REGION,
        credentials,
        httpAgent: new Agent({ keepAlive: false }),
      });
      started.push({ close: () => ddb.destroy() });
      await ensureTables(ddb, ["zoho-gpt-mediator-jobs", "zoho-gpt-mediator-ledger"]);
      workerEnv = WorkerEnvSchema.parse(
        lambdaEnv(WorkerEnvSchema, env, {
          ...workerLayers,
          wiring: {
            WORK_QUEUE_URL: queues.workUrl,
            DEAD_LETTER_QUEUE_URL: queues.deadLetterUrl,
            JOBS_TABLE: "zoho-gpt-mediator-jobs",
            LEDGER_TABLE: "zoho-gpt-mediator-ledger",
            ZOHO_CONNECTION_SECRETS: connection.secretName,
            REFRESHER_FUNCTION_NAME: "local-refresher",
          },
        }),
      );
      // The model key comes from OPENAI_API_KEY here (OPENAI_SECRET_NAME names the deployed secret).
      const llm = new OpenAiLlm({
        apiKey: env.OPENAI_API_KEY ?? "local",
        baseURL: workerEnv.OPENAI_BASE_URL ?? (realModel ? "https://api.openai.com/v1" : `${model?.url}/v1`),
        timeoutMs: workerEnv.MODEL_TIMEOUT_MS,
      });
      const progress = (e: ProgressEvent) =>
        say(
          `${e.stage.padEnd(9)} ${e.useCase} ${e.subject} job ${e.jobId.slice(0, 8)}${e.detail ? ` (${e.detail.slice(0, 160)})` : ""}`,
        );
      // `catalog`: the pipeline's registry is built from the same use cases the ingest serves.
      const workerExtras = {
        progress,
        metrics: connection.metrics,
        catalog: useCases,
        ...options.workerExtras,
      };
      const { handle } = createWorkerDeps(
        workerEnv,
        {
          sqs: sqsClient,
          dynamodb: ddb,
          secrets: connection.store,
          coordinator: connection.coordinator,
          llm,
        },
        workerExtras,
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
      secretNames: refresherEnv.ZOHO_CONNECTION_SECRETS,
      refreshAheadMs: refresherEnv.REFRESH_AHEAD_SECONDS * 1000,
      metrics: connection.metrics,
      logger: createLogger("token-refresher"),
    });
    const timer = setInterval(() => {
      refresher({ source: "aws.events", "detail-type": "Scheduled Event" }).catch(() => {});
    }, env.REFRESH_INTERVAL_SECONDS * 1000);
    timer.unref();
    started.push({ close: () => clearInterval(timer) });

    // Notification API channels, as the scheduled function manages them: against the sandbox, or a real org when a
    // public NOTIFY_URL is given (Zoho cannot call loopback).
    let notifications: LocalStack["notifications"];
    let notificationsEnv: NotificationChannelsEnv | undefined;
    // Opt-in: the demo org's workflow rule already sends lead events, and a channel on the same events would
    // enrich each lead twice. NOTIFICATION_EVENTS turns the channels on.
    const channelsWanted =
      typeof env.NOTIFICATION_EVENTS === "string" || Boolean(options.notifications?.NOTIFICATION_EVENTS);
    if (channelsWanted && (sandbox || env.NOTIFY_URL)) {
      notificationsEnv = NotificationChannelsEnvSchema.parse(
        lambdaEnv(NotificationChannelsEnvSchema, env, {
          // The wait for the ingest's cache of the webhook secret, as the CDK construct derives it.
          defaults: { NOTIFICATION_TOKEN_PROPAGATION_SECONDS: String(ingestEnv.WEBHOOK_SECRET_TTL_SECONDS) },
          over: options.notifications,
          wiring: {
            ZOHO_CONNECTION_SECRETS: connection.secretName,
            REFRESHER_FUNCTION_NAME: "local-refresher",
            WEBHOOK_SECRET_NAME: webhookSecretName,
            NOTIFY_URL: env.NOTIFY_URL ?? `${api.url}/v1/hooks/crm/notifications`,
          },
        }),
      );
      const clock = options.notificationsClock ?? systemClock;
      const run = buildChannelsHandler({
        // Token lifetimes follow the connection's clock; only channel expiry decisions follow `clock`.
        zohoFor: zohoClientsFor(
          notificationsEnv,
          new SecretsManagerStore({ client: connection.sm, clock: connection.clock }),
          connection.coordinator,
          connection.clock,
        ),
        secrets: new SecretsManagerStore({ client: connection.sm, ttlMs: 0 }),
        clock,
        logger: createLogger("notification-channels"),
        metrics: connection.metrics,
        config: channelsConfig(notificationsEnv),
      });
      const runAndSay = async () => {
        const results = await run();
        for (const r of results)
          if (r.outcome !== "current")
            say(
              `channel   ${r.module} ${r.outcome}${r.outcome === "error" ? ` (${r.error})` : ` until ${new Date(r.expiresAt).toISOString()}`}`,
            );
        return results;
      };
      notifications = { run: runAndSay };
      const tick = () =>
        void runAndSay().catch((error: Error) => say(`channel   check failed (${error.name})`));
      // The first run at start (not awaited: it may wait for the token to propagate), then on the interval.
      if (options.notificationsTimer !== false) {
        tick();
        const channelTimer = setInterval(tick, env.NOTIFICATION_INTERVAL_SECONDS * 1000);
        channelTimer.unref();
        started.push({ close: () => clearInterval(channelTimer) });
      }
    }

    // The dead-letter count at start and whenever it changes.
    let lastDeadLetters = -1;
    const watchDeadLetters = () => {
      const n = deadLetters().length;
      if (n !== lastDeadLetters)
        say(`dead letters: ${n}${n ? `  (GET ${api.url}/_local/dead-letters lists them with reasons)` : ""}`);
      lastDeadLetters = n;
    };
    watchDeadLetters();
    const dlqTimer = setInterval(watchDeadLetters, 1000);
    dlqTimer.unref();
    started.push({ close: () => clearInterval(dlqTimer) });

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
      config: {
        ...(workerEnv ? { worker: workerEnv } : {}),
        ingest: ingestEnv,
        refresher: refresherEnv,
        ...(notificationsEnv ? { notifications: notificationsEnv } : {}),
      },
      ...(notifications ? { notifications } : {}),
      deadLetters,
      restored,
      stop: async () => {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await Promise.resolve(s.close()).catch(() => {});
    throw error;
  }
}
