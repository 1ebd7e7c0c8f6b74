import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { DEFAULT_MAX_RECEIVE_COUNT } from "../../shared/domain/queue-limits.js";

export interface WorkQueueProps {
  /** Physical queue names (the operator CLI finds them by name: shared/config/resource-names.ts). */
  names?: { queue: string; deadLetterQueue: string };
  /** Timeout of the function that consumes the queue; visibility is at least 6 times it (AWS guidance). */
  consumerTimeout: Duration;
  /** Receives before a message goes to the dead-letter queue. @default DEFAULT_MAX_RECEIVE_COUNT (5) */
  maxReceiveCount?: number;
  /** How long dead letters are kept for inspection and replay. @default 14 days */
  deadLetterRetention?: Duration;
}

/**
 * The queue that buffers GPT work, with its dead-letter queue and an alarm on dead-letter depth, so nothing
 * accepted is lost silently.
 */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    this.deadLetterQueue = new Queue(this, "DeadLetters", {
      ...(props.names ? { queueName: props.names.deadLetterQueue } : {}),
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, "Queue", {
      ...(props.names ? { queueName: props.names.queue } : {}),
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    this.deadLetterAlarm = new Alarm(this, "DeadLettersAlarm", {
      alarmDescription:
        "Messages reached the dead-letter queue: each one is an event that was not written to Zoho.",
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
