import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { type HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { AttributeType, Billing, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { webhookSecretName } from "../../shared/domain/zoho-connection.js";
import type { UseCaseDefinition } from "../../shared/use-cases/defined/definition.js";
import { hookRoutes } from "../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import { definitionsDefine, WORKER_ONLY_MODULES } from "../config/bundling.js";
import { FUNCTION_MEMORY_MB } from "./function-memory.js";
import { NodeFunction } from "./node-function.js";

export interface WebhookEndpointProps {
  stage: string;
  api: HttpApi;
  /** Where units of work go. */
  queue: IQueue;
  /** Connection names triggers may name. */
  connections: string[];
  /**
   * The use cases served: each gets the routes of its triggers (`hookRoutes`, the list the ingest serves), so an
   * unknown use case is a 404 at API Gateway before any function runs.
   */
  useCases: readonly UseCaseDescriptor[];
  /** The use-case definitions among them, bundled into the function (`shared/use-cases/defined/bundled.ts`). */
  definitions?: readonly UseCaseDefinition[];
  /** Loop guard: CRM user(s) the mediator writes as, the CRM fields it writes, Desk agent(s) it acts as. @default none */
  loopGuard?: { crmUsers?: string[]; crmFields?: string[]; deskActors?: string[] };
  logRetention?: RetentionDays;
  /** More ingest settings (WEBHOOK_SECRET_TTL_SECONDS, INGEST_*), checked by the deploy config; they win over rateLimits. */
  settings?: Record<string, string>;
  /**
   * Rate limits at ingest, per function container: a caller's burst and sustained rate per second, a record's
   * burst and sustained rate per minute. @default the ingest's defaults (caller 3,000 then 50/s; record 10 then 10/min)
   */
  rateLimits?: {
    callerBurst?: number;
    callerPerSecond?: number;
    recordBurst?: number;
    recordPerMinute?: number;
  };
}

/** Only the limits a stage sets become variables; the function's defaults cover the rest. */
function rateLimitEnv(limits: WebhookEndpointProps["rateLimits"]): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, value: number | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set("INGEST_CALLER_BURST", limits?.callerBurst);
  set("INGEST_CALLER_PER_SECOND", limits?.callerPerSecond);
  set("INGEST_RECORD_BURST", limits?.recordBurst);
  set("INGEST_RECORD_PER_MINUTE", limits?.recordPerMinute);
  return env;
}

/**
 * The HTTP entry for Zoho triggers: the ingest function behind the API's hook routes, and the secret holding the
 * webhook token (generated at deploy; read it with `aws secretsmanager get-secret-value` to configure Zoho).
 * The function may send to the queue, read the webhook secret and write its rate counters, nothing else.
 */
export class WebhookEndpoint extends Construct {
  readonly function: NodeFunction;
  readonly secret: Secret;
  /** Counts a record's repeated triggers across the function's containers (short-lived items, TTL). */
  readonly rateTable: TableV2;

  constructor(scope: Construct, id: string, props: WebhookEndpointProps) {
    super(scope, id);
    this.rateTable = new TableV2(this, "RateLimits", {
      partitionKey: { name: "id", type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: "expiresAt",
      // Counters of the last minute or two: nothing worth keeping.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A physical name so operators and Zoho setup scripts can find it.
    const secretName = webhookSecretName(props.stage);
    this.secret = new Secret(this, "Secrets", {
      secretName,
      description:
        "Webhook token (Zoho CRM/Desk), optional previous token, HMAC keys and Notification API channel tokens",
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ previousToken: null, hmacKeys: [], notificationTokens: [] }),
        generateStringKey: "token",
        excludePunctuation: true,
        passwordLength: 48,
      },
    });

    this.function = new NodeFunction(this, "Ingest", {
      // The worker's heavy packages stay out of the ingest bundle (the ingest never runs a use case's work).
      bundling: {
        externalModules: ["@aws-sdk/*", ...WORKER_ONLY_MODULES],
        define: definitionsDefine(props.definitions ?? []),
      },
      entry: "functions/ingest/handler.ts",
      serviceName: "ingest",
      // Zoho gives webhooks 5-10 seconds; the ingest needs milliseconds.
      timeout: Duration.seconds(5),
      memorySize: FUNCTION_MEMORY_MB.ingest,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      environment: {
        WORK_QUEUE_URL: props.queue.queueUrl,
        WEBHOOK_SECRET_NAME: secretName,
        ZOHO_CONNECTIONS: props.connections.join(","),
        LOOP_GUARD_CRM_USERS: (props.loopGuard?.crmUsers ?? []).join(","),
        LOOP_GUARD_CRM_FIELDS: (props.loopGuard?.crmFields ?? []).join(","),
        LOOP_GUARD_DESK_ACTORS: (props.loopGuard?.deskActors ?? []).join(","),
        INGEST_RATE_TABLE: this.rateTable.tableName,
        ...rateLimitEnv(props.rateLimits),
        ...props.settings,
      },
    });
    props.queue.grantSendMessages(this.function);
    this.secret.grantRead(this.function);
    // One conditional ADD per call; nothing else (no reads, deletes or scans).
    this.rateTable.grant(this.function, "dynamodb:UpdateItem");

    const integration = new HttpLambdaIntegration("IngestIntegration", this.function);
    for (const route of hookRoutes(props.useCases))
      props.api.addRoutes({
        path: route.path,
        methods: route.methods.map((m) => HttpMethod[m]),
        integration,
      });
  }
}
