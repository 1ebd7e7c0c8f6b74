/** Environment of the ingest function: names, URLs and lists only, never secrets. Parsed once at cold start. */
import * as z from "zod";
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from "../ingest/rate-limit.js";
import { commaList } from "./env-helpers.js";

const list = commaList();

export const IngestEnvSchema = z.object({
  WORK_QUEUE_URL: z.url(),
  /** Secret holding the webhook tokens and HMAC keys (see ingest/webhook-auth.ts). */
  WEBHOOK_SECRET_NAME: z.string().min(1),
  /** Connection names this stage serves. */
  ZOHO_CONNECTIONS: list.refine((l) => l.length > 0, "at least one connection"),
  /** Loop guard: the CRM user(s) the mediator writes as, the CRM fields it writes, the Desk agent(s) it acts as. */
  LOOP_GUARD_CRM_USERS: list,
  LOOP_GUARD_CRM_FIELDS: list,
  LOOP_GUARD_DESK_ACTORS: list,
  /** How long webhook secrets are reused before Secrets Manager is asked again. */
  WEBHOOK_SECRET_TTL_SECONDS: z.coerce.number().int().min(0).default(60),
  /**
   * Rate limits at ingest (per container; see ingest/rate-limit.ts): a caller (credential + connection + route)
   * may send a burst of INGEST_CALLER_BURST, then INGEST_CALLER_PER_SECOND; one record a burst of
   * INGEST_RECORD_BURST, then INGEST_RECORD_PER_MINUTE.
   */
  /** DynamoDB table counting a record's repeated triggers across containers; unset: per-container limits only. */
  INGEST_RATE_TABLE: z.string().min(1).optional(),
  INGEST_CALLER_BURST: z.coerce.number().int().min(1).default(DEFAULT_INGEST_LIMITS.caller.capacity),
  INGEST_CALLER_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(DEFAULT_INGEST_LIMITS.caller.refillPerSecond),
  INGEST_RECORD_BURST: z.coerce.number().int().min(1).default(DEFAULT_INGEST_LIMITS.record.capacity),
  INGEST_RECORD_PER_MINUTE: z.coerce
    .number()
    .positive()
    .default(DEFAULT_INGEST_LIMITS.record.refillPerSecond * 60),
});
export type IngestEnv = z.infer<typeof IngestEnvSchema>;

/** The rate limits an ingest environment sets. */
export const ingestLimitsOf = (env: IngestEnv): IngestLimits => ({
  caller: { capacity: env.INGEST_CALLER_BURST, refillPerSecond: env.INGEST_CALLER_PER_SECOND },
  record: { capacity: env.INGEST_RECORD_BURST, refillPerSecond: env.INGEST_RECORD_PER_MINUTE / 60 },
});
