import { resolve } from "node:path";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { stageResources } from "../../shared/config/resource-names.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import { definedUseCase } from "../../shared/use-cases/defined/index.js";
import { hookRoutes, mediatorWrittenCrmFields } from "../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import type { Stage } from "../config/stages.js";
import { loadDefinitionFiles } from "../config/use-case-files.js";
import { Monitoring } from "../constructs/monitoring.js";
import { NodeFunction } from "../constructs/node-function.js";
import { NotificationChannels } from "../constructs/notification-channels.js";
import { ToolsEndpoint } from "../constructs/tools-endpoint.js";
import { WebhookEndpoint } from "../constructs/webhook-endpoint.js";
import { WorkQueue } from "../constructs/work-queue.js";
import { Worker } from "../constructs/worker.js";
import { ZohoConnections } from "../constructs/zoho-connections.js";

/** Where `useCaseFiles` paths start. */
const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** The refresher's settings as the construct's props, so its schedule check sees them. */
function refresherProps(settings: Record<string, string>): { refreshAhead?: Duration; guardMax?: number } {
  return {
    ...(settings.REFRESH_AHEAD_SECONDS
      ? { refreshAhead: Duration.seconds(Number(settings.REFRESH_AHEAD_SECONDS)) }
      : {}),
    ...(settings.REFRESH_GUARD_MAX ? { guardMax: Number(settings.REFRESH_GUARD_MAX) } : {}),
  };
}

/** HTTP API access-log fields (only $context variables HTTP APIs support; no query strings, which may carry tokens). */
const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  time: "$context.requestTime",
  method: "$context.httpMethod",
  path: "$context.path",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationError: "$context.integrationErrorMessage",
};

export interface MediatorStackProps extends StackProps {
  stage: Stage;
  /**
   * The use cases deployed: their trigger routes, the worker's registry and alarms, and the loop guard's fields
   * (unless the stage sets them) derive from this list. @default USE_CASE_CATALOG
   */
  useCases?: readonly UseCaseDescriptor[];
}

/** Composes the mediator from constructs; business values come from the stage, never inline. */
export class MediatorStack extends Stack {
  readonly api: HttpApi;
  readonly work: WorkQueue;
  readonly zoho: ZohoConnections;
  readonly hooks: WebhookEndpoint;
  readonly worker: Worker;
  /** Present when the stage watches Notification API events (`notificationEvents`). */
  readonly notifications: NotificationChannels | undefined;
  /** The MCP tools and GPT Actions endpoint; absent when the stage turns tools off (`tools.enabled`). */
  readonly tools: ToolsEndpoint | undefined;
  /** The alarm topic, the stack-wide alarms and the dashboard. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MediatorStackProps) {
    super(scope, id, props);
    const { stage } = props;
    // Use cases defined by configuration (the stage's `useCaseFiles`): routed and alarmed like the built-in ones,
    // and bundled into the ingest and the worker, which build the same descriptors from them.
    const definitions = loadDefinitionFiles(stage.useCaseFiles, REPO_ROOT);
    const useCases = [...(props.useCases ?? USE_CASE_CATALOG), ...definitions.map(definedUseCase)];
    // The worker's timeout covers a full batch (stage.worker); the work queue's visibility derives from it.
    const timeout = Duration.seconds(stage.worker.timeoutSeconds);

    this.zoho = new ZohoConnections(this, "Zoho", {
      stage: stage.name,
      connections: stage.connections,
      schedule: Duration.minutes(stage.refreshScheduleMinutes),
      ...refresherProps(stage.refresherSettings),
      zohoHttpTimeoutMs: stage.zohoHttpTimeoutMs,
      logRetention: stage.logRetentionDays,
    });

    const names = stageResources(stage.name);
    this.work = new WorkQueue(this, "Work", {
      names: { queue: names.workQueue, deadLetterQueue: names.deadLetterQueue },
      consumerTimeout: timeout,
      maxReceiveCount: stage.maxReceiveCount,
    });

    this.api = new HttpApi(this, "Api", {
      description: "Zoho triggers in; answers in milliseconds, work goes to SQS.",
      createDefaultStage: false,
    });
    // Stage throttling protects the queue and the account's Lambda concurrency from a webhook storm.
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: stage.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: stage.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.hooks = new WebhookEndpoint(this, "Hooks", {
      stage: stage.name,
      api: this.api,
      queue: this.work.queue,
      connections: stage.connections,
      useCases,
      definitions,
      loopGuard: {
        ...stage.loopGuard,
        crmFields: stage.loopGuard.crmFields ?? mediatorWrittenCrmFields(useCases),
      },
      settings: stage.ingestSettings,
      logRetention: stage.logRetentionDays,
    });

    this.worker = new Worker(this, "Worker", {
      stage: stage.name,
      queue: this.work.queue,
      deadLetterQueue: this.work.deadLetterQueue,
      zoho: this.zoho,
      connections: stage.connections,
      useCases,
      definitions,
      timeout,
      maxConcurrency: stage.worker.maxConcurrency,
      batchSize: stage.worker.batchSize,
      batchingWindow: Duration.seconds(stage.worker.batchingWindowSeconds),
      modelConcurrency: stage.worker.modelConcurrency,
      ...(stage.worker.waveSize ? { waveSize: stage.worker.waveSize } : {}),
      zohoConcurrency: stage.worker.zohoConcurrency,
      modelTimeout: Duration.seconds(stage.worker.modelTimeoutSeconds),
      zohoConcurrencyLimit: stage.worker.zohoConcurrencyLimit,
      maxReceiveCount: stage.maxReceiveCount,
      model: stage.model,
      zohoHttpTimeoutMs: stage.zohoHttpTimeoutMs,
      ledgerRetentionDays: stage.ledger.retentionDays,
      prices: stage.prices,
      logRetention: stage.logRetentionDays,
      settings: stage.workerSettings,
    });

    // Channels deliver to the notifications route, which exists only when a use case watches a CRM module.
    if (
      stage.notifications.events.length > 0 &&
      !hookRoutes(useCases).some((r) => r.source === "crm-notification")
    )
      throw new Error(
        "notificationEvents are set but no deployed use case takes CRM Notification API callbacks (triggers.crmNotification)",
      );
    this.notifications = stage.notifications.events.length
      ? new NotificationChannels(this, "Notifications", {
          stage: stage.name,
          connections: stage.connections,
          zoho: this.zoho,
          webhookSecret: this.hooks.secret,
          notifyUrl: `${this.api.apiEndpoint}/v1/hooks/crm/notifications`,
          events: stage.notifications.events,
          schedule: Duration.minutes(stage.notifications.scheduleMinutes),
          channelTtl: Duration.minutes(stage.notifications.channelTtlMinutes),
          renewMargin: Duration.minutes(stage.notifications.renewMarginMinutes),
          ...(stage.ingestSettings.WEBHOOK_SECRET_TTL_SECONDS
            ? { ingestSecretTtl: Duration.seconds(Number(stage.ingestSettings.WEBHOOK_SECRET_TTL_SECONDS)) }
            : {}),
          zohoHttpTimeoutMs: stage.zohoHttpTimeoutMs,
          settings: stage.notifications.settings,
          logRetention: stage.logRetentionDays,
        })
      : undefined;

    const health = new NodeFunction(this, "Health", {
      entry: "functions/health/handler.ts",
      timeout: Duration.seconds(3),
      memorySize: 128,
      logRetention: stage.logRetentionDays,
      environment: { SERVICE_VERSION: process.env.npm_package_version ?? "0.0.0" },
    });
    this.api.addRoutes({
      path: "/v1/health",
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration("HealthIntegration", health),
    });

    this.tools = stage.tools.enabled
      ? new ToolsEndpoint(this, "Tools", {
          stage: stage.name,
          api: this.api,
          zoho: this.zoho,
          connections: stage.connections,
          jobs: this.worker.jobs,
          reservedConcurrency: stage.tools.reservedConcurrency,
          authFailureAlarmThreshold: stage.tools.authFailureAlarmThreshold,
          // Drafts an agent sends go out from the address the worker's do, unless the tools name their own.
          settings: {
            ...(stage.workerSettings.DESK_FROM_ADDRESS
              ? { DESK_FROM_ADDRESS: stage.workerSettings.DESK_FROM_ADDRESS }
              : {}),
            ...stage.tools.settings,
          },
          version: process.env.npm_package_version ?? "0.0.0",
          zohoHttpTimeoutMs: stage.zohoHttpTimeoutMs,
          logRetention: stage.logRetentionDays,
        })
      : undefined;
    if (this.tools) {
      new CfnOutput(this, "McpUrl", { value: `${this.api.apiEndpoint}/v1/mcp` });
      new CfnOutput(this, "OpenApiUrl", { value: `${this.api.apiEndpoint}/v1/openapi.json` });
      new CfnOutput(this, "AgentTableName", { value: this.tools.table.tableName });
    }

    this.monitoring = new Monitoring(this, "Monitoring", {
      names,
      connections: stage.connections,
      useCases,
      api: this.api,
      work: this.work,
      worker: this.worker,
      zoho: this.zoho,
      hooks: this.hooks,
      tools: this.tools,
      notifications: this.notifications,
      alarmEmail: stage.alarms.email,
    });
    // Last: every alarm of every construct notifies the topic.
    this.monitoring.notifyOnEveryAlarm(this);

    new CfnOutput(this, "ApiUrl", { value: this.api.apiEndpoint });
    new CfnOutput(this, "AlarmTopicArn", { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, "WebhookSecretName", { value: this.hooks.secret.secretName });
    new CfnOutput(this, "WorkQueueUrl", { value: this.work.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.work.deadLetterQueue.queueUrl });
  }
}
