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
