/**
 * Zoho CRM Notification API channels managed by the product: for every connection, one channel per watched module
 * (`POST /crm/v8/actions/watch`), each carrying a channel token the product generates and stores in the webhook
 * secret's `notificationTokens` BEFORE Zoho is told about it, and renewed before it expires.
 *
 * Tokens: one per connection, shared by its channels. A renewal rotates it: the new token is added, the one it
 * replaces stays accepted (callbacks Zoho sent before the renewal still pass), and the token before that is
 * dropped. A renewal that failed does not rotate again, so a channel's token is never dropped while the channel
 * may still use it. Tokens the product did not generate (added by hand) are never touched.
 */
import { createHash, randomBytes } from "node:crypto";
import * as z from "zod";
import { ConfigError, NotFoundError, UpstreamRejectedError } from "../errors.js";
import { WebhookSecretsSchema } from "../ingest/webhook-auth.js";
import type { AppLogger } from "../observability/logger.js";
import { registerSecret } from "../observability/redact.js";
import type { Clock } from "../ports/clock.js";
import type { Metrics } from "../ports/metrics.js";
import type { SecretStore } from "../ports/secret-store.js";

/** The one Zoho client call this use case makes (ZohoHttpClient satisfies it). */
export interface ZohoCaller {
  request<T = unknown>(req: {
    service: "crm";
    method: "GET" | "POST";
    path: string;
    query?: Record<string, string | number | undefined>;
    body?: unknown;
    idempotent?: boolean;
  }): Promise<{ status: number; data: T | undefined }>;
}

export interface NotificationChannelsConfig {
  /** Connection names this stage serves. */
  connections: string[];
  webhookSecretName: string;
  /** The deployed `/v1/hooks/crm/notifications` URL. */
  notifyUrl: string;
  /** `Leads.create`, `Leads.edit`, ...: grouped into one channel per module. */
  events: string[];
  channelTtlMs: number;
  renewMarginMs: number;
  /** Wait after storing a new token before Zoho may send it (the ingest's webhook-secret cache). */
  tokenPropagationMs: number;
  /** Makes channel ids differ between stages watching the same org. */
  channelSeed: string;
}

export interface ManageNotificationChannelsDeps {
  zohoFor: (connection: string) => ZohoCaller;
  secrets: SecretStore;
  clock: Clock;
  logger: AppLogger;
  metrics: Metrics;
  sleep?: (ms: number) => Promise<void>;
  /** A fresh channel token (Zoho allows at most 50 characters). */
  newToken?: () => string;
  config: NotificationChannelsConfig;
}

export type ChannelOutcome = {
  connection: string;
  module: string;
  channelId: string;
} & (
  | { outcome: "current"; expiresAt: number }
  | { outcome: "subscribed" | "renewed"; expiresAt: number }
  | { outcome: "error"; error: string }
);

/** Zoho's `channel_id` is a long: 48 bits of a hash of seed, connection and module (a safe JSON integer). */
export function channelIdFor(seed: string, connection: string, module: string): number {
  const h = createHash("sha256").update(`${seed}\u0000${connection}\u0000${module}`).digest("hex");
  return Number.parseInt(h.slice(0, 12), 16) + 1_000_000_000;
}

/** The product's per-connection token bookkeeping, kept in the webhook secret next to the tokens the ingest reads. */
const ManagedSchema = z.record(
  z.string(),
  z.object({
    token: z.string(),
    previousToken: z.string().nullable(),
    /** False until a subscription with `token` succeeded; a failed renewal then reuses it instead of rotating. */
    confirmed: z.boolean(),
  }),
);
type Managed = z.infer<typeof ManagedSchema>;
/** The key under which the bookkeeping lives in the webhook secret (the ingest ignores unknown keys). */
export const MANAGED_KEY = "managedNotificationChannels";

/** `GET /crm/v8/actions/watch` (Zoho answers 204 when nothing is subscribed). */
const WatchListSchema = z.looseObject({
  watch: z
    .array(
      z.looseObject({
        channel_id: z.union([z.string(), z.number()]),
        events: z.array(z.string()).optional(),
        channel_expiry: z.union([z.string(), z.number()]).nullish(),
        notify_url: z.string().nullish(),
      }),
    )
    .default([]),
});
/** Each item of a subscribe answer. */
const WatchResultSchema = z.looseObject({
  watch: z.array(
    z.looseObject({ status: z.string(), code: z.string().optional(), message: z.string().optional() }),
  ),
});

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function makeManageNotificationChannels(deps: ManageNotificationChannelsDeps) {
  const { config } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const newToken = deps.newToken ?? (() => randomBytes(24).toString("base64url"));
  const modules = new Map<string, string[]>();
  for (const event of config.events) {
    const module = event.split(".")[0] as string;
    modules.set(module, [...(modules.get(module) ?? []), event]);
  }
  const notifyUrlFor = (connection: string) => {
    const url = new URL(config.notifyUrl);
    url.searchParams.set("connection", connection);
    return url.toString();
  };

  /** Reads the webhook secret, keeping every key (the ingest's schema validates the ones it needs). */
  async function readSecret(): Promise<{ raw: Record<string, unknown>; managed: Managed; tokens: string[] }> {
    const { value } = await deps.secrets.get(config.webhookSecretName, { fresh: true });
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(value) as Record<string, unknown>;
    } catch {
      throw new ConfigError(`webhook secret "${config.webhookSecretName}" is not JSON`);
    }
    const parsed = WebhookSecretsSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`webhook secret "${config.webhookSecretName}" is malformed`);
    const managed = ManagedSchema.safeParse(raw[MANAGED_KEY] ?? {});
    return { raw, managed: managed.success ? managed.data : {}, tokens: parsed.data.notificationTokens };
  }

  /**
   * The token to subscribe with: the unconfirmed one of a failed renewal, else a new one, stored first (`fresh`:
   * the ingest may not accept it before the propagation wait).
   */
  async function tokenFor(connection: string): Promise<{ token: string; fresh: boolean }> {
    const { raw, managed, tokens } = await readSecret();
    const mine = managed[connection];
    for (const t of [mine?.token, mine?.previousToken]) if (t) registerSecret(t);
    if (mine && !mine.confirmed && tokens.includes(mine.token)) return { token: mine.token, fresh: false };
    const token = newToken();
    registerSecret(token);
    const dropped = mine?.confirmed ? mine.previousToken : null;
    const next = {
      ...raw,
      notificationTokens: [...tokens.filter((t) => t !== dropped), token],
      [MANAGED_KEY]: {
        ...managed,
        [connection]: { token, previousToken: mine?.token ?? null, confirmed: false },
      },
    };
    await deps.secrets.put(config.webhookSecretName, JSON.stringify(next));
    return { token, fresh: true };
  }

  async function confirm(connection: string, token: string): Promise<void> {
    const { raw, managed } = await readSecret();
    const mine = managed[connection];
    if (!mine || mine.token !== token || mine.confirmed) return;
    await deps.secrets.put(
      config.webhookSecretName,
      JSON.stringify({ ...raw, [MANAGED_KEY]: { ...managed, [connection]: { ...mine, confirmed: true } } }),
    );
  }

  /**
   * Lists a connection's channels and, when any is due, stores the token to renew them with. Returns the final
   * outcomes, or the subscription still to make (after one propagation wait for every connection of the run).
   */
  async function prepare(
    connection: string,
  ): Promise<ChannelOutcome[] | { fresh: boolean; subscribe: () => Promise<ChannelOutcome[]> }> {
    const zoho = deps.zohoFor(connection);
    const now = deps.clock.now();
    const notifyUrl = notifyUrlFor(connection);
    const channels = [...modules].map(([module, events]) => ({
      module,
      events,
      channelId: channelIdFor(config.channelSeed, connection, module),
    }));
    // What Zoho has: a channel is due when missing, expiring within the margin, or configured differently.
    const state = await Promise.all(
      channels.map(async (c) => {
        const res = await zoho
          .request({
            service: "crm",
            method: "GET",
            path: "/crm/v8/actions/watch",
            query: { channel_id: c.channelId, module: c.module },
          })
          .catch((error: unknown) => {
            // What Zoho answers for a channel id it does not know is UNCONFIRMED (204, or a 4xx code): not subscribed.
            if (error instanceof UpstreamRejectedError || error instanceof NotFoundError)
              return { status: 204, data: undefined };
            throw error;
          });
        const list = res.status === 204 ? [] : WatchListSchema.parse(res.data ?? {}).watch;
        const found = list.find((w) => String(w.channel_id) === String(c.channelId));
        const expiresAt = found?.channel_expiry ? new Date(found.channel_expiry).getTime() : Number.NaN;
        const due =
          !found ||
          Number.isNaN(expiresAt) ||
          expiresAt - now < config.renewMarginMs ||
          !sameSet(found.events ?? [], c.events) ||
          (found.notify_url != null && found.notify_url !== notifyUrl);
        return { ...c, found: Boolean(found), expiresAt, due };
      }),
    );
    if (!state.some((c) => c.due))
      return state.map((c) => ({
        connection,
        module: c.module,
        channelId: String(c.channelId),
        outcome: "current",
        expiresAt: c.expiresAt,
      }));

    // One token per connection: renew all its channels together, so none keeps a token that rotation drops.
    const { token, fresh } = await tokenFor(connection);
    return { fresh, subscribe: () => subscribe(connection, zoho, notifyUrl, state, token) };
  }

  async function subscribe(
    connection: string,
    zoho: ZohoCaller,
    notifyUrl: string,
    state: { module: string; events: string[]; channelId: number; found: boolean }[],
    token: string,
  ): Promise<ChannelOutcome[]> {
    const expiresAt = deps.clock.now() + config.channelTtlMs;
    const res = await zoho.request({
      service: "crm",
      method: "POST",
      path: "/crm/v8/actions/watch",
      // Replacing a channel's subscription is safe to repeat.
      idempotent: true,
      body: {
        watch: state.map((c) => ({
          channel_id: c.channelId,
          events: c.events,
          notify_url: notifyUrl,
          token,
          channel_expiry: stamp(expiresAt),
          return_affected_field_values: false,
          notify_on_related_action: false,
        })),
      },
    });
    const items = WatchResultSchema.safeParse(res.data).data?.watch ?? [];
    const outcomes: ChannelOutcome[] = state.map((c, i) => {
      const item = items[i];
      const base = { connection, module: c.module, channelId: String(c.channelId) };
      if (item?.status === "success") {
        // No extra dimensions: the alarm watches the metric by service alone.
        deps.metrics.count(c.found ? "NotificationChannelRenewed" : "NotificationChannelSubscribed", 1);
        return { ...base, outcome: c.found ? "renewed" : "subscribed", expiresAt };
      }
      deps.metrics.count("NotificationChannelFailed", 1);
      deps.logger.error("notification channel not subscribed", {
        connection,
        module: c.module,
        code: item?.code,
        message: item?.message,
      });
      return { ...base, outcome: "error", error: item?.code ?? `status ${res.status}` };
    });
    if (outcomes.every((o) => o.outcome !== "error")) await confirm(connection, token);
    return outcomes;
  }

  /** One scheduled run: every connection, one after another; one failing connection does not stop the others. */
  return async function manageNotificationChannels(): Promise<ChannelOutcome[]> {
    const results: ChannelOutcome[] = [];
    const failed = (connection: string, error: unknown) => {
      deps.metrics.count("NotificationChannelFailed", 1);
      deps.logger.error("notification channels: connection failed", { connection, error });
      const reason =
        error instanceof UpstreamRejectedError
          ? `${error.name}: ${error.message}`
          : error instanceof Error
            ? error.name
            : "error";
      for (const [module] of modules)
        results.push({
          connection,
          module,
          channelId: String(channelIdFor(config.channelSeed, connection, module)),
          outcome: "error",
          error: reason,
        });
    };
    // Every connection first lists its channels and stores the tokens it needs; then one wait for the ingest's
    // cache (not one per connection, which a run of many connections could not afford); then the subscriptions.
    const pending: { connection: string; subscribe: () => Promise<ChannelOutcome[]> }[] = [];
    let wait = false;
    for (const connection of config.connections) {
      try {
        const prepared = await prepare(connection);
        if (Array.isArray(prepared)) results.push(...prepared);
        else {
          pending.push({ connection, subscribe: prepared.subscribe });
          wait ||= prepared.fresh;
        }
      } catch (error) {
        failed(connection, error);
      }
    }
    if (wait && config.tokenPropagationMs > 0) await sleep(config.tokenPropagationMs);
    for (const { connection, subscribe } of pending) {
      try {
        results.push(...(await subscribe()));
      } catch (error) {
        failed(connection, error);
      }
    }
    deps.logger.info("notification channels checked", {
      results: results.map((r) => ({ connection: r.connection, module: r.module, outcome: r.outcome })),
    });
    return results;
  };
}
