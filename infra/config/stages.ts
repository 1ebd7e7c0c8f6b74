/**
 * Typed per-stage settings. Only `infra/app.ts` reads the environment; constructs get values through props.
 */

import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as z from "zod";
import { IngestEnvSchema } from "../../shared/config/ingest-env.js";
import { NotificationChannelsEnvSchema } from "../../shared/config/notification-channels-env.js";
import { RefresherEnvSchema } from "../../shared/config/refresher-env.js";
import { STAGE_NAME } from "../../shared/config/resource-names.js";
import { DEFAULT_MODEL } from "../../shared/config/worker-env.js";
import { DEFAULT_MAX_RECEIVE_COUNT } from "../../shared/domain/queue-limits.js";
import { workerBatchProblems } from "./worker-limits.js";

/** The settings a stage may give each function as environment; the rest the stack derives (names, URLs, lists). */
export const INGEST_SETTINGS = [
  "WEBHOOK_SECRET_TTL_SECONDS",
  "INGEST_CALLER_BURST",
  "INGEST_CALLER_PER_SECOND",
  "INGEST_RECORD_BURST",
  "INGEST_RECORD_PER_MINUTE",
] as const;
export const REFRESHER_SETTINGS = ["REFRESH_AHEAD_SECONDS", "REFRESH_GUARD_MAX"] as const;
export const NOTIFICATION_SETTINGS = [
  "NOTIFICATION_TOKEN_PROPAGATION_SECONDS",
  "NOTIFICATION_CHANNEL_SEED",
] as const;
/** Worker variables the stack sets from a typed config key, so `workerSettings` refuses them (one place each). */
export const WORKER_TYPED_SETTINGS: Readonly<Record<string, string>> = {
  MODEL: "model",
  MAX_RECEIVE_COUNT: "maxReceiveCount",
  MODEL_PRICES: "prices",
  LEDGER_RETENTION_DAYS: "ledger.retentionDays",
  ZOHO_HTTP_TIMEOUT_MS: "zohoHttpTimeoutMs",
  MODEL_TIMEOUT_MS: "worker.modelTimeoutSeconds",
  MODEL_CONCURRENCY: "worker.modelConcurrency",
  WAVE_SIZE: "worker.waveSize",
  ZOHO_CONCURRENCY: "worker.zohoConcurrency",
  LEASE_SECONDS: "worker.timeoutSeconds (the lease is the timeout + 60 s)",
};

/**
 * A function's settings as strings (its environment), each one the function reads and with a value its own env
 * schema accepts, so a typo fails `cdk synth`, not the first event.
 */
function settingsOf(schema: z.ZodObject, keys: readonly string[]) {
  return z
    .record(z.string(), z.string())
    .default({})
    .superRefine((settings, ctx) => {
      for (const [key, value] of Object.entries(settings)) {
        const setting = keys.includes(key) ? (schema.shape as Record<string, z.ZodType>)[key] : undefined;
        if (!setting)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `not a setting here (one of ${keys.join(", ")})`,
          });
        else if (!setting.safeParse(value).success)
          ctx.addIssue({ code: "custom", path: [key], message: "invalid value" });
      }
    });
}

export const StageSchema = z.strictObject({
  /** Stage name, used in the stack name: `ZohoGptMediator-<stage>`. */
  name: z
    .string()
    .regex(
      STAGE_NAME,
      "a stage name is lower-case letters, digits and dashes, starting with a letter (at most 21)",
    ),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  region: z.string().default("us-east-1"),
  /** Log retention for every function, in days. */
  logRetentionDays: z
    .number()
    .refine(
      (d): d is RetentionDays => Object.values(RetentionDays).includes(d),
      "not a CloudWatch Logs retention value",
    )
    .default(RetentionDays.ONE_MONTH),
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: z.number().int().min(DEFAULT_MAX_RECEIVE_COUNT).default(DEFAULT_MAX_RECEIVE_COUNT),
  /** Zoho connection names; each gets a secret that the auth command fills. */
  connections: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/))
    .min(1)
    .default(["default"]),
  /** Token refresher schedule, in minutes; tokens live 60. */
  refreshScheduleMinutes: z.number().int().min(1).max(30).default(10),
  /**
   * Loop guard for ingestion: CRM user(s) the mediator writes as, CRM fields it writes, Desk agent(s) it acts as.
   * `crmFields` defaults to the fields the deployed use cases write (`mediatorWrittenCrmFields`, derived by the
   * stack from its use cases); set it where a field map or `AUDIT_FIELD` move them.
   */
  loopGuard: z
    .strictObject({
      crmUsers: z.array(z.string()).default([]),
      crmFields: z.array(z.string()).optional(),
      deskActors: z.array(z.string()).default([]),
    })
    .default({ crmUsers: [], deskActors: [] }),
  /** The model the worker asks (per-use-case overrides via MODEL_OVERRIDES). */
  model: z.string().default(DEFAULT_MODEL),
  /**
   * The worker's event source and its bounds (infra/config/worker-limits.ts); synth refuses settings that break one.
   * The defaults, for the smallest paid Zoho edition (Standard, concurrency 10):
   * - Zoho: 4 invocations x 2 Zoho calls = 8 at once = 10 - 2 (the tool endpoint and the refresher keep 2). 4 x 2
   *   rather than 8 x 1: the same Zoho bound, and a unit's reads and write still overlap inside an invocation.
   * - Model: 4 invocations x 5 model calls = 20 in parallel, well within an OpenAI tier's rate limits.
   * - Batch 20 with a 2 s window: a bulk run fills a batch at once (its reads coalesce into one `ids=` call per
   *   module), a trickle waits at most 2 s. More than 10 records needs a window of at least 1 s (Lambda's rule).
   * - Timeout: ceil(20 / 5) x 2 (a call and its one repair) x 30 s model timeout + 30 s margin = 270 s; 300 s gives
   *   headroom. The queue's visibility is 6 x 300 s = 30 min; the claim lease is 300 + 60 = 360 s.
   */
  worker: z
    .strictObject({
      /** SQS records per invocation (Lambda: 1-10,000 for a standard queue; above 10 a window of 1 s or more). */
      batchSize: z.number().int().min(1).max(10_000).default(20),
      /** How long the event source gathers records before invoking (MaximumBatchingWindowInSeconds, 0-300). */
      batchingWindowSeconds: z.number().int().min(0).max(300).default(2),
      /** Parallel worker invocations (the event source's maximum concurrency, 2-1000). */
      maxConcurrency: z.number().int().min(2).max(1000).default(4),
      /** Model calls at once per invocation (MODEL_CONCURRENCY): x maxConcurrency = parallel model calls. */
      modelConcurrency: z.number().int().min(1).max(64).default(5),
      /** Units per wave of a batch (WAVE_SIZE). @default max(25, 5 x modelConcurrency) */
      waveSize: z.number().int().min(1).max(10_000).optional(),
      /** Zoho calls at once per invocation (ZOHO_CONCURRENCY): x maxConcurrency must fit zohoConcurrencyLimit - 2. */
      zohoConcurrency: z.number().int().min(1).max(25).default(2),
      /** The worker function's timeout: at least what a full batch can take (see worker-limits.ts). */
      timeoutSeconds: z.number().int().min(15).max(900).default(300),
      /** Each model call's timeout (MODEL_TIMEOUT_MS); a batch makes several calls one after another. */
      modelTimeoutSeconds: z.number().int().min(5).max(300).default(30),
      /** The org's Zoho API concurrency (per client, by edition: Free 5, Standard 10, Professional 15, ...). */
      zohoConcurrencyLimit: z.number().int().min(5).max(1000).default(10),
    })
    .superRefine((worker, ctx) => {
      for (const message of workerBatchProblems(worker)) ctx.addIssue({ code: "custom", message });
    })
    .default({
      batchSize: 20,
      batchingWindowSeconds: 2,
      maxConcurrency: 4,
      modelConcurrency: 5,
      zohoConcurrency: 2,
      timeoutSeconds: 300,
      modelTimeoutSeconds: 30,
      zohoConcurrencyLimit: 10,
    }),
  /**
   * Use cases defined by configuration (JSON or YAML files, paths from the repository root, e.g.
   * `config/use-cases/examples/creator-service-triage.yaml`): read and checked at synth, bundled into the ingest and
   * the worker. `-c useCaseFiles='["config/use-cases/deal-risk.yaml"]'`.
   */
  useCaseFiles: z.array(z.string().min(1)).default([]),
  /**
   * More worker settings, as the worker's environment (shared/config/worker-env.ts), e.g. `DESK_FROM_ADDRESS`,
   * `LEAD_FIELD_MAP`, `TOKEN_BUDGET_PER_DAY`: `-c workerSettings='{"DESK_FROM_ADDRESS":"support@acme.com"}'`. Checked at
   * synth against the worker's own schema, so a typo fails `cdk synth`, not the first event.
   */
  workerSettings: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((settings, ctx) => {
      for (const key of Object.keys(settings)) {
        const typed = WORKER_TYPED_SETTINGS[key];
        if (typed) ctx.addIssue({ code: "custom", path: [key], message: `set ${typed} instead of ${key}` });
      }
    }),
  /**
   * Zoho CRM Notification API channels the product subscribes and renews (one per module per connection): an
   * alternative to a workflow-rule webhook, so off unless events are given (`-c notificationEvents=Leads.create,
   * Leads.edit`); with both, every lead would be enriched twice.
   */
  notifications: z
    .strictObject({
      events: z.array(z.string()).default([]),
      scheduleMinutes: z.number().int().min(5).default(60),
      channelTtlMinutes: z.number().int().min(30).default(720),
      renewMarginMinutes: z.number().int().min(10).default(180),
      /** More channel-manager settings: NOTIFICATION_TOKEN_PROPAGATION_SECONDS, NOTIFICATION_CHANNEL_SEED. */
      settings: settingsOf(NotificationChannelsEnvSchema, NOTIFICATION_SETTINGS),
    })
    .default({
      events: [],
      scheduleMinutes: 60,
      channelTtlMinutes: 720,
      renewMarginMinutes: 180,
      settings: {},
    }),
  /**
   * The mediated inbound path (MCP tools and GPT Actions, `infra/constructs/tools-endpoint.ts`): its own function on
   * the same HTTP API, with its own concurrency bound, the agents' table and alarms. `-c tools=off` leaves all of it
   * out; `-c tools='{"reservedConcurrency":10,"settings":{"TOOLS_PUBLIC_URL":"https://api.acme.example"}}'` tunes it.
   */
  tools: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Reserved concurrency of the tool function: the bound on parallel agent calls (so on their Zoho calls). */
      reservedConcurrency: z.number().int().min(1).max(1000).default(5),
      /** Refused keys and scopes (ToolAuthFailed + ToolForbidden) in 5 minutes that raise the alarm. */
      authFailureAlarmThreshold: z.number().int().min(1).default(20),
      /**
       * More tool settings, as the tool function's environment (shared/config/tools-env.ts), e.g. `TOOLS_PUBLIC_URL`
       * (a custom domain for openapi.json's server), `TOOLS_MAX_PAGE_SIZE`, `DESK_FROM_ADDRESS`. Checked at synth
       * against the function's own schema, so a typo fails `cdk synth`.
       */
      settings: z.record(z.string(), z.string()).default({}),
    })
    .default({ enabled: true, reservedConcurrency: 5, authFailureAlarmThreshold: 20, settings: {} }),
  /** HTTP API stage throttling. */
  throttle: z
    .strictObject({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })
    .default({ rateLimit: 50, burstLimit: 100 }),
  /** Who hears the alarms: every alarm notifies the stage's SNS topic, which mails this address when set. */
  alarms: z.strictObject({ email: z.email().optional() }).default({}),
  /** Usage and cost history (the `usage` command): a daily row per use case is kept this long. */
  ledger: z
    .strictObject({ retentionDays: z.number().int().min(3).max(3650).default(400) })
    .default({ retentionDays: 400 }),
  /**
   * Model prices over the dated default table, as the worker's MODEL_PRICES: micro-dollars per million tokens,
   * `{"gpt-4o": {"prompt": 2500000, "completion": 10000000}}`.
   */
  prices: z
    .record(
      z.string().min(1),
      z.strictObject({
        prompt: z.number().min(0),
        completion: z.number().min(0),
        cachedPrompt: z.number().min(0).optional(),
      }),
    )
    .default({}),
  /** Timeout of each Zoho call (Accounts and APIs), in every function that calls Zoho. */
  zohoHttpTimeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
  /** Ingest settings (shared/config/ingest-env.ts): WEBHOOK_SECRET_TTL_SECONDS and the INGEST_* rate limits. */
  ingestSettings: settingsOf(IngestEnvSchema, INGEST_SETTINGS),
  /** Token refresher settings (shared/config/refresher-env.ts): REFRESH_AHEAD_SECONDS, REFRESH_GUARD_MAX. */
  refresherSettings: settingsOf(RefresherEnvSchema, REFRESHER_SETTINGS),
});
export type Stage = z.infer<typeof StageSchema>;
