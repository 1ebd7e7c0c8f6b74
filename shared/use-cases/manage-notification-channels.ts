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
import { UpstreamRejectedError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { Clock } from "../ports/clock.js";
import type { Metrics } from "../ports/metrics.js";
import type { SecretStore } from "../ports/secret-store.js";
import type { ZohoAdmin } from "../ports/zoho-admin.js";
import { channelTokens } from "./manage-notification-channels-tokens.js";

export { MANAGED_KEY } from "./manage-notification-channels-tokens.js";

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
  /** The Notification API of a connection (`ZohoAdmin.listWatches` and `watch`). */
  zohoFor: (connection: string) => Pick<ZohoAdmin, "listWatches" | "watch">;
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

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function makeManageNotificationChannels(deps: ManageNotificationChannelsDeps) {
  const { config } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const tokens = channelTokens({
    secrets: deps.secrets,
    webhookSecretName: config.webhookSecretName,
    newToken: deps.newToken ?? (() => randomBytes(24).toString("base64url")),
  });
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
        const found = (await zoho.listWatches(c.channelId, c.module)).find(
          (w) => w.channelId === String(c.channelId),
        );
        const expiresAt = found?.expiresAt ?? Number.NaN;
        const due =
          !found ||
          Number.isNaN(expiresAt) ||
          expiresAt - now < config.renewMarginMs ||
          !sameSet(found.events, c.events) ||
          (found.notifyUrl !== null && found.notifyUrl !== notifyUrl);
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
    const { token, fresh } = await tokens.tokenFor(connection);
    return { fresh, subscribe: () => subscribe(connection, zoho, notifyUrl, state, token) };
  }

  async function subscribe(
    connection: string,
    zoho: Pick<ZohoAdmin, "watch">,
    notifyUrl: string,
    state: { module: string; events: string[]; channelId: number; found: boolean }[],
    token: string,
  ): Promise<ChannelOutcome[]> {
    const expiresAt = deps.clock.now() + config.channelTtlMs;
    const answers = await zoho.watch(
      state.map((c) => ({ channelId: c.channelId, events: c.events, notifyUrl, token, expiresAt })),
    );
    const outcomes: ChannelOutcome[] = state.map((c, i) => {
      const answer = answers[i];
      const base = { connection, module: c.module, channelId: String(c.channelId) };
      if (answer?.ok) {
        // No extra dimensions: the alarm watches the metric by service alone.
        deps.metrics.count(c.found ? "NotificationChannelRenewed" : "NotificationChannelSubscribed", 1);
        return { ...base, outcome: c.found ? "renewed" : "subscribed", expiresAt };
      }
      deps.metrics.count("NotificationChannelFailed", 1);
      deps.logger.error("notification channel not subscribed", {
        connection,
        module: c.module,
        code: answer?.code,
        message: answer?.message,
      });
      return { ...base, outcome: "error", error: answer?.code ?? "no answer" };
    });
    if (outcomes.every((o) => o.outcome !== "error")) await tokens.confirm(connection, token);
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
