import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import { NodeFunction } from "./node-function.js";

export interface ZohoConnectionsProps {
  stage: string;
  /** Connection names; each gets a secret `zoho-gpt-mediator/<stage>/zoho/<name>` that `auth` fills. */
  connections: string[];
  /** How often the refresher runs. @default 10 minutes */
  schedule?: Duration;
  /** A scheduled run refreshes tokens with less than this left; must exceed the schedule. @default 25 minutes */
  refreshAhead?: Duration;
  /** Refresh attempts per 10 minutes per refresh token (Zoho allows 10). @default 8 */
  guardMax?: number;
  /** Timeout of each Zoho Accounts call (ZOHO_HTTP_TIMEOUT_MS). @default 10_000 */
  zohoHttpTimeoutMs?: number;
  logRetention?: RetentionDays;
}

/**
 * The Zoho connections: their secrets, the scheduled refresher (the only function allowed to write them), and
 * alarms on refresh failures and broken connections.
 */
export class ZohoConnections extends Construct {
  readonly secrets: Secret[];
  readonly refresher: NodeFunction;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ZohoConnectionsProps) {
    super(scope, id);
    const schedule = props.schedule ?? Duration.minutes(10);
    const refreshAhead = props.refreshAhead ?? Duration.minutes(25);
    if (refreshAhead.toSeconds() <= schedule.toSeconds())
      throw new Error(
        "refreshAhead must be longer than the refresh schedule, or tokens can expire between runs",
      );

    // Physical names are required here: the auth command and operators find a connection by name.
    this.secrets = props.connections.map(
      (name) =>
        new Secret(this, `Connection-${name}`, {
          secretName: connectionSecretName(props.stage, name),
          description: `Zoho connection "${name}": filled by the auth command, refreshed by the token refresher`,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );

    this.refresher = new NodeFunction(this, "Refresher", {
      entry: "functions/token-refresher/handler.ts",
      serviceName: "token-refresher",
      timeout: Duration.seconds(30),
      // One refresh at a time across the fleet: overlapping refreshes would burn Zoho's 10-per-10-minutes budget.
      reservedConcurrentExecutions: 1,
      // EventBridge retries a failed async run twice; a refresh is never worth repeating blindly.
      retryAttempts: 0,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      environment: {
        ZOHO_CONNECTION_SECRETS: props.connections
          .map((name) => connectionSecretName(props.stage, name))
          .join(","),
        REFRESH_AHEAD_SECONDS: String(refreshAhead.toSeconds()),
        REFRESH_GUARD_MAX: String(props.guardMax ?? 8),
        ZOHO_HTTP_TIMEOUT_MS: String(props.zohoHttpTimeoutMs ?? 10_000),
      },
    });
    for (const secret of this.secrets) {
      secret.grantRead(this.refresher);
      secret.grantWrite(this.refresher);
    }

    new Rule(this, "Schedule", {
      description: "Refresh Zoho access tokens well inside their 1-hour life",
      schedule: Schedule.rate(schedule),
      targets: [new LambdaFunction(this.refresher, { retryAttempts: 0 })],
    });

    // The refresh use case counts these per connection ({service, connection}); CloudWatch matches a metric only on
    // its exact dimensions, so each connection gets its own alarm.
    const metric = (name: string, connection: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: "token-refresher", connection },
        statistic: "Sum",
        period: Duration.minutes(5),
      });
    for (const [name, description] of [
      [
        "ConnectionBroken",
        "Zoho rejected a refresh token or client: run the auth command for the connection. Events wait in the queue meanwhile.",
      ],
      [
        "RefreshFailed",
        "A Zoho token refresh failed (network or Zoho error); workers will hit expired tokens if it persists.",
      ],
      [
        "RefreshThrottled",
        "Zoho throttled token refreshes (10 per 10 minutes); something is refreshing too often.",
      ],
    ] as const) {
      for (const connection of props.connections)
        this.alarms.push(
          new Alarm(this, `${name}Alarm-${connection}`, {
            alarmDescription: `${description} (connection "${connection}")`,
            metric: metric(name, connection),
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
    }
    this.alarms.push(
      this.refresher.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, "RefresherErrorsAlarm", {
        alarmDescription: "The token refresher Lambda failed.",
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Lets a function read the connections' tokens and ask the refresher for a coordinated refresh (not write). */
  grantUse(grantee: IGrantable): void {
    for (const secret of this.secrets) secret.grantRead(grantee);
    this.refresher.grantInvoke(grantee);
  }
}
