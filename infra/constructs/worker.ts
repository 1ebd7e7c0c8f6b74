import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, Billing, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type * as z from "zod";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";
import { stageResources } from "../../shared/config/resource-names.js";
import { DEFAULT_MODEL, fieldMapFromSetting, WorkerEnvSchema } from "../../shared/config/worker-env.js";
import { DEFAULT_MAX_RECEIVE_COUNT } from "../../shared/domain/queue-limits.js";
import { defaultWaveSize } from "../../shared/domain/waves.js";
import { connectionSecretName, modelKeySecretName } from "../../shared/domain/zoho-connection.js";
import type { UseCaseDefinition } from "../../shared/use-cases/defined/definition.js";
import { mappedUseCases } from "../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import { definitionsDefine } from "../config/bundling.js";
import { workerBatchProblems } from "../config/worker-limits.js";
import { FUNCTION_MEMORY_MB } from "./function-memory.js";
import { NodeFunction } from "./node-function.js";
import type { ZohoConnections } from "./zoho-connections.js";

export interface WorkerProps {
  stage: string;
  queue: Queue;
  deadLetterQueue: Queue;
  zoho: ZohoConnections;
  connections: string[];
  /** The use cases deployed: each with a field mapping gets a MappingIncomplete alarm. */
  useCases: readonly UseCaseDescriptor[];
  /** The use-case definitions among them, bundled into the function (`shared/use-cases/defined/bundled.ts`). */
  definitions?: readonly UseCaseDefinition[];
  /**
   * The worker's timeout; the queue's visibility must be at least 6 times it. It must cover a full batch
   * (infra/config/worker-limits.ts): the construct refuses one that does not.
   */
  timeout: Duration;
  /** Hard bound on parallel worker invocations (the event source's maximum concurrency, at least 2). @default 4 */
  maxConcurrency?: number;
  /** SQS records per invocation (1-10,000; above 10 the batching window must be at least 1 s). @default 20 */
  batchSize?: number;
  /** How long the event source gathers records before invoking (0-300 s). @default 2 s */
  batchingWindow?: Duration;
  /** Model calls at once per invocation (MODEL_CONCURRENCY). @default 5 */
  modelConcurrency?: number;
  /** Units per wave of a batch (WAVE_SIZE). @default max(25, 5 x modelConcurrency) */
  waveSize?: number;
  /** Zoho calls at once per invocation (ZOHO_CONCURRENCY). @default 2 */
  zohoConcurrency?: number;
  /** Each model call's timeout (MODEL_TIMEOUT_MS). @default 30 s */
  modelTimeout?: Duration;
  /** The org's Zoho API concurrency, which maxConcurrency x zohoConcurrency must fit less 2. @default 10 */
  zohoConcurrencyLimit?: number;
  /** Receives before the worker dead-letters a failing unit itself (with the reason). @default DEFAULT_MAX_RECEIVE_COUNT (5) */
  maxReceiveCount?: number;
  /** Model name; any OpenAI-compatible server via `openAiBaseUrl`. @default gpt-4o-mini */
  model?: string;
  openAiBaseUrl?: string;
  /**
   * More worker settings: those of shared/config/worker-env.ts (e.g. TOKEN_BUDGET_PER_DAY, LEAD_FIELD_MAP), a
   * deployed use case's field map variable, or a setting a use case declares (e.g. TRANSCRIPT_TOKEN_BUDGET).
   */
  settings?: Record<string, string>;
  /** Timeout of each Zoho call (ZOHO_HTTP_TIMEOUT_MS). @default 10_000 */
  zohoHttpTimeoutMs?: number;
  /** Days the ledger keeps a use case's daily usage row (LEDGER_RETENTION_DAYS). @default 400 */
  ledgerRetentionDays?: number;
  /** Model prices over the default table, micro-dollars per million tokens (MODEL_PRICES). @default {} */
  prices?: Record<string, { prompt: number; completion: number }>;
  logRetention?: RetentionDays;
}

/**
 * The GPT worker on the work queue: partial batch responses, bounded concurrency, idempotency and budget tables
 * with TTL, and the model's API key in its own secret (set it once: `{"apiKey": "..."}`).
 */
export class Worker extends Construct {
  readonly function: NodeFunction;
  readonly jobs: TableV2;
  readonly ledger: TableV2;
  readonly modelSecret: Secret;
  /** One per use case with a field mapping: a required field is missing, so its events wait. */
  readonly mappingAlarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const names = stageResources(props.stage);
    // Physical names: the operator CLI finds a stage's tables from --stage alone (shared/config/resource-names.ts).
    const table = (tid: string, tableName: string, removalPolicy: RemovalPolicy) =>
      new TableV2(this, tid, {
        tableName,
        partitionKey: { name: "id", type: AttributeType.STRING },
        billing: Billing.onDemand(),
        timeToLiveAttribute: "expiresAt",
        // A bad write or a mistaken delete is undone by restoring to a point in time (last 35 days).
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy,
      });
    // Jobs only dedupe recent work; the ledger holds usage and cost records worth keeping.
    this.jobs = table("Jobs", names.jobsTable, RemovalPolicy.DESTROY);
    this.ledger = table("Ledger", names.ledgerTable, RemovalPolicy.RETAIN);
    this.modelSecret = new Secret(this, "ModelKey", {
      secretName: modelKeySecretName(props.stage),
      description:
        'The model API key as {"apiKey": "..."}; replace the generated placeholder after the first deploy',
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: { secretStringTemplate: "{}", generateStringKey: "placeholder" },
    });

    // A mistyped or invalid setting fails `cdk synth`, not the first event in production.
    checkWorkerSettings(props.settings ?? {}, props.useCases);
    const batch = {
      batchSize: props.batchSize ?? 20,
      batchingWindowSeconds: (props.batchingWindow ?? Duration.seconds(2)).toSeconds(),
      maxConcurrency: props.maxConcurrency ?? 4,
      modelConcurrency: props.modelConcurrency ?? 5,
      zohoConcurrency: props.zohoConcurrency ?? 2,
      timeoutSeconds: props.timeout.toSeconds(),
      modelTimeoutSeconds: (props.modelTimeout ?? Duration.seconds(30)).toSeconds(),
      zohoConcurrencyLimit: props.zohoConcurrencyLimit ?? 10,
    };
    // The stage schema says the same with config keys; this guards the construct used on its own.
    const problems = workerBatchProblems(batch);
    if (problems.length) throw new Error(`worker event source settings do not hold: ${problems.join("; ")}`);
    this.function = new NodeFunction(this, "Function", {
      entry: "functions/worker/handler.ts",
      bundling: { define: definitionsDefine(props.definitions ?? []) },
      serviceName: "worker",
      timeout: props.timeout,
      memorySize: FUNCTION_MEMORY_MB.worker,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      environment: {
        WORK_QUEUE_URL: props.queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        JOBS_TABLE: this.jobs.tableName,
        LEDGER_TABLE: this.ledger.tableName,
        ZOHO_CONNECTION_SECRETS: props.connections.map((c) => connectionSecretName(props.stage, c)).join(","),
        REFRESHER_FUNCTION_NAME: props.zoho.refresher.functionName,
        OPENAI_SECRET_NAME: modelKeySecretName(props.stage),
        MODEL: props.model ?? DEFAULT_MODEL,
        // A batch makes several model calls one after another: each has its own timeout, and the function's covers
        // them all (checked above).
        MODEL_TIMEOUT_MS: String(batch.modelTimeoutSeconds * 1000),
        MODEL_CONCURRENCY: String(batch.modelConcurrency),
        WAVE_SIZE: String(props.waveSize ?? defaultWaveSize(batch.modelConcurrency)),
        ZOHO_CONCURRENCY: String(batch.zohoConcurrency),
        // A claim outlives the invocation that holds it, so no other invocation takes over a unit still running.
        LEASE_SECONDS: String(batch.timeoutSeconds + 60),
        MAX_RECEIVE_COUNT: String(props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT),
        ZOHO_HTTP_TIMEOUT_MS: String(props.zohoHttpTimeoutMs ?? 10_000),
        LEDGER_RETENTION_DAYS: String(props.ledgerRetentionDays ?? 400),
        MODEL_PRICES: JSON.stringify(props.prices ?? {}),
        ...(props.openAiBaseUrl ? { OPENAI_BASE_URL: props.openAiBaseUrl } : {}),
        ...props.settings,
      },
    });
    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: batch.batchSize,
        maxBatchingWindow: Duration.seconds(batch.batchingWindowSeconds),
        // Partial batch responses: one unit's failure retries that record alone.
        reportBatchItemFailures: true,
        maxConcurrency: Math.max(2, batch.maxConcurrency),
      }),
    );
    this.jobs.grantReadWriteData(this.function);
    this.ledger.grantReadWriteData(this.function);
    this.modelSecret.grantRead(this.function);
    props.zoho.grantUse(this.function);
    // Deferrals go back on the work queue; units that failed for good go to the dead-letter queue with a reason.
    props.queue.grantSendMessages(this.function);
    props.deadLetterQueue.grantSendMessages(this.function);

    // A required target field the org lacks stops a use case for a connection; its events wait until it is fixed.
    // Only a use case with a required target can stop (MappingIncomplete): an alarm on any other could never fire.
    for (const useCase of Object.values(mappedUseCases(props.useCases))) {
      if (!useCase.mapping.targets.some((t) => t.required)) continue;
      this.mappingAlarms.push(
        new Alarm(this, `MappingIncomplete-${useCase.name}`, {
          alarmDescription: `${useCase.name} is stopped for a connection: a required Zoho field is missing, of the wrong type or read-only (the worker logs which). Its events wait. Run \`npx zoho-gpt-mediator doctor\` for the fix.`,
          metric: new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: "MappingIncomplete",
            dimensionsMap: { service: "worker", useCase: useCase.name },
            statistic: "Sum",
            period: Duration.minutes(5),
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}

/**
 * Every worker setting must be one the worker reads, with a value it accepts: a worker-env setting (its schema), a
 * use case's field map variable (checked against its targets), or a setting a use case declares (checked by
 * building that use case's work with it).
 */
function checkWorkerSettings(settings: Record<string, string>, useCases: readonly UseCaseDescriptor[]): void {
  for (const [key, value] of Object.entries(settings)) {
    const schema = (WorkerEnvSchema.shape as Record<string, z.ZodType>)[key];
    const owner = useCases.find((d) => d.mapping?.fieldMapSetting === key || d.settings?.includes(key));
    if (Object.hasOwn(WorkerEnvSchema.shape, key) && schema) {
      const parsed = schema.safeParse(value);
      if (!parsed.success)
        throw new Error(`worker setting ${key} is invalid: ${parsed.error.issues[0]?.message}`);
    } else if (owner) {
      try {
        if (owner.mapping?.fieldMapSetting === key) fieldMapFromSetting(owner, value);
        else owner.work?.({ fieldMap: {}, raw: settings });
      } catch (error) {
        throw new Error(`worker setting ${key} is invalid: ${(error as Error).message}`);
      }
    } else throw new Error(`worker setting ${key} is not a worker setting (see shared/config/worker-env.ts)`);
  }
}
