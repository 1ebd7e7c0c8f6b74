/**
 * The stack's operations side: the SNS topic every alarm notifies (with an optional e-mail subscription), the alarms
 * no other construct owns, and the CloudWatch dashboard. Built last, so it sees every alarm in the stack.
 *
 * Custom metrics are CloudWatch EMF lines the functions write (shared/adapters/metrics/powertools-metrics.ts): each
 * carries the function's `service` plus the dimensions its count names, and CloudWatch matches a metric only on its
 * exact dimension set. So an alarm names them all, and test/infra/alarms.test.ts checks every alarm's and every
 * dashboard widget's metric against the EMF lines the real code paths print.
 */
import { Duration, Stack } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  type CfnAlarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import type { StageResources } from "../../shared/config/resource-names.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import type { NotificationChannels } from "./notification-channels.js";
import type { ToolsEndpoint } from "./tools-endpoint.js";
import type { WebhookEndpoint } from "./webhook-endpoint.js";
import type { WorkQueue } from "./work-queue.js";
import type { Worker } from "./worker.js";
import type { ZohoConnections } from "./zoho-connections.js";

export interface MonitoringProps {
  names: StageResources;
  connections: string[];
  useCases: readonly UseCaseDescriptor[];
  api: HttpApi;
  work: WorkQueue;
  worker: Worker;
  zoho: ZohoConnections;
  hooks: WebhookEndpoint;
  tools?: ToolsEndpoint | undefined;
  notifications?: NotificationChannels | undefined;
  /** An address subscribed to the alarm topic (it confirms the subscription by e-mail). */
  alarmEmail?: string | undefined;
  /**
   * The work queue's oldest message may wait this long before the queue-age alarm fires. Deferrals (credits low, a
   * token budget spent, a broken connection) legitimately hold events for minutes, so not much less. @default 30 min
   */
  queueAgeAlarm?: Duration | undefined;
  /** Webhooks refused as unauthorized in 5 minutes that raise the ingest 401 alarm. @default 20 */
  unauthorizedWebhooksAlarmThreshold?: number | undefined;
}

/** The `service` dimension each function's Powertools metrics carry (their `createPowertoolsMetrics` names). */
const SERVICE = { ingest: "ingest", worker: "worker", refresher: "token-refresher" } as const;
const FIVE_MINUTES = Duration.minutes(5);

const custom = (
  service: string,
  metricName: string,
  dimensions: Record<string, string> = {},
  statistic = "Sum",
) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...dimensions },
    statistic,
    period: FIVE_MINUTES,
  });

/**
 * Every series of a custom metric whatever the value of `dimension` (a use case, a reason, a connection), one line
 * each: a SEARCH over the exact dimension set the code emits, so a new use case or reason shows without a deploy.
 */
const each = (service: string, metricName: string, dimension: string, label: string, statistic = "Sum") =>
  new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimension}} MetricName="${metricName}" service="${service}"', '${statistic}', 300)`,
    usingMetrics: {},
    label,
    period: FIVE_MINUTES,
  });

const graph = (title: string, left: IMetric[], width = 12) =>
  new GraphWidget({ title, left, width, height: 6 });

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  /** The alarms this construct adds (the others live with what they watch). */
  readonly alarms: Alarm[] = [];
  private readonly names: StageResources;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.names = props.names;
    this.topic = new Topic(this, "Alarms", {
      topicName: props.names.alarmTopic,
      displayName: `zoho-gpt-mediator ${props.names.stage} alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.addAlarms(props);
    this.dashboard = this.addDashboard(props);
  }

  private addAlarms(props: MonitoringProps): void {
    const atLeast = (threshold: number) => ({
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const worker = props.worker.function;
    this.alarms.push(
      worker.metricErrors({ period: FIVE_MINUTES }).createAlarm(this, "WorkerErrors", {
        alarmDescription:
          "The worker Lambda itself failed (a crash or timeout, not an event's error): its batch returns to the queue and is retried. Read the worker's logs for the error; events that keep failing reach the dead-letter queue.",
        ...atLeast(1),
      }),
      worker.metricThrottles({ period: FIVE_MINUTES }).createAlarm(this, "WorkerThrottles", {
        alarmDescription:
          "Lambda throttled the worker (the account's concurrency is used up): events wait in the queue. Raise the account's concurrency or lower other functions' use; worker.maxConcurrency bounds the worker's own.",
        ...atLeast(1),
      }),
      props.work.queue
        .metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" })
        .createAlarm(this, "WorkQueueAge", {
          alarmDescription:
            "An event has waited too long in the work queue: the worker is failing, throttled or stopped (a broken connection, low Zoho credits, a spent token budget). `npx zoho-gpt-mediator status` shows the queue and the alarms in alarm.",
          ...atLeast((props.queueAgeAlarm ?? Duration.minutes(30)).toSeconds()),
        }),
      props.api.metricServerError({ period: FIVE_MINUTES, statistic: "Sum" }).createAlarm(this, "Api5xx", {
        alarmDescription:
          "The HTTP API answered 5xx: the work queue or a secret was unavailable (senders retry) or a function failed. Zoho CRM does not retry its webhooks, so those events are lost: read the ingest function's logs.",
        ...atLeast(5),
      }),
      custom(SERVICE.ingest, "WebhookRejected", { reason: "unauthorized" }).createAlarm(
        this,
        "WebhooksUnauthorized",
        {
          alarmDescription:
            "Many webhooks were refused as unauthorized: a rotated webhook token not updated in Zoho, or someone probing the endpoint. `npx zoho-gpt-mediator hooks` shows how each hook must be set.",
          ...atLeast(props.unauthorizedWebhooksAlarmThreshold ?? 20),
        },
      ),
    );
    // Quarantined is counted per use case ("unknown" when a message could not be read at all): one alarm each.
    for (const useCase of [...props.useCases.map((u) => u.name), "unknown"])
      this.alarms.push(
        custom(SERVICE.worker, "Quarantined", { useCase }).createAlarm(this, `Quarantined-${useCase}`, {
          alarmDescription: `A write for ${useCase} was quarantined: the model's output failed validation against Zoho's metadata or the allow-list, so nothing was written. The event is in the dead-letter queue with its reason (\`npx zoho-gpt-mediator dlq list\`).`,
          ...atLeast(1),
        }),
      );
  }

  private addDashboard(props: MonitoringProps): Dashboard {
    const { work, zoho, api } = props;
    const worker = props.worker.function;
    const dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: props.names.dashboard,
      defaultInterval: Duration.hours(24),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# zoho-gpt-mediator ${props.names.stage}\nEvents from Zoho's triggers to the write. Alarms start with \`${props.names.alarmPrefix}\`.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph("Events received (accepted webhooks, per use case)", [
        each(SERVICE.ingest, "WebhookAccepted", "useCase", "accepted"),
      ]),
      graph("Webhooks refused (per reason)", [each(SERVICE.ingest, "WebhookRejected", "reason", "refused")]),
    );
    dashboard.addWidgets(
      graph(
        "Queued, written, quarantined, dead-lettered",
        [
          work.queue.metricNumberOfMessagesSent({ period: FIVE_MINUTES, label: "queued" }),
          each(SERVICE.worker, "Written", "useCase", "written"),
          each(SERVICE.worker, "Quarantined", "useCase", "quarantined"),
          work.deadLetterQueue.metricNumberOfMessagesSent({ period: FIVE_MINUTES, label: "dead-lettered" }),
        ],
        24,
      ),
    );
    dashboard.addWidgets(
      graph("Retried (per error kind)", [each(SERVICE.worker, "Retried", "kind", "retried")], 8),
      graph("Deferred (per reason)", [each(SERVICE.worker, "Deferred", "reason", "deferred")], 8),
      graph(
        "Duplicates skipped (per use case)",
        [each(SERVICE.worker, "Duplicate", "useCase", "duplicate")],
        8,
      ),
    );
    dashboard.addWidgets(
      graph("Work queue depth", [
        work.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: "waiting" }),
        work.queue.metricApproximateNumberOfMessagesNotVisible({ period: FIVE_MINUTES, label: "in flight" }),
        work.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          label: "dead letters",
        }),
      ]),
      graph("Oldest message age (seconds)", [
        work.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" }),
      ]),
    );
    dashboard.addWidgets(
      graph("Model tokens (per use case)", [each(SERVICE.worker, "ModelTokens", "useCase", "tokens")], 8),
      graph(
        "Model cost, USD millionths (per use case)",
        [each(SERVICE.worker, "ModelCostMicros", "useCase", "cost")],
        8,
      ),
      graph(
        "Model latency, ms (per use case, average)",
        [each(SERVICE.worker, "ModelLatencyMs", "useCase", "latency", "Average")],
        8,
      ),
    );
    dashboard.addWidgets(
      graph("Zoho calls (per connection)", [each(SERVICE.worker, "ZohoCalls", "connection", "calls")], 8),
      graph("Zoho 429s (per connection)", [each(SERVICE.worker, "ZohoThrottled", "connection", "429")], 8),
      graph(
        "Zoho credits remaining (per connection, minimum)",
        [each(SERVICE.worker, "ZohoCreditsRemaining", "connection", "credits", "Minimum")],
        8,
      ),
    );
    dashboard.addWidgets(
      graph("Token refreshes (per connection)", [
        each(SERVICE.refresher, "TokenRefreshed", "connection", "refreshed"),
        each(SERVICE.refresher, "RefreshFailed", "connection", "failed"),
        each(SERVICE.refresher, "RefreshThrottled", "connection", "throttled"),
        each(SERVICE.refresher, "ConnectionBroken", "connection", "broken"),
      ]),
      graph("Functions: errors and throttles", [
        worker.metricErrors({ period: FIVE_MINUTES, label: "worker errors" }),
        worker.metricThrottles({ period: FIVE_MINUTES, label: "worker throttles" }),
        zoho.refresher.metricErrors({ period: FIVE_MINUTES, label: "refresher errors" }),
        api.metricServerError({ period: FIVE_MINUTES, statistic: "Sum", label: "API 5xx" }),
      ]),
    );
    dashboard.addWidgets(
      new SingleValueWidget({
        title: "Now",
        metrics: [
          work.queue.metricApproximateNumberOfMessagesVisible({ label: "queued" }),
          work.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: "dead letters" }),
        ],
        width: 24,
        height: 3,
      }),
    );
    return dashboard;
  }

  /**
   * Every alarm in `scope` notifies the topic (in alarm and back to OK) and is named `<alarmPrefix><short id>` (its
   * construct path in the stack), so `status` finds a stage's alarms by prefix. Call after every alarm exists.
   */
  notifyOnEveryAlarm(scope: Construct): void {
    const action = new SnsAction(this.topic);
    const stack = Stack.of(scope);
    for (const node of scope.node.findAll()) {
      if (node instanceof Alarm) {
        node.addAlarmAction(action);
        node.addOkAction(action);
        (node.node.defaultChild as CfnAlarm).alarmName = this.alarmName(stack, node);
      }
    }
  }

  private alarmName(stack: Stack, alarm: Alarm): string {
    const relative = alarm.node.scopes.slice(stack.node.scopes.length).map((s) => s.node.id);
    const short = relative
      .map((id) => id.replace(/Alarm(?=$|-)/, ""))
      .filter((id) => id.length > 0)
      .join("-");
    return `${this.names.alarmPrefix}${short}`.slice(0, 255);
  }
}
