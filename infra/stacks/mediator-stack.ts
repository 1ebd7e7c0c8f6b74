import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { Construct } from "constructs";
import type { Stage } from "../config/stages.js";
import { NodeFunction } from "../constructs/node-function.js";
import { WorkQueue } from "../constructs/work-queue.js";
import { ZohoConnections } from "../constructs/zoho-connections.js";

export interface MediatorStackProps extends StackProps {
  stage: Stage;
}

/** Composes the mediator from constructs; business values come from the stage, never inline. */
export class MediatorStack extends Stack {
  readonly api: HttpApi;
  readonly work: WorkQueue;
  readonly zoho: ZohoConnections;

  constructor(scope: Construct, id: string, props: MediatorStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const timeout = Duration.seconds(stage.functionTimeoutSeconds);

    this.zoho = new ZohoConnections(this, "Zoho", {
      stage: stage.name,
      connections: stage.connections,
      schedule: Duration.minutes(stage.refreshScheduleMinutes),
      logRetention: stage.logRetentionDays,
    });

    this.work = new WorkQueue(this, "Work", {
      consumerTimeout: timeout,
      maxReceiveCount: stage.maxReceiveCount,
    });

    this.api = new HttpApi(this, "Api", {
      description: "Zoho triggers in; answers in milliseconds, work goes to SQS.",
      createDefaultStage: false,
    });
    // Stage throttling protects the queue and the account's Lambda concurrency from a webhook storm.
    this.api.addStage("DefaultStage", { stageName: "$default", autoDeploy: true, throttle: stage.throttle });

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

    new CfnOutput(this, "ApiUrl", { value: this.api.apiEndpoint });
    new CfnOutput(this, "WorkQueueUrl", { value: this.work.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.work.deadLetterQueue.queueUrl });
  }
}
