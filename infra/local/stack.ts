/**
 * The local stack: the whole system on one machine with the same handlers as AWS, only endpoints changed.
 * Emulated: SQS (fauxqs), Secrets Manager, DynamoDB Local, the Zoho sandbox (unless a real Zoho org is
 * configured) and the model server (unless a real model is). Wired: a local API router in front of the real
 * ingest handler, a poller that invokes the real worker like the SQS event source, and the token refresher on its
 * schedule. `npm start` runs it; end-to-end tests start it with every port set to 0.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join, resolve } from "node:path";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createDynamoDbClient } from "../../shared/adapters/dynamodb/client.js";
import { DynamoJobStore } from "../../shared/adapters/dynamodb/job-store.js";
import { DynamoLedger } from "../../shared/adapters/dynamodb/ledger.js";
import { ensureTables } from "../../shared/adapters/dynamodb/tables.js";
import { createSqsClient } from "../../shared/adapters/sqs/sqs-client.js";
import { SqsQueue } from "../../shared/adapters/sqs/sqs-queue.js";
import type { IngestEnv } from "../../shared/config/ingest-env.js";
import type { NotificationChannelsEnv } from "../../shared/config/notification-channels-env.js";
import type { RefresherEnv } from "../../shared/config/refresher-env.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { type WorkerEnv, WorkerEnvSchema } from "../../shared/config/worker-env.js";
import {
  connectionSecretName,
  webhookSecretName as webhookSecretNameOf,
} from "../../shared/domain/zoho-connection.js";
import { BOOKS_PAYLOAD_KEYS } from "../../shared/ingest/routes/books-webhook.js";
import type { ApiGatewayV2Result } from "../../shared/lambda/api-gateway.js";
import type { WorkerExtras } from "../../shared/lambda/deps/worker-deps.js";
import type { ProgressEvent } from "../../shared/pipeline/progress.js";
import { type Clock, systemClock } from "../../shared/ports/clock.js";
import type { ToolDefinition } from "../../shared/tools/definition.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import type { UseCaseDefinition } from "../../shared/use-cases/defined/definition.js";
import { definedUseCase } from "../../shared/use-cases/defined/index.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import type { ChannelOutcome } from "../../shared/use-cases/manage-notification-channels.js";
import { definitionPaths, loadDefinitionFiles } from "../config/use-case-files.js";
import { ensureWebhookSecret, ensureZohoConnection } from "./connection-setup.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb.js";
import {
  invokeRefresher,
  LOCAL_TABLES,
  localChannels,
  localIngest,
  localRefresher,
  localWorker,
  localWorkerEnv,
} from "./functions.js";
import type { RunningServer } from "./http.js";
import { checkLocalBatch, type LocalEnv } from "./local-env.js";
import { createMeter, type Meter } from "./meter.js";
import { type ModelServer, startModelServer } from "./model-server/server.js";
import {
  JournaledQueue,
  persistQueues,
  persistSandbox,
  restoreQueues,
  restoreSandbox,
} from "./persistence.js";
import { startPoller } from "./poller.js";
import { createLocalQueues, type DeadLetter, LOCAL_QUEUES, readDeadLetters } from "./queues.js";
import { startLocalApi } from "./router.js";
import { localRoutes } from "./routes.js";
import { type SecretsManagerEmulator, startSecretsManager } from "./secrets-manager/server.js";
import { lambdaEnv } from "./settings.js";
import { type SqsEmulator, startSqs } from "./sqs.js";
import type { StatusSources } from "./status/api.js";
import { StatusFeed } from "./status/feed.js";
import { makeReplayJob, makeUsageReader } from "./status/sources.js";
import { ensureDemoKey, type LocalTools, localTools, localToolsEnv } from "./tools.js";
import { createLocalZohoConnection, type LocalZohoConnection } from "./zoho-connection.js";
import { connectBooksHook } from "./zoho-sandbox/books/rules.js";
import type { SandboxOptions } from "./zoho-sandbox/config.js";
import { addHook } from "./zoho-sandbox/creator/workflow.js";
import { startZohoSandbox, type ZohoSandbox } from "./zoho-sandbox/server.js";

/** Where `USE_CASE_FILES` paths start. */
const REPO_ROOT = resolve(import.meta.dirname, "../..");

/**
 * The sandbox's Books workflow rules (and Creator workflows) that call the use cases of the catalog, as an admin
 * sets them up from the README: replaced on every start, since a restored org points at the last run's URL.
 */
function connectProductHooks(
  sandbox: ZohoSandbox,
  useCases: readonly UseCaseDescriptor[],
  baseUrl: string,
  token: string,
): void {
  const { books, creator } = sandbox.state;
  for (const d of useCases) {
    const flow = d.triggers.creatorWorkflow;
    if (flow) {
      const path = `/v1/hooks/creator/${d.name}`;
      for (const stale of creator.hooks.filter((h) => h.url.endsWith(path)))
        creator.hooks.splice(creator.hooks.indexOf(stale), 1);
      const app = creator.app(sandbox.demo().creatorOwner, flow.app);
      const form = app?.reports.find((r) => r.link_name === flow.report)?.form;
      // A definition for another org's app (the demo example on the alt org) has nothing to hook here.
      if (!app || !form) continue;
      const hook = addHook(sandbox.state.ctx, creator, {
        owner: app.owner,
        app: app.link_name,
        form,
        report: flow.report,
        base_url: baseUrl,
        use_case: d.name,
        token,
      });
      if (typeof hook === "string")
        throw new Error(`the sandbox refused the Creator hook of ${d.name}: ${hook}`);
    }
    const trigger = d.triggers.booksWebhook;
    if (!trigger) continue;
    const path = `/v1/hooks/books/${d.name}`;
    for (const stale of books.rules.filter((r) => r.webhook.url.endsWith(path)))
      books.rules.splice(books.rules.indexOf(stale), 1);
    const rule = connectBooksHook(books, {
      baseUrl,
      useCase: d.name,
      token,
      module: BOOKS_PAYLOAD_KEYS[trigger.entity].key,
    });
    if ("error" in rule) throw new Error(`the sandbox refused the Books rule of ${d.name}: ${rule.error}`);
  }
}

const withDefinitions = (
  catalog: readonly UseCaseDescriptor[],
  definitions: readonly UseCaseDefinition[],
): readonly UseCaseDescriptor[] => [...catalog, ...definitions.map(definedUseCase)];

export { FREE_PORTS, type LocalEnv, LocalEnvSchema } from "./local-env.js";
export { type DeadLetter, LOCAL_QUEUES } from "./queues.js";

const STAGE = DEFAULT_STAGE;
const CONNECTION = "default";
/** How long an idle connection to DynamoDB Local is kept: well under the 30 s after which DynamoDB Local closes it. */
const DYNAMODB_LOCAL_IDLE_MS = 5_000;

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
  /** The use cases this stack routes and runs (a test adds a throwaway one). @default USE_CASE_CATALOG */
  useCases?: readonly UseCaseDescriptor[];
  /** The tools the tool endpoint serves (the conformance script adds its fixture tools). @default TOOL_CATALOG */
  tools?: readonly ToolDefinition[];
  /** Tool function settings over the environment's (tests). */
  toolsSettings?: Record<string, string>;
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
  /** The use cases served besides the built-in ones (defined by configuration, or a test's own). */
  definedUseCases: readonly UseCaseDescriptor[];
  connection?: LocalZohoConnection;
  hooks: { crm: string; desk: string; flow: string };
  /** Every Lambda's configuration as its own parser read it. */
  config: {
    worker?: WorkerEnv;
    ingest: IngestEnv;
    refresher: RefresherEnv;
    notifications?: NotificationChannelsEnv;
  };
  /** The tool endpoint (MCP tools, GPT Actions) and its demo key; present when DynamoDB runs. */
  tools?: LocalTools;
  /** The notification-channel manager (with the sandbox, or a real org and NOTIFY_URL): one run on demand. */
  notifications?: { run(): Promise<ChannelOutcome[]> };
  /** Dead letters with their reasons, read without consuming them. */
  deadLetters(): DeadLetter[];
  /** The status page (`GET /_status` on the local API): events by stage, jobs, dead letters, costs, the sandbox. */
  statusUrl: string;
  /** What the deployed stack would be billed for: requests per service, Lambda invocations and durations. */
  meter: Meter;
  /** What a restart found in the state directory. */
  restored: { sandbox: boolean; secrets: boolean; work: number; deadLetter: number };
  stop(): Promise<void>;
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
    const useCases =
      options.useCases ??
      withDefinitions(USE_CASE_CATALOG, loadDefinitionFiles(definitionPaths(env.USE_CASE_FILES), REPO_ROOT));
    const workerDefaults = { MODEL: env.MODEL, MAX_RECEIVE_COUNT: String(LOCAL_QUEUES.maxReceiveCount) };
    const maxReceiveCount = WorkerEnvSchema.shape.MAX_RECEIVE_COUNT.parse(
      lambdaEnv(WorkerEnvSchema, env, { defaults: workerDefaults, over: options.worker, wiring: {} })
        .MAX_RECEIVE_COUNT,
    );
    const refresher = localRefresher(
      { env, over: options.refresher },
      { connectionSecretName: connectionSecretName(STAGE, CONNECTION) },
    );
    const refresherEnv = refresher.env;

    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    const meter = createMeter();
    const sqsClient = createSqsClient({ region: env.AWS_REGION, endpoint: sqs.url, credentials });
    meter.attach(sqsClient, "sqs");
    started.push({ close: () => sqsClient.destroy() });
    const queues = await createLocalQueues(sqsClient, maxReceiveCount);

    const webhookSecretName = webhookSecretNameOf(STAGE);
    const connection = createLocalZohoConnection({
      ...(sandbox ? { sandbox } : {}),
      secretsEndpoint: secrets.url,
      secretName: connectionSecretName(STAGE, CONNECTION),
      region: env.AWS_REGION,
      guard: { maxRefreshes: refresherEnv.REFRESH_GUARD_MAX },
      oauthTimeoutMs: refresherEnv.ZOHO_HTTP_TIMEOUT_MS,
      // Workers' refresh requests reach the refresher's wrapped handler, as the deployed coordinator invokes it.
      // (Called only once requests come, after the handler below is built over this connection's clients.)
      refreshVia: invokeRefresher(() => refresherHandler),
    });
    started.push(connection);
    meter.attach(connection.sm, "secretsManager");
    const refresherHandler = meter.wrapFunction("refresher", refresher.build(connection));
    const webhookToken = await ensureWebhookSecret(connection, webhookSecretName, env.MEDIATOR_WEBHOOK_TOKEN);
    await ensureZohoConnection(env, connection, {
      name: CONNECTION,
      ...(sandbox ? { sandbox } : {}),
      sandboxRestored: restored.sandbox,
    });

    // The queue journal: what the ingest sends is journaled, so a restart re-sends what the snapshot missed.
    const workQueue = new SqsQueue(sqsClient, queues.workUrl);
    const journalFile = files?.journal;
    if (files) {
      const counts = await restoreQueues(
        sqsClient,
        { work: queues.workUrl, deadLetter: queues.deadLetterUrl },
        { snapshot: files.queues, journal: files.journal },
        workQueue,
      );
      Object.assign(restored, counts);
    }
    let journal: JournaledQueue | undefined;
    // Ingest behind the local API router: the handler deployed behind API Gateway, wired by createIngestDeps.
    const ingest = localIngest(
      { env, over: options.ingest },
      {
        sqs: sqsClient,
        connection,
        workQueueUrl: queues.workUrl,
        webhookSecretName,
        connectionName: CONNECTION,
      },
      {
        useCases,
        ...(journalFile
          ? {
              decorateQueue: (queue) => {
                journal = new JournaledQueue(queue, journalFile);
                return journal;
              },
            }
          : {}),
      },
    );
    const ingestEnv = ingest.env;
    if (files && journal) {
      const persister = persistQueues(
        sqs.server,
        { work: LOCAL_QUEUES.work, deadLetter: LOCAL_QUEUES.deadLetter },
        files.queues,
        journal,
        (error) =>
          say(`state     the queues' snapshot could not be written (${(error as Error).message}); retrying`),
      );
      started.push({ close: () => persister.stop() });
    }
    const deadLetters = (): DeadLetter[] => readDeadLetters(sqs);
    // The status page's sources; the job store, replay and ledger join once DynamoDB and the worker run (below).
    const status: StatusSources = {
      feed: new StatusFeed(),
      deadLetters,
      queueDepths: () => queueDepths(sqs),
      sandbox,
    };
    // The tool routes answer once the tool function is built below (it needs DynamoDB and the API's port).
    let toolsHandler: ((event: APIGatewayProxyEventV2) => Promise<ApiGatewayV2Result>) | undefined;
    const meteredIngest = meter.wrapFunction("ingest", ingest.handler);
    const meteredTools = (event: APIGatewayProxyEventV2) =>
      meter.wrapFunction("tools", toolsHandler ?? (() => Promise.reject(new Error("no tools"))))(event);
    const api = await startLocalApi(
      // API Gateway bills the routes it serves (/v1/); the status page and /_local/ are the local stack's own.
      localRoutes({
        ingest: meteredIngest,
        tools: () => (toolsHandler ? meteredTools : undefined),
        deadLetters,
        say,
        status,
      }).map((r) => (r.prefix.startsWith("/v1/") ? { ...r, handler: meter.wrapApi(r.handler) } : r)),
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
      connectProductHooks(sandbox, useCases, api.url, webhookToken);
    }

    // The worker and its event source, when DynamoDB (idempotency, budgets) is available.
    let workerEnv: WorkerEnv | undefined;
    let tools: LocalTools | undefined;
    if (dynamodb) {
      const ddb = createDynamoDbClient({
        endpoint: dynamodb.url,
        region: env.AWS_REGION,
        credentials,
        // Kept-alive connections, each closed after 5 s idle: DynamoDB Local closes a connection idle for 30 s, and
        // a request written to one it is closing stalls until the client's timeout.
        httpAgent: new Agent({ keepAlive: true, timeout: DYNAMODB_LOCAL_IDLE_MS }),
      });
      started.push({ close: () => ddb.destroy() });
      meter.attach(ddb, "dynamodb");
      await ensureTables(ddb, [LOCAL_TABLES.jobs, LOCAL_TABLES.ledger, LOCAL_TABLES.agents]);
      workerEnv = localWorkerEnv(
        { env, over: options.worker, defaults: workerDefaults },
        {
          workQueueUrl: queues.workUrl,
          deadLetterQueueUrl: queues.deadLetterUrl,
          connectionSecretName: connection.secretName,
        },
      );
      const jobStore = new DynamoJobStore(ddb, LOCAL_TABLES.jobs);
      const readUsage = makeUsageReader(new DynamoLedger(ddb, LOCAL_TABLES.ledger));
      const replayJob = makeReplayJob(sqsClient, queues);
      Object.assign(status, {
        jobs: () => (jobId: string) => jobStore.statusOf(jobId),
        usage: () => readUsage,
        replayJob: () => replayJob,
      });
      const progress = (e: ProgressEvent) => {
        status.feed.progress(e);
        say(
          `${e.stage.padEnd(9)} ${e.useCase} ${e.subject} job ${e.jobId.slice(0, 8)}${e.detail ? ` (${e.detail.slice(0, 160)})` : ""}`,
        );
      };
      const worker = localWorker(
        workerEnv,
        {
          sqs: sqsClient,
          dynamodb: ddb,
          connection,
          apiKey: env.OPENAI_API_KEY ?? "local",
          modelBaseUrl: realModel ? "https://api.openai.com/v1" : `${model?.url}/v1`,
        },
        {
          progress,
          metrics: connection.metrics,
          // A use case's own settings (and field maps the worker's schema does not name), as a deployed worker has
          // them in its environment.
          settings: { ...process.env, ...options.worker },
          ...options.workerExtras,
          useCases,
        },
      );
      // A full batch must end before its messages reappear (the queue's visibility), as deployed (worker-limits.ts).
      checkLocalBatch(env, workerEnv, LOCAL_QUEUES.visibilityTimeoutSeconds);
      const poller = startPoller({
        sqs: sqsClient,
        queueUrl: queues.workUrl,
        queueArn: queues.workArn,
        region: env.AWS_REGION,
        handler: meter.wrapFunction("worker", (event: Parameters<typeof worker>[0]) => worker(event)),
        batchSize: env.WORKER_BATCH_SIZE,
        batchWindowMs: env.WORKER_BATCH_WINDOW_MS,
        concurrency: env.WORKER_CONCURRENCY,
      });
      started.push({ close: () => poller.stop() });

      // The tool endpoint (MCP and GPT Actions) on the same API, and the demo key npm start prints.
      const toolsEnv = localToolsEnv(
        { env, over: options.toolsSettings },
        { stage: STAGE, apiPort: api.port, connectionSecretName: connection.secretName },
      );
      const built = localTools(
        toolsEnv,
        { dynamodb: ddb, connection },
        {
          ...(options.tools ? { tools: options.tools } : {}),
          ...(options.workerExtras?.sleep ? { sleep: options.workerExtras.sleep } : {}),
          ...(options.workerExtras?.zohoRetry ? { zohoRetry: options.workerExtras.zohoRetry } : {}),
        },
      );
      const demo = await ensureDemoKey(built.keys, {
        connection: CONNECTION,
        clock: connection.clock,
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      });
      toolsHandler = built.handler;
      tools = {
        mcpUrl: `${api.url}/v1/mcp`,
        openapiUrl: `${api.url}/v1/openapi.json`,
        restUrl: `${api.url}/v1/tools`,
        demoKey: demo.key,
        table: LOCAL_TABLES.agents,
        dynamodbUrl: dynamodb.url,
      };
    }

    // The token refresher on its schedule: the refresher Lambda's wrapped handler, given EventBridge's event.
    const timer = setInterval(() => {
      refresherHandler({ source: "aws.events", "detail-type": "Scheduled Event" }).catch(() => {});
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
      const channels = localChannels(
        { env, over: options.notifications },
        {
          connection,
          webhookSecretName,
          notifyUrl: env.NOTIFY_URL ?? `${api.url}/v1/hooks/crm/notifications`,
          tokenPropagationSeconds: ingestEnv.WEBHOOK_SECRET_TTL_SECONDS,
        },
        options.notificationsClock ?? systemClock,
      );
      notificationsEnv = channels.env;
      const runAndSay = async () => {
        const results = await channels.handler({ source: "aws.events", "detail-type": "Scheduled Event" });
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
      definedUseCases: useCases.filter((d) => !USE_CASE_CATALOG.includes(d)),
      connection,
      hooks,
      ...(tools ? { tools } : {}),
      config: {
        ...(workerEnv ? { worker: workerEnv } : {}),
        ingest: ingestEnv,
        refresher: refresherEnv,
        ...(notificationsEnv ? { notifications: notificationsEnv } : {}),
      },
      ...(notifications ? { notifications } : {}),
      deadLetters,
      statusUrl: `${api.url}/_status`,
      restored,
      meter,
      stop: async () => {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await Promise.resolve(s.close()).catch(() => {});
    throw error;
  }
}

/** Messages waiting on and in flight from the work queue, and on the dead-letter queue (the status page's line). */
function queueDepths(sqs: SqsEmulator) {
  const work = sqs.server.inspectQueue(LOCAL_QUEUES.work);
  const dead = sqs.server.inspectQueue(LOCAL_QUEUES.deadLetter);
  const waiting = (q: typeof work) => (q ? q.messages.ready.length + q.messages.delayed.length : 0);
  return {
    work: waiting(work),
    workInFlight: work?.messages.inflight.length ?? 0,
    deadLetter: waiting(dead) + (dead?.messages.inflight.length ?? 0),
  };
}
