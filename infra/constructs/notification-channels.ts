import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { connectionSecretName, webhookSecretName } from "../../shared/domain/zoho-connection.js";
import { NodeFunction } from "./node-function.js";
import type { ZohoConnections } from "./zoho-connections.js";

export interface NotificationChannelsProps {
  stage: string;
  connections: string[];
  zoho: ZohoConnections;
  /** The webhook secret: the function adds channel tokens to its `notificationTokens`. */
  webhookSecret: Secret;
  /** The deployed `POST /v1/hooks/crm/notifications` URL. */
  notifyUrl: string;
  /** `{Module}.{create|edit|delete|all}`. @default ["Leads.create", "Leads.edit"] */
  events?: string[];
  /** How often channels are checked. @default 60 minutes */
  schedule?: Duration;
  /** Life asked for each channel (Zoho's maximum is UNCONFIRMED). @default 12 hours */
  channelTtl?: Duration;
  /** Channels with less than this left are renewed; must exceed the schedule. @default 3 hours */
  renewMargin?: Duration;
  /** How long the ingest caches the webhook secret (its WEBHOOK_SECRET_TTL_SECONDS). @default 60 seconds */
  ingestSecretTtl?: Duration;
  /** Timeout of each Zoho call (ZOHO_HTTP_TIMEOUT_MS). @default 10_000 */
  zohoHttpTimeoutMs?: number;
  /** More settings (NOTIFICATION_TOKEN_PROPAGATION_SECONDS, NOTIFICATION_CHANNEL_SEED), checked by the deploy config. */
  settings?: Record<string, string>;
  logRetention?: RetentionDays;
}

/**
 * Zoho CRM Notification API channels managed by the product: a scheduled function subscribes the configured
 * channels of every connection with tokens it generates (stored in the webhook secret first) and renews them
 * before they expire; an alarm fires when a channel cannot be subscribed or renewed.
 */
export class NotificationChannels extends Construct {
  readonly function: NodeFunction;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: NotificationChannelsProps) {
    super(scope, id);
    const schedule = props.schedule ?? Duration.minutes(60);
    const renewMargin = props.renewMargin ?? Duration.hours(3);
    const channelTtl = props.channelTtl ?? Duration.hours(12);
    if (renewMargin.toSeconds() <= schedule.toSeconds())
      throw new Error("renewMargin must be longer than the schedule, or channels can expire between runs");
    if (channelTtl.toSeconds() <= renewMargin.toSeconds())
      throw new Error("channelTtl must be longer than renewMargin, or every run renews every channel");
    // A new token must be in every ingest container's cache before Zoho sends it.
    const propagation = (props.ingestSecretTtl ?? Duration.seconds(60)).toSeconds() + 5;

    this.function = new NodeFunction(this, "Function", {
      entry: "functions/notification-channels/handler.ts",
      serviceName: "notification-channels",
      timeout: Duration.seconds(propagation + 60),
      // Runs never overlap: token rotation reads and writes the webhook secret.
      reservedConcurrentExecutions: 1,
      retryAttempts: 0,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      environment: {
        ZOHO_CONNECTION_SECRETS: props.connections
          .map((name) => connectionSecretName(props.stage, name))
          .join(","),
        REFRESHER_FUNCTION_NAME: props.zoho.refresher.functionName,
        // The physical name WebhookEndpoint gives it (the token's form would be a CloudFormation expression).
        WEBHOOK_SECRET_NAME: webhookSecretName(props.stage),
        NOTIFY_URL: props.notifyUrl,
        NOTIFICATION_EVENTS: (props.events ?? ["Leads.create", "Leads.edit"]).join(","),
        NOTIFICATION_CHANNEL_TTL_MINUTES: String(channelTtl.toMinutes()),
        NOTIFICATION_RENEW_MARGIN_MINUTES: String(renewMargin.toMinutes()),
        NOTIFICATION_TOKEN_PROPAGATION_SECONDS: String(propagation),
        NOTIFICATION_CHANNEL_SEED: props.stage,
        ZOHO_HTTP_TIMEOUT_MS: String(props.zohoHttpTimeoutMs ?? 10_000),
        ...props.settings,
      },
    });
    // Read the connections' tokens and ask the refresher for a coordinated refresh; never write them.
    props.zoho.grantUse(this.function);
    props.webhookSecret.grantRead(this.function);
    props.webhookSecret.grantWrite(this.function);

    new Rule(this, "Schedule", {
      description: "Subscribe and renew Zoho CRM Notification API channels before they expire",
      schedule: Schedule.rate(schedule),
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    this.alarm = new Alarm(this, "ChannelFailedAlarm", {
      alarmDescription:
        "A Zoho Notification API channel could not be subscribed or renewed: callbacks stop when it expires.",
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: "NotificationChannelFailed",
        dimensionsMap: { service: "notification-channels" },
        statistic: "Sum",
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
