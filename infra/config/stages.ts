/**
 * Typed per-stage settings. Only `infra/app.ts` reads the environment; constructs get values through props.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as z from "zod";
import { IngestEnvSchema } from "../../shared/config/ingest-env.js";
import { NotificationChannelsEnvSchema } from "../../shared/config/notification-channels-env.js";
import { problemLines } from "../../shared/config/problem-lines.js";
import { RefresherEnvSchema } from "../../shared/config/refresher-env.js";
import { STAGE_NAME } from "../../shared/config/resource-names.js";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { DEFAULT_MODEL } from "../../shared/config/worker-env.js";
import { DEFAULT_MAX_RECEIVE_COUNT } from "../../shared/domain/queue-limits.js";

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
  /** Default Lambda timeout in seconds; the work queue's visibility timeout is derived from the worker's. */
  functionTimeoutSeconds: z.number().int().min(15).max(900).default(60),
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
  /** Maximum concurrent worker invocations: the hard bound on parallel model and Zoho calls. */
  workerMaxConcurrency: z.number().int().min(2).max(1000).default(5),
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
    .record(z.string().min(1), z.strictObject({ prompt: z.number().min(0), completion: z.number().min(0) }))
    .default({}),
  /** Timeout of each Zoho call (Accounts and APIs), in every function that calls Zoho. */
  zohoHttpTimeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
  /** Ingest settings (shared/config/ingest-env.ts): WEBHOOK_SECRET_TTL_SECONDS and the INGEST_* rate limits. */
  ingestSettings: settingsOf(IngestEnvSchema, INGEST_SETTINGS),
  /** Token refresher settings (shared/config/refresher-env.ts): REFRESH_AHEAD_SECONDS, REFRESH_GUARD_MAX. */
  refresherSettings: settingsOf(RefresherEnvSchema, REFRESHER_SETTINGS),
});
export type Stage = z.infer<typeof StageSchema>;

/** A deploy configuration that does not hold: one line per problem, for a person (no stack trace, no ZodError). */
export class DeployConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid deploy configuration (${source}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "DeployConfigError";
  }
}

/** Context keys the CDK CLI and cdk.json set for themselves (feature flags, `aws:cdk:*`), never stage settings. */
const isCdkContextKey = (key: string) =>
  key.startsWith("@") || key.includes(":") || key === "cli-telemetry" || key === "acknowledged-issue-numbers";

/** `-c key=value` gives strings: JSON values (numbers, booleans, objects) are parsed, anything else stays text. */
function contextValue(key: string, value: unknown): unknown {
  if (key === "tools") return toolsFromContext(value);
  if (typeof value !== "string") return value;
  if (key === "connections" && !value.trim().startsWith("[")) return value.split(",").map((c) => c.trim());
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export interface DeployConfigOptions {
  /** CDK context: `stage`, `config` (a file path) and any top-level setting as an override (`-c key=value`). */
  context: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** Folder of `<stage>.json`; unset: no file is read (defaults and context only). */
  configDir?: string;
  readFile?: (path: string) => string | undefined;
}

export interface DeployConfig {
  stage: Stage;
  /** Where the settings came from, for the printout and error messages. */
  source: string;
}

/**
 * The deploy configuration of a stage: `config/<stage>.json` (or `-c config=<path>`) when present, then every other
 * context key as a top-level override (objects merged one level deep), checked by {@link StageSchema}. Throws
 * {@link DeployConfigError} with one line per problem.
 */
export function loadDeployConfig(options: DeployConfigOptions): DeployConfig {
  const { context, env } = options;
  const stageName = typeof context.stage === "string" ? context.stage : DEFAULT_STAGE;
  const read =
    options.readFile ?? ((path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined));
  const path =
    typeof context.config === "string"
      ? context.config
      : options.configDir && STAGE_NAME.test(stageName)
        ? join(options.configDir, `${stageName}.json`)
        : undefined;
  const text = path ? read(path) : undefined;
  if (typeof context.config === "string" && text === undefined)
    throw new DeployConfigError(context.config, ["✖ no such config file"]);
  const overrides = Object.keys(context).filter(
    (k) => !isCdkContextKey(k) && k !== "stage" && k !== "config",
  );
  const source = [
    text !== undefined ? path : "defaults",
    overrides.length ? `-c ${overrides.join(", ")}` : undefined,
  ]
    .filter(Boolean)
    .join(" + ");

  let file: Record<string, unknown> = {};
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isPlainObject(parsed)) throw new Error("not a JSON object");
      file = parsed;
    } catch (error) {
      throw new DeployConfigError(source, [`✖ ${path} is not a JSON object: ${(error as Error).message}`]);
    }
  }
  const merged: Record<string, unknown> = {
    region: env.CDK_DEFAULT_REGION ?? "us-east-1",
    ...(env.CDK_DEFAULT_ACCOUNT ? { account: env.CDK_DEFAULT_ACCOUNT } : {}),
    ...file,
    name: stageName,
  };
  if (file.name !== undefined && file.name !== stageName)
    throw new DeployConfigError(source, [
      `✖ the file is for stage "${String(file.name)}", not "${stageName}"`,
    ]);
  for (const key of overrides) {
    // `-c notificationEvents=Leads.create,Leads.edit`: the short form of notifications.events.
    const [target, value] =
      key === "notificationEvents" && typeof context[key] === "string"
        ? [
            "notifications",
            {
              events: (context[key] as string)
                .split(",")
                .map((e) => e.trim())
                .filter(Boolean),
            },
          ]
        : [key, contextValue(key, context[key])];
    const current = merged[target];
    merged[target] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  const result = StageSchema.safeParse(merged);
  if (!result.success) throw new DeployConfigError(source, problemLines(result.error));
  return { stage: result.data, source };
}

/** Reads the stage from CDK context (`-c stage=prod`) and the standard CDK environment variables, without a file. */
export function loadStage(context: Record<string, unknown>, env: NodeJS.ProcessEnv): Stage {
  return loadDeployConfig({ context, env }).stage;
}

/** `-c tools=off|on` or the tools object as JSON (or as an object, from cdk.json). */
function toolsFromContext(value: unknown): unknown {
  if (value === "off" || value === "false" || value === false) return { enabled: false };
  if (value === "on" || value === "true" || value === true) return { enabled: true };
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new DeployConfigError("-c tools", [
      `✖ -c tools must be on, off or a JSON object of tool settings (got ${JSON.stringify(value)})`,
    ]);
  }
}

export { problemLines };
