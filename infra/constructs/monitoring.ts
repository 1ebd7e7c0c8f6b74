/**
 * The stack's operations side: the SNS topic every alarm notifies (with an optional e-mail subscription), the alarms
 * no other construct owns, and the CloudWatch dashboard. Built last, so it sees every alarm in the stack.
 * (CONTRACTS-13: the monitoring package fills this in.)
 */
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
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
}

export class Monitoring extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, "Alarms", {
      topicName: props.names.alarmTopic,
      displayName: `zoho-gpt-mediator ${props.names.stage} alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  /** Every alarm in `scope` notifies the topic (in alarm and back to OK). Call after every alarm exists. */
  notifyOnEveryAlarm(scope: Construct): void {
    const action = new SnsAction(this.topic);
    for (const node of scope.node.findAll()) {
      if (node instanceof Alarm) {
        node.addAlarmAction(action);
        node.addOkAction(action);
      }
    }
  }
}
