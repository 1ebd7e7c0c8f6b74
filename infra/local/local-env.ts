/**
 * The local stack's own settings (ports, emulators on or off, a real org or model instead of the stand-ins). Every
 * other key passes through to the functions' own parsers (see settings.ts).
 */
import * as z from "zod";
import { DEFAULT_MODEL, type WorkerEnv } from "../../shared/config/worker-env.js";
import { batchTime } from "../../shared/domain/batch-time.js";
import { ZOHO_DCS } from "../../shared/domain/zoho-dc.js";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/**
 * Environment the local stack reads; every value has an embedded default. Other keys pass through: every setting a
 * Lambda's environment schema defines (worker, ingest, refresher, notification channels) is read from here by the
 * same parser the Lambda uses (see settings.ts).
 */
export const LocalEnvSchema = z.looseObject({
  LOCAL_API_PORT: port(4000),
  ZOHO_SANDBOX_PORT: port(4010),
  MODEL_SERVER_PORT: port(4020),
  SECRETS_MANAGER_PORT: port(4030),
  SQS_PORT: port(4040),
  DYNAMODB_PORT: port(4050),
  AWS_REGION: z.string().default("us-east-1"),
  /** Skip DynamoDB Local (it needs Java); then only the emulators run, not the worker. */
  LOCAL_DYNAMODB: z.enum(["on", "off"]).default("on"),
  /** The webhook token Zoho sends; random when unset. */
  MEDIATOR_WEBHOOK_TOKEN: z.string().min(20).optional(),
  /**
   * Worker invocations at once (the event source's maximum concurrency). With MODEL_CONCURRENCY 5: 2 x 5 = 10 model
   * calls in parallel; with ZOHO_CONCURRENCY 2: 2 x 2 = 4 Zoho calls, within the sandbox's concurrency of 10.
   */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  /**
   * Records per invocation (1-10,000, as Lambda's for a standard queue). 75, fifteen rounds of the model bound: each
   * invocation pays a claim and reads before its first model call and writes after its last (about 0.3 s here,
   * where two invocations share one machine with every emulator), and at 20 a record, as deployed, that cost a
   * webhook burst a quarter of its model time. A batch's reads still coalesce into one `ids=` call per module and
   * wave. The batch fits the local queue's 360 s visibility and lease by the ask cutoff: no model call starts after
   * 220 s, so a batch ends within 220 + 2 x 25 s (MODEL_TIMEOUT_MS) + 30 s = 300 s, whatever its size.
   */
  WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(75),
  /**
   * How long a poller keeps gathering after a batch's first message (the event source's batching window). Half a
   * second: a bulk run fills whole batches, a single webhook waits at most 0.5 s (deployed windows are whole seconds).
   */
  WORKER_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(300_000).default(500),
  REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(600),
  /** How often the notification channels are checked (the deployed schedule is hourly). */
  NOTIFICATION_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(300),
  /**
   * Use cases defined by configuration the local stack serves besides the built-in ones: comma-separated
   * definition files (JSON or YAML), paths from the repository root; empty for none.
   */
  USE_CASE_FILES: z.string().default(""),
  /** The Zoho sandbox's seed profile: the demo org, or a second org with other fields and values. */
  ZOHO_SANDBOX_PROFILE: z.enum(["demo", "alt"]).default("demo"),
  /** A real model: an API key (and optionally another OpenAI-compatible base URL and model). */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  MODEL: z.string().default(DEFAULT_MODEL),
  /** A real Zoho org instead of the sandbox. */
  ZOHO_CLIENT_ID: z.string().optional(),
  ZOHO_CLIENT_SECRET: z.string().optional(),
  ZOHO_REFRESH_TOKEN: z.string().optional(),
  ZOHO_GRANT_CODE: z.string().optional(),
  ZOHO_DC: z.enum(ZOHO_DCS).default("us"),
  ZOHO_ACCOUNTS_URL: z.url().optional(),
  ZOHO_API_DOMAIN: z.url().optional(),
  ZOHO_DESK_URL: z.url().optional(),
  ZOHO_DESK_ORG_ID: z.string().optional(),
  /** With a real org: the public URL (a tunnel) of `/v1/hooks/crm/notifications`; channels are managed only then. */
  NOTIFY_URL: z.url().optional(),
});
export type LocalEnv = z.infer<typeof LocalEnvSchema>;

/** Every local port set to 0 (free ports): what tests and benchmarks use so they never clash with `npm start`. */
export const FREE_PORTS = {
  LOCAL_API_PORT: "0",
  ZOHO_SANDBOX_PORT: "0",
  MODEL_SERVER_PORT: "0",
  SECRETS_MANAGER_PORT: "0",
  SQS_PORT: "0",
  DYNAMODB_PORT: "0",
} as const;

/**
 * Refuses a local batch that could outlast the work queue's visibility timeout (its messages would reappear while
 * the batch still runs) or the claim lease: WORKER_BATCH_SIZE, MODEL_CONCURRENCY and MODEL_TIMEOUT_MS, by the
 * deployed stack's formula (infra/config/worker-limits.ts).
 */
export function checkLocalBatch(
  env: Pick<LocalEnv, "WORKER_BATCH_SIZE">,
  worker: Pick<WorkerEnv, "MODEL_CONCURRENCY" | "MODEL_TIMEOUT_MS" | "LEASE_SECONDS">,
  visibilitySeconds: number,
): void {
  // The function's timeout is the lease less 60 s, as the deployed stack sets them (infra/constructs/worker.ts).
  const { seconds: need } = batchTime({
    batchSize: env.WORKER_BATCH_SIZE,
    modelConcurrency: worker.MODEL_CONCURRENCY,
    modelTimeoutSeconds: Math.ceil(worker.MODEL_TIMEOUT_MS / 1000),
    timeoutSeconds: worker.LEASE_SECONDS - 60,
  });
  const bound = Math.min(visibilitySeconds, worker.LEASE_SECONDS);
  if (need > bound)
    throw new Error(
      `a local batch can take ${need} s (WORKER_BATCH_SIZE ${env.WORKER_BATCH_SIZE}, MODEL_CONCURRENCY ${worker.MODEL_CONCURRENCY}, MODEL_TIMEOUT_MS ${worker.MODEL_TIMEOUT_MS}), longer than the work queue's ${visibilitySeconds} s visibility or LEASE_SECONDS ${worker.LEASE_SECONDS}: lower WORKER_BATCH_SIZE or MODEL_TIMEOUT_MS, or raise MODEL_CONCURRENCY`,
    );
}
