/** Environment of the ingest function: names, URLs and lists only, never secrets. Parsed once at cold start. */
import * as z from "zod";
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
});
export type IngestEnv = z.infer<typeof IngestEnvSchema>;
