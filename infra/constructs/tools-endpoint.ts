import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { type HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  type Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, Billing, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type * as z from "zod";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { ToolsEnvSchema } from "../../shared/config/tools-env.js";
import { agentTableName } from "../../shared/domain/api-key.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import { TOOL_METRICS } from "../../shared/tools/deps.js";
import { TOOL_ROUTES } from "../config/tool-routes.js";
import { FUNCTION_MEMORY_MB } from "./function-memory.js";
import { NodeFunction } from "./node-function.js";
import type { ZohoConnections } from "./zoho-connections.js";

/** The tool function's service name: its logs' `service` and the `service` dimension of the metrics it counts. */
export const TOOLS_SERVICE = "tools";

/** Environment variables the construct sets itself (names of what it created): a stage setting cannot move them. */
const WIRED = [
  "STAGE",
  "TOOLS_TABLE",
  "JOBS_TABLE",
  "ZOHO_CONNECTION_SECRETS",
  "REFRESHER_FUNCTION_NAME",
  "SERVICE_VERSION",
] as const;

export interface ToolsEndpointProps {
  stage: string;
  /** The HTTP API the Zoho triggers use: the tool routes go on it, under its stage throttling and access logs. */
  api: HttpApi;
  zoho: ZohoConnections;
  /** Connection names a key may be bound to. */
  connections: string[];
  /** The worker's job table, read by `mediator_job_status` (`JobStore.statusOf`). */
  jobs: TableV2;
  /** The tool function's reserved concurrency: its own bound, apart from the worker's. @default 5 */
  reservedConcurrency?: number;
  /** Refused keys plus refused scopes in 5 minutes that raise the alarm. @default 20 */
  authFailureAlarmThreshold?: number;
  /**
   * More settings of the tool function (shared/config/tools-env.ts), e.g. `TOOLS_MAX_PAGE_SIZE`, `DESK_FROM_ADDRESS`,
   * `TOOLS_PUBLIC_URL`; checked at synth against the function's own schema.
   */
  settings?: Record<string, string>;
  /** `SERVICE_VERSION` (openapi.json's `info.version`, the MCP server's version). */
  version: string;
  /** Timeout of each Zoho call (ZOHO_HTTP_TIMEOUT_MS). @default 10_000 */
  zohoHttpTimeoutMs?: number;
  logRetention?: RetentionDays;
}

/**
 * The mediated inbound path's endpoint: agents (MCP clients, GPT Actions) call the mediator's tools; the mediator
 * holds the Zoho credentials. Its own function (own concurrency bound, so an agent's burst cannot starve the
 * worker), the agents' table (API keys, rate and budget counters, proposals, the call audit; kept on stack
 * deletion), the routes on the shared HTTP API, and alarms on refused-key spikes and exhausted write budgets.
 * The function may read and write single items of the agents' table, read single items of the job table, read the
 * connection secrets and ask the refresher for a refresh: nothing else.
 */
export class ToolsEndpoint extends Construct {
  readonly function: NodeFunction;
  readonly table: TableV2;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ToolsEndpointProps) {
    super(scope, id);
    const settings = props.settings ?? {};
    checkToolsSettings(settings);

    this.table = new TableV2(this, "Agents", {
      // A physical name: the `keys` and `proposals` commands find the table from the stage alone.
      tableName: agentTableName(props.stage),
      partitionKey: { name: "id", type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: "expiresAt",
      // API keys and the audit of what agents did are worth keeping, and restoring after a bad write.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const publicUrl = props.api.apiEndpoint;
    this.function = new NodeFunction(this, "Function", {
      entry: "functions/tools/handler.ts",
      serviceName: TOOLS_SERVICE,
      // A tool makes a few Zoho calls (each with its own timeout and retry budget); API Gateway gives up at 30 s.
      timeout: Duration.seconds(30),
      memorySize: FUNCTION_MEMORY_MB.tools,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 5,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      environment: {
        // openapi.json's server: the API's own https URL unless a setting names a custom domain.
        TOOLS_PUBLIC_URL: publicUrl,
        ...settings,
        STAGE: props.stage,
        TOOLS_TABLE: this.table.tableName,
        JOBS_TABLE: props.jobs.tableName,
        ZOHO_CONNECTION_SECRETS: props.connections.map((c) => connectionSecretName(props.stage, c)).join(","),
        REFRESHER_FUNCTION_NAME: props.zoho.refresher.functionName,
        SERVICE_VERSION: props.version,
        ZOHO_HTTP_TIMEOUT_MS: String(props.zohoHttpTimeoutMs ?? 10_000),
      },
    });
    // Single-item reads and conditional writes only: keys, counters (ADD), proposals, call records. Listing and
    // revoking keys and deciding proposals are the CLI's, with the operator's own credentials.
    this.table.grant(this.function, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem");
    // mediator_job_status reads a job's pointer and the job (two GetItems, no scan).
    props.jobs.grant(this.function, "dynamodb:GetItem");
    props.zoho.grantUse(this.function);

    const integration = new HttpLambdaIntegration("ToolsIntegration", this.function);
    for (const route of TOOL_ROUTES)
      props.api.addRoutes({
        path: route.path,
        methods: route.methods.map((m) => HttpMethod[m]),
        integration,
      });

    const metric = (name: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: TOOLS_SERVICE },
        statistic: "Sum",
        period: Duration.minutes(5),
      });
    const alarm = {
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    this.alarms.push(
      new MathExpression({
        // FILL: an interval with refused keys but no refused scopes (a key being guessed) still sums.
        expression: "FILL(authFailed, 0) + FILL(forbidden, 0)",
        usingMetrics: {
          authFailed: metric(TOOL_METRICS.authFailed),
          forbidden: metric(TOOL_METRICS.forbidden),
        },
        period: Duration.minutes(5),
        label: "Refused keys and scopes",
      }).createAlarm(this, "RefusedCallsAlarm", {
        alarmDescription:
          "Many tool calls were refused (unknown, revoked or malformed API keys, or scopes a key lacks): a misconfigured agent, or someone guessing keys. `npx zoho-gpt-mediator keys list` shows the keys; the tool function's logs name the key ids.",
        threshold: props.authFailureAlarmThreshold ?? 20,
        ...alarm,
      }),
      metric(TOOL_METRICS.budgetExhausted).createAlarm(this, "WriteBudgetExhaustedAlarm", {
        alarmDescription:
          "An agent's API key used up its daily write budget: its writes answer 429 until UTC midnight. Raise the budget (a new key) only if the writes were wanted.",
        threshold: 1,
        ...alarm,
      }),
      this.function.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, "ErrorsAlarm", {
        alarmDescription: "The tool function failed (not a tool error: the function itself).",
        threshold: 1,
        ...alarm,
      }),
      this.function.metricThrottles({ period: Duration.minutes(5) }).createAlarm(this, "ThrottlesAlarm", {
        alarmDescription:
          "Agent calls hit the tool function's reserved concurrency (the stage's tools.reservedConcurrency).",
        threshold: 1,
        ...alarm,
      }),
    );
  }
}

/** Every tool setting must be one the tool function reads, with a value it accepts, and not one the construct wires. */
function checkToolsSettings(settings: Record<string, string>): void {
  const shape = ToolsEnvSchema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(settings)) {
    if ((WIRED as readonly string[]).includes(key))
      throw new Error(`tools setting ${key} is set by the stack (it names what the stack created)`);
    const schema = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!schema)
      throw new Error(`tools setting ${key} is not a tools setting (see shared/config/tools-env.ts)`);
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new Error(`tools setting ${key} is invalid: ${parsed.error.issues[0]?.message}`);
  }
}
