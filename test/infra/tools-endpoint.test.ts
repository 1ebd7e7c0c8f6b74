/** The tool endpoint's template: its routes, function, table, grants, alarms and outputs, and nothing when off. */
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadStage } from "../../infra/config/deploy-config.js";
import { type Stage, StageSchema } from "../../infra/config/stages.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { agentTableName } from "../../shared/domain/api-key.js";
import { TOOL_METRICS } from "../../shared/tools/deps.js";

const synth = (stage: Stage): Template => {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  return Template.fromStack(new MediatorStack(app, "Test", { stage, env: { region: "us-east-1" } }));
};
type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The tool function: the one whose environment names the agents' table. */
const toolsFunction = (template: Template): [string, Resource] => {
  const found = Object.entries(template.findResources("AWS::Lambda::Function")).filter(
    ([, f]) => (f as Resource).Properties.Environment !== undefined && envOf(f as Resource).TOOLS_TABLE,
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};
const envOf = (f: Resource) => (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const routeKeys = (template: Template) =>
  Object.values(template.findResources("AWS::ApiGatewayV2::Route")).map(
    (r) => (r as Resource).Properties.RouteKey as string,
  );
/** The statements of the IAM policies attached to the tool function's role. */
const statementsOf = (template: Template): Statement[] => {
  const [fnId, fn] = toolsFunction(template);
  const roleRef = JSON.stringify(fn.Properties.Role);
  const roleId = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  expect(roleRef).toContain(roleId);
  const policies = Object.values(template.findResources("AWS::IAM::Policy")).filter((p) =>
    JSON.stringify((p as Resource).Properties.Roles).includes(roleId),
  );
  expect(policies.length, `policies of ${fnId}`).toBeGreaterThan(0);
  return policies.flatMap(
    (p) => ((p as Resource).Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
};
const actionsOf = (st: Statement) => (Array.isArray(st.Action) ? st.Action : [st.Action]);

describe("ToolsEndpoint", () => {
  const stage = StageSchema.parse({ name: "test" });
  const template = synth(stage);

  it("routes POST, GET and DELETE /v1/mcp, POST /v1/tools/{tool} and GET /v1/openapi.json to the tool function", () => {
    const [fnId] = toolsFunction(template);
    const expected = [
      "POST /v1/mcp",
      "GET /v1/mcp",
      "DELETE /v1/mcp",
      "POST /v1/tools/{tool}",
      "GET /v1/openapi.json",
    ];

    expect(routeKeys(template).filter((k) => !k.includes("/v1/hooks/") && k !== "GET /v1/health")).toEqual(
      expect.arrayContaining(expected),
    );
    expect(routeKeys(template).filter((k) => /\/v1\/(mcp|tools|openapi)/.test(k))).toHaveLength(5);
    // Every tool route's integration invokes the tool function, on the same HTTP API as the hooks.
    const integrations = Object.values(template.findResources("AWS::ApiGatewayV2::Integration")).filter((i) =>
      JSON.stringify((i as Resource).Properties.IntegrationUri).includes(fnId),
    );
    expect(integrations).toHaveLength(1);
    const apis = Object.keys(template.findResources("AWS::ApiGatewayV2::Api"));
    expect(apis).toHaveLength(1);
  });

  it("bounds the tool function with its own reserved concurrency and a 30 s timeout, with names (no secrets) in its environment", () => {
    const [, fn] = toolsFunction(template);

    expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(fn.Properties.Timeout).toBe(30);
    const env = envOf(fn);
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: "tools",
      STAGE: "test",
      ZOHO_CONNECTION_SECRETS: "zoho-gpt-mediator/test/zoho/default",
    });
    expect(JSON.stringify(env.TOOLS_TABLE)).toContain("ToolsAgents");
    expect(JSON.stringify(env.JOBS_TABLE)).toContain("WorkerJobs");
    expect(JSON.stringify(env.REFRESHER_FUNCTION_NAME)).toContain("ZohoRefresher");
    // openapi.json's server is the API's own https URL (unless a setting names a custom domain).
    const [apiId] = Object.keys(template.findResources("AWS::ApiGatewayV2::Api"));
    expect(env.TOOLS_PUBLIC_URL).toEqual({ "Fn::GetAtt": [apiId, "ApiEndpoint"] });
  });

  it("keeps the agents' table under its stage name, with TTL, point-in-time recovery, on demand, kept on deletion", () => {
    template.hasResource("AWS::DynamoDB::GlobalTable", {
      Properties: Match.objectLike({
        TableName: agentTableName("test"),
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("grants least privilege: single items of its table, GetItem on the job table, read the connection, invoke the refresher", () => {
    const statements = statementsOf(template);
    const dynamo = statements.filter((st) => actionsOf(st).some((a) => a.startsWith("dynamodb:")));

    for (const st of statements) {
      expect(st.Effect).toBe("Allow");
      for (const a of actionsOf(st)) expect(a.endsWith("*"), a).toBe(false);
    }
    const onTable = (logicalPrefix: string) =>
      dynamo
        .filter((st) => JSON.stringify(st.Resource).includes(logicalPrefix))
        .flatMap(actionsOf)
        .sort();
    expect(onTable("ToolsAgents")).toEqual(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(onTable("WorkerJobs")).toEqual(["dynamodb:GetItem"]);
    // No DynamoDB statement on `*`, and none on any other table (the ledger, the ingest's rate counters).
    for (const st of dynamo) {
      expect(JSON.stringify(st.Resource)).not.toBe('"*"');
      expect(JSON.stringify(st.Resource)).toMatch(/ToolsAgents|WorkerJobs/);
      expect(JSON.stringify(st.Resource)).not.toMatch(/WorkerLedger|HooksRateLimits/);
    }
    const all = statements.flatMap(actionsOf);
    expect(all).toContain("secretsmanager:GetSecretValue");
    expect(all).toContain("lambda:InvokeFunction");
    expect(all).not.toContain("secretsmanager:PutSecretValue");
    expect(all.filter((a) => a.startsWith("sqs:"))).toEqual([]);
    const secretStatements = statements.filter((st) =>
      actionsOf(st).includes("secretsmanager:GetSecretValue"),
    );
    for (const st of secretStatements) expect(JSON.stringify(st.Resource)).toContain("ZohoConnection");
  });

  it("alarms on refused keys plus refused scopes past the stage threshold, and on any exhausted write budget", () => {
    const metricOf = (name: string) => ({
      MetricStat: {
        Metric: {
          Namespace: METRICS_NAMESPACE,
          MetricName: name,
          Dimensions: [{ Name: "service", Value: "tools" }],
        },
        Period: 300,
        Stat: "Sum",
      },
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 20,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "FILL(authFailed, 0) + FILL(forbidden, 0)" }),
        Match.objectLike({ Id: "authFailed", ...metricOf(TOOL_METRICS.authFailed) }),
        Match.objectLike({ Id: "forbidden", ...metricOf(TOOL_METRICS.forbidden) }),
      ]),
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: METRICS_NAMESPACE,
      MetricName: TOOL_METRICS.budgetExhausted,
      Dimensions: [{ Name: "service", Value: "tools" }],
      Period: 300,
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });

  it("outputs the MCP URL, the OpenAPI URL and the agents' table name", () => {
    const outputs = template.findOutputs("*");

    expect(JSON.stringify(outputs.McpUrl?.Value)).toContain("/v1/mcp");
    expect(JSON.stringify(outputs.OpenApiUrl?.Value)).toContain("/v1/openapi.json");
    expect(JSON.stringify(outputs.AgentTableName?.Value)).toContain("ToolsAgents");
  });

  it("takes the stage's concurrency, alarm threshold and settings, and the worker's Desk from-address", () => {
    const tuned = synth(
      loadStage(
        {
          stage: "tuned",
          workerSettings: { DESK_FROM_ADDRESS: "support@acme.example" },
          tools:
            '{"reservedConcurrency":9,"authFailureAlarmThreshold":50,"settings":{"TOOLS_MAX_PAGE_SIZE":"20","TOOLS_PUBLIC_URL":"https://agents.acme.example"}}',
        },
        {},
      ),
    );
    const [, fn] = toolsFunction(tuned);

    expect(fn.Properties.ReservedConcurrentExecutions).toBe(9);
    expect(envOf(fn)).toMatchObject({
      TOOLS_MAX_PAGE_SIZE: "20",
      TOOLS_PUBLIC_URL: "https://agents.acme.example",
      DESK_FROM_ADDRESS: "support@acme.example",
    });
    tuned.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 50,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "FILL(authFailed, 0) + FILL(forbidden, 0)" }),
      ]),
    });
  });

  it("fails synth on an unknown or invalid tools setting, one that would move what the stack wired, or bad context", () => {
    const withSettings = (settings: Record<string, string>) => () =>
      synth(StageSchema.parse({ name: "bad", tools: { settings } }));

    expect(withSettings({ TOOLS_MAX_PAGE_SIZ: "20" })).toThrow(/TOOLS_MAX_PAGE_SIZ is not a tools setting/);
    expect(withSettings({ TOOLS_MAX_PAGE_SIZE: "many" })).toThrow(/TOOLS_MAX_PAGE_SIZE is invalid/);
    expect(withSettings({ TOOLS_TABLE: "elsewhere" })).toThrow(/TOOLS_TABLE is set by the stack/);
    expect(() => loadStage({ tools: "of" }, {})).toThrow(/-c tools must be on, off or a JSON object/);
    expect(() => loadStage({ tools: '{"reservedConcurrency":0}' }, {})).toThrow();
  });

  it("leaves all of it out when the stage turns tools off", () => {
    const off = synth(loadStage({ stage: "off", tools: "off" }, {}));

    expect(
      Object.values(off.findResources("AWS::Lambda::Function")).filter(
        (f) => envOf(f as Resource).TOOLS_TABLE !== undefined,
      ),
    ).toEqual([]);
    expect(routeKeys(off).filter((k) => /\/v1\/(mcp|tools|openapi)/.test(k))).toEqual([]);
    expect(
      Object.values(off.findResources("AWS::DynamoDB::GlobalTable")).filter(
        (t) => (t as Resource).Properties.TableName === agentTableName("off"),
      ),
    ).toEqual([]);
    const alarmMetrics = JSON.stringify(off.findResources("AWS::CloudWatch::Alarm"));
    for (const name of Object.values(TOOL_METRICS)) expect(alarmMetrics).not.toContain(`"${name}"`);
    const outputs = Object.keys(off.findOutputs("*"));
    expect(outputs).not.toContain("McpUrl");
    expect(outputs).not.toContain("OpenApiUrl");
    expect(outputs).not.toContain("AgentTableName");
    // The rest of the stack is still there.
    expect(routeKeys(off)).toContain("GET /v1/health");
  });
});
