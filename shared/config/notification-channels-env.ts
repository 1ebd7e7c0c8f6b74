/** Environment of the notification-channels function: names, URLs and numbers only, never secrets. */
import * as z from "zod";
import { commaList } from "./env-helpers.js";

/** `{Module}.{create|edit|delete|all}`, the Notifications API's event form (Zoho notes §4.2). */
const EVENT = /^[A-Za-z][A-Za-z0-9_]{0,99}\.(create|edit|delete|all)$/;

export const NotificationChannelsEnvSchema = z.object({
  /** Comma-separated connection secret names (`zoho-gpt-mediator/<stage>/zoho/<connection>`). */
  ZOHO_CONNECTION_SECRETS: commaList().refine((l) => l.length > 0, "at least one connection secret"),
  /** The token refresher, asked for one coordinated refresh when Zoho refuses an access token. */
  REFRESHER_FUNCTION_NAME: z.string().min(1),
  /** The webhook secret whose `notificationTokens` the ingest checks callbacks against. */
  WEBHOOK_SECRET_NAME: z.string().min(1),
  /** The deployed `POST /v1/hooks/crm/notifications` URL (`?connection=<name>` is added per connection). */
  NOTIFY_URL: z.url(),
  /** Events to watch, one channel per module: `Leads.create,Leads.edit` (the function runs only when some are set). */
  NOTIFICATION_EVENTS: commaList().refine(
    (l) => l.length > 0 && l.every((e) => EVENT.test(e)),
    "events look like Leads.create",
  ),
  /**
   * Life asked for each channel. Zoho's maximum is UNCONFIRMED (one day in older docs, maybe a week in v8), so the
   * default stays well inside a day.
   */
  NOTIFICATION_CHANNEL_TTL_MINUTES: z.coerce.number().int().min(10).max(10_080).default(720),
  /** A channel with less than this left is renewed; must exceed the schedule interval. */
  NOTIFICATION_RENEW_MARGIN_MINUTES: z.coerce.number().int().min(1).default(180),
  /**
   * Wait between storing a new channel token and subscribing with it, so every ingest container (which caches the
   * webhook secret for WEBHOOK_SECRET_TTL_SECONDS) accepts it before Zoho sends it.
   */
  NOTIFICATION_TOKEN_PROPAGATION_SECONDS: z.coerce.number().int().min(0).default(65),
  /** Seed of the channel ids, so two stages watching one org never share a channel. */
  NOTIFICATION_CHANNEL_SEED: z.string().min(1).default("default"),
  ZOHO_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type NotificationChannelsEnv = z.infer<typeof NotificationChannelsEnvSchema>;
