/** Environment of the token refresher: names and numbers only, never secrets. Parsed once at cold start. */
import * as z from "zod";
import { commaList } from "./env-helpers.js";

export const RefresherEnvSchema = z.object({
  /** Comma-separated secret names of the connections this stage refreshes. */
  ZOHO_CONNECTION_SECRETS: commaList().refine((l) => l.length > 0, "at least one connection secret"),
  /** Scheduled runs refresh a token with less than this left (the schedule runs more often than this). */
  REFRESH_AHEAD_SECONDS: z.coerce.number().int().positive().default(1_500),
  /** Refresh attempts allowed per 10 minutes per refresh token (Zoho allows 10). */
  REFRESH_GUARD_MAX: z.coerce.number().int().min(1).max(10).default(8),
  ZOHO_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type RefresherEnv = z.infer<typeof RefresherEnvSchema>;
