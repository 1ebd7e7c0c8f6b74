import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { StageSchema } from "../../infra/config/stages.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { stageResources } from "../../shared/config/resource-names.js";

const stage = StageSchema.parse({ name: "test" });

/** Synthesises the stack; bundling is skipped except where a test asks for it (0.4 s instead of 3 s). */
function synth(bundle = false): Template {
  const app = new App(bundle ? {} : { context: { "aws:cdk:bundling-stacks": [] } });
  return Template.fromStack(new MediatorStack(app, "Test", { stage, env: { region: "us-east-1" } }));
}

describe("MediatorStack", () => {
  const template = synth();

  // No X-Ray (issue 13: the Tracer's bundle cost; events are followed by correlation id, node-function.ts).
  it("runs every function on nodejs22.x, arm64, without X-Ray, with JSON logs and source maps", () => {
    template.allResourcesProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      TracingConfig: Match.absent(),
      LoggingConfig: Match.objectLike({ LogFormat: "JSON" }),
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: "--enable-source-maps" }) },
    });
  });

  it("gives every function a log group with retention", () => {
    template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    // One per function, plus the HTTP API's access logs.
    expect(Object.keys(template.findResources("AWS::Logs::LogGroup")).length).toBe(
      Object.keys(template.findResources("AWS::Lambda::Function")).length + 1,
    );
  });

  it("has a work queue whose dead-letter queue takes a message after 5 receives, with visibility 6x the consumer timeout", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: stage.worker.timeoutSeconds * 6,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
  });

  it("alarms when anything reaches the dead-letter queue", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });

  it("throttles the HTTP API stage and routes GET /v1/health", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "GET /v1/health" });
  });

  it("names queues and tables after the stage (the CLI finds them by name), and no function", () => {
    for (const resource of Object.values(template.findResources("AWS::Lambda::Function")))
      expect(resource.Properties?.FunctionName).toBeUndefined();
    const names = stageResources("test");
    const queues = Object.values(template.findResources("AWS::SQS::Queue")).map(
      (r) => r.Properties?.QueueName,
    );
    expect(queues.sort()).toEqual([names.deadLetterQueue, names.workQueue].sort());
    const tables = Object.values(template.findResources("AWS::DynamoDB::GlobalTable")).map(
      (r) => r.Properties?.TableName,
    );
    expect(tables).toEqual(expect.arrayContaining([names.jobsTable, names.ledgerTable, names.agentsTable]));
  });

  it("creates one named secret per Zoho connection, kept on stack deletion", () => {
    template.hasResource("AWS::SecretsManager::Secret", {
      Properties: { Name: "zoho-gpt-mediator/test/zoho/default" },
      DeletionPolicy: "Retain",
    });
  });

  it("runs the token refresher one at a time on a 10-minute schedule, without async retries", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          ZOHO_CONNECTION_SECRETS: "zoho-gpt-mediator/test/zoho/default",
          REFRESH_AHEAD_SECONDS: "1500",
        }),
      },
    });
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(10 minutes)" });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", { MaximumRetryAttempts: 0 });
  });

  it("lets only the refresher write the connection secret", () => {
    // Statements that may write a connection secret (the webhook secret has writers of its own).
    const writers = Object.entries(template.findResources("AWS::IAM::Policy")).filter(([, p]) =>
      ((p.Properties?.PolicyDocument?.Statement ?? []) as { Action: unknown; Resource: unknown }[]).some(
        (st) =>
          JSON.stringify(st.Action).includes("secretsmanager:PutSecretValue") &&
          JSON.stringify(st.Resource).includes("ZohoConnection"),
      ),
    );

    expect(writers.map(([id]) => id)).toEqual([expect.stringMatching(/^ZohoRefresher/)]);
  });

  it("alarms on broken connections, refresh failures, Zoho throttling and refresher errors", () => {
    for (const metric of ["ConnectionBroken", "RefreshFailed", "RefreshThrottled"]) {
      // The exact dimensions the refresh use case counts with (service and connection), or the alarm never fires.
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: METRICS_NAMESPACE,
        MetricName: metric,
        Dimensions: Match.arrayEquals([
          { Name: "connection", Value: "default" },
          { Name: "service", Value: "token-refresher" },
        ]),
        Threshold: 1,
      });
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Namespace: "AWS/Lambda",
    });
  });

  it("alarms when a use case is stopped because a required Zoho field is missing", () => {
    for (const useCase of ["lead-enrichment", "ticket-triage"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: METRICS_NAMESPACE,
        MetricName: "MappingIncomplete",
        Dimensions: Match.arrayWith([{ Name: "useCase", Value: useCase }]),
        Threshold: 1,
      });
    }
  });

  it("routes every Zoho trigger of the catalog's use cases to the ingest function, and nothing else", () => {
    const hooks = Object.values(template.findResources("AWS::ApiGatewayV2::Route"))
      .map((r) => r.Properties?.RouteKey as string)
      .filter((key) => key.includes("/v1/hooks/"));

    expect(hooks.sort()).toEqual(
      [
        "POST /v1/hooks/crm/lead-enrichment",
        "POST /v1/hooks/crm/notifications",
        "GET /v1/hooks/desk",
        "POST /v1/hooks/desk",
        "POST /v1/hooks/flow/call-transcript",
        "POST /v1/hooks/flow/document-extraction",
        "POST /v1/hooks/flow/email-triage",
        "POST /v1/hooks/flow/lead-enrichment",
      ].sort(),
    );
  });

  it("writes HTTP API access logs without query strings (Desk's token travels there)", () => {
    const stageResource = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"))[0];
    const format = stageResource?.Properties?.AccessLogSettings?.Format as string;

    expect(JSON.parse(format)).toMatchObject({
      requestId: "$context.requestId",
      status: "$context.status",
      path: "$context.path",
    });
    expect(format).not.toContain("querystring");
  });

  it("gives the ingest function only: send to the work queue, read the webhook secret, count rates", () => {
    const policies = Object.entries(template.findResources("AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("HooksIngest"),
    );
    const actions = policies.flatMap(([, p]) =>
      ((p.Properties?.PolicyDocument?.Statement ?? []) as { Action: string | string[] }[]).flatMap(
        (st) => st.Action,
      ),
    );

    expect(new Set(actions)).toEqual(
      new Set([
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "dynamodb:UpdateItem",
      ]),
    );
  });

  it("generates the webhook token at deploy and passes only names to the function", () => {
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      Name: "zoho-gpt-mediator/test/webhooks",
      GenerateSecretString: Match.objectLike({ GenerateStringKey: "token", ExcludePunctuation: true }),
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 5,
      Environment: {
        Variables: Match.objectLike({
          WEBHOOK_SECRET_NAME: "zoho-gpt-mediator/test/webhooks",
          ZOHO_CONNECTIONS: "default",
        }),
      },
    });
  });

  it("feeds the worker from the work queue with partial batch responses and a hard concurrency bound", () => {
    // The stage's defaults (stages.ts): batches of 20 gathered for up to 2 s, 4 invocations at once.
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 20,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
  });

  it("keeps the queue's visibility at least 6 times the worker's timeout", () => {
    const worker = Object.values(template.findResources("AWS::Lambda::Function")).find(
      (f) => f.Properties?.Environment?.Variables?.JOBS_TABLE,
    );
    const queue = Object.values(template.findResources("AWS::SQS::Queue")).find(
      (q) => q.Properties?.RedrivePolicy,
    );

    expect(queue?.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (worker?.Properties?.Timeout as number),
    );
    // Issue 14: a batch makes several model calls one after another, so each has its own timeout (no longer the
    // function's less 10 s) and the function's covers a full batch; the claim lease outlives the function.
    expect(worker?.Properties?.Timeout).toBe(stage.worker.timeoutSeconds);
    expect(worker?.Properties?.Environment?.Variables).toMatchObject({
      MODEL_TIMEOUT_MS: String(stage.worker.modelTimeoutSeconds * 1000),
      LEASE_SECONDS: String(stage.worker.timeoutSeconds + 60),
    });
  });

  it("gives the worker DynamoDB tables with TTL for idempotency and the budget ledger (and the ingest its rate counters, the tools their agents' table)", () => {
    const tables = Object.values(template.findResources("AWS::DynamoDB::GlobalTable"));

    expect(tables).toHaveLength(4);
    for (const t of tables)
      expect(t.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
  });

  it("lets the worker read (not write) the Zoho connection, invoke the refresher, and send to both queues", () => {
    const policies = Object.entries(template.findResources("AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("WorkerFunction"),
    );
    const doc = JSON.stringify(policies.map(([, p]) => p.Properties?.PolicyDocument));

    expect(doc).toContain("secretsmanager:GetSecretValue");
    expect(doc).not.toContain("secretsmanager:PutSecretValue");
    expect(doc).toContain("lambda:InvokeFunction");
    expect(doc).toContain("sqs:SendMessage");
    expect(doc).toContain("sqs:ChangeMessageVisibility");
  });

  it("refuses a log retention CloudWatch does not offer", () => {
    expect(StageSchema.safeParse({ name: "x", logRetentionDays: 31 }).success).toBe(false);
  });

  it("bundles the functions for real with the local esbuild (no Docker)", () => {
    const bundled = synth(true);

    bundled.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp("\\.zip$") },
    });
  });
});
