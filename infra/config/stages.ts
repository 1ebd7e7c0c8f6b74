/**
 * Typed per-stage settings. Only `infra/app.ts` reads the environment; constructs get values through props.
 */
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as z from "zod";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import { DEFAULT_MODEL } from "../../shared/config/worker-env.js";
import { DEFAULT_MAX_RECEIVE_COUNT } from "../../shared/domain/queue-limits.js";

export const StageSchema = z.object({
  /** Stage name, used in the stack name: `ZohoGptMediator-<stage>`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,20}$/),
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
    .object({
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
  workerSettings: z.record(z.string(), z.string()).default({}),
  /**
   * Zoho CRM Notification API channels the product subscribes and renews (one per module per connection): an
   * alternative to a workflow-rule webhook, so off unless events are given (`-c notificationEvents=Leads.create,
   * Leads.edit`); with both, every lead would be enriched twice.
   */
  notifications: z
    .object({
      events: z.array(z.string()).default([]),
      scheduleMinutes: z.number().int().min(5).default(60),
      channelTtlMinutes: z.number().int().min(30).default(720),
      renewMarginMinutes: z.number().int().min(10).default(180),
    })
    .default({ events: [], scheduleMinutes: 60, channelTtlMinutes: 720, renewMarginMinutes: 180 }),
  /**
   * The mediated inbound path (MCP tools and GPT Actions, `infra/constructs/tools-endpoint.ts`): its own function on
   * the same HTTP API, with its own concurrency bound, the agents' table and alarms. `-c tools=off` leaves all of it
   * out; `-c tools='{"reservedConcurrency":10,"settings":{"TOOLS_PUBLIC_URL":"https://api.acme.example"}}'` tunes it.
   */
  tools: z
    .object({
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
    .object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })
    .default({ rateLimit: 50, burstLimit: 100 }),
});
export type Stage = z.infer<typeof StageSchema>;

/** Reads the stage from CDK context (`-c stage=prod`) and the standard CDK environment variables. */
export function loadStage(context: Record<string, unknown>, env: NodeJS.ProcessEnv): Stage {
  return StageSchema.parse({
    name: context.stage ?? DEFAULT_STAGE,
    account: env.CDK_DEFAULT_ACCOUNT,
    region: context.region ?? env.CDK_DEFAULT_REGION ?? "us-east-1",
    ...(typeof context.logRetentionDays === "number" ? { logRetentionDays: context.logRetentionDays } : {}),
    ...(typeof context.connections === "string" ? { connections: context.connections.split(",") } : {}),
    ...(typeof context.workerSettings === "string" || typeof context.workerSettings === "object"
      ? {
          workerSettings:
            typeof context.workerSettings === "string"
              ? JSON.parse(context.workerSettings)
              : context.workerSettings,
        }
      : {}),
    ...(context.tools !== undefined ? { tools: toolsFromContext(context.tools) } : {}),
    ...(typeof context.notificationEvents === "string"
      ? {
          notifications: {
            events: context.notificationEvents
              .split(",")
              .map((e) => e.trim())
              .filter(Boolean),
          },
        }
      : {}),
  });
}

/** `-c tools=off|on` or the tools object as JSON (or as an object, from cdk.json). */
function toolsFromContext(value: unknown): unknown {
  if (value === "off" || value === "false" || value === false) return { enabled: false };
  if (value === "on" || value === "true" || value === true) return { enabled: true };
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(
      `-c tools must be on, off or a JSON object of tool settings (got ${JSON.stringify(value)})`,
    );
  }
}
