import { describe, expect, it } from "vitest";
import { createZohoAdmin } from "../../../../shared/adapters/zoho/ports.js";
import type { ZohoHttpClient } from "../../../../shared/adapters/zoho/zoho-http-client.js";
import { createLogger } from "../../../../shared/observability/logger.js";
import type { SecretStore } from "../../../../shared/ports/secret-store.js";
import {
  channelIdFor,
  MANAGED_KEY,
  makeManageNotificationChannels,
} from "../../../../shared/use-cases/manage-notification-channels.js";

/** The wire call the admin adapter makes (the fake answers Zoho's shapes behind the real ZohoAdminHttp). */
interface ZohoCaller {
  request<T = unknown>(req: {
    service: "crm";
    method: string;
    path: string;
    query?: Record<string, string | number | undefined>;
    body?: unknown;
  }): Promise<{ status: number; data: T | undefined }>;
}

const NAME = "zoho-gpt-mediator/test/webhooks";

/** A secret store in memory that records every write. */
function memorySecrets(initial: Record<string, unknown>) {
  let value = JSON.stringify(initial);
  let version = 0;
  const writes: Record<string, unknown>[] = [];
  const store: SecretStore = {
    get: async () => ({ value, versionId: String(version) }),
    put: async (_n, v) => {
      value = v;
      version += 1;
      writes.push(JSON.parse(v));
      return { versionId: String(version) };
    },
    upsert: async () => ({ versionId: "", created: false }),
  };
  return {
    store,
    writes,
    current: () => JSON.parse(value) as { notificationTokens: string[] } & Record<string, unknown>,
  };
}

/** Zoho's watch API in memory: channels with their expiry and token; `fail` makes the next subscribe fail. */
function fakeZoho(secrets: () => { notificationTokens: string[] }) {
  const channels = new Map<string, { events: string[]; expiry: number; token: string; notify_url: string }>();
  const calls: string[] = [];
  let fail = false;
  const zoho: ZohoCaller = {
    request: async <T>(req: { method: string; query?: Record<string, unknown>; body?: unknown }) => {
      calls.push(req.method);
      if (req.method === "GET") {
        const c = channels.get(String(req.query?.channel_id));
        if (!c) return { status: 204, data: undefined };
        return {
          status: 200,
          data: {
            watch: [
              {
                channel_id: String(req.query?.channel_id),
                events: c.events,
                channel_expiry: new Date(c.expiry).toISOString(),
                notify_url: c.notify_url,
              },
            ],
          } as T,
        };
      }
      const watch = (req.body as { watch: Record<string, unknown>[] }).watch;
      if (fail) {
        fail = false;
        return {
          status: 200,
          data: { watch: watch.map(() => ({ status: "error", code: "INVALID_DATA" })) } as T,
        };
      }
      for (const w of watch) {
        // The product stored the token before subscribing with it.
        expect(secrets().notificationTokens).toContain(w.token);
        channels.set(String(w.channel_id), {
          events: w.events as string[],
          expiry: new Date(String(w.channel_expiry)).getTime(),
          token: String(w.token),
          notify_url: String(w.notify_url),
        });
      }
      return { status: 201, data: { watch: watch.map(() => ({ status: "success", code: "SUCCESS" })) } as T };
    },
  };
  return { zoho, channels, calls, failNext: () => (fail = true) };
}

function setup(over: { connections?: string[]; tokenPropagationMs?: number } = {}) {
  const sleeps: number[] = [];
  let now = Date.parse("2026-11-30T10:00:00Z");
  const secrets = memorySecrets({
    token: "t".repeat(48),
    previousToken: null,
    hmacKeys: [],
    notificationTokens: ["added-by-hand-123"],
  });
  const zoho = fakeZoho(secrets.current);
  let n = 0;
  const counts = new Map<string, number>();
  const run = makeManageNotificationChannels({
    zohoFor: () => createZohoAdmin(zoho.zoho as unknown as ZohoHttpClient),
    secrets: secrets.store,
    clock: { now: () => now },
    logger: createLogger("test"),
    metrics: { count: (name, v = 1) => void counts.set(name, (counts.get(name) ?? 0) + v) },
    sleep: async (ms) => void sleeps.push(ms),
    newToken: () => `token-${++n}-${"x".repeat(20)}`,
    config: {
      connections: over.connections ?? ["default"],
      webhookSecretName: NAME,
      notifyUrl: "https://api.example/v1/hooks/crm/notifications",
      events: ["Leads.create", "Leads.edit", "Deals.all"],
      channelTtlMs: 12 * 3_600_000,
      renewMarginMs: 3 * 3_600_000,
      tokenPropagationMs: over.tokenPropagationMs ?? 0,
      channelSeed: "test",
    },
  });
  return { run, zoho, secrets, counts, sleeps, advance: (ms: number) => (now += ms) };
}

describe("manage notification channels", () => {
  it("derives a stable 48-bit channel id per seed, connection and module", () => {
    expect(channelIdFor("prod", "default", "Leads")).toBe(channelIdFor("prod", "default", "Leads"));
    expect(channelIdFor("prod", "default", "Leads")).not.toBe(channelIdFor("dev", "default", "Leads"));
    expect(channelIdFor("prod", "default", "Leads")).not.toBe(channelIdFor("prod", "default", "Deals"));
    expect(Number.isSafeInteger(channelIdFor("prod", "x", "Leads"))).toBe(true);
  });

  it("subscribes one channel per module with a generated token stored first, then leaves current channels alone", async () => {
    const { run, zoho, secrets, counts } = setup();
    const first = await run();

    expect(first.map((r) => [r.module, r.outcome])).toEqual([
      ["Leads", "subscribed"],
      ["Deals", "subscribed"],
    ]);
    const leads = zoho.channels.get(String(channelIdFor("test", "default", "Leads")));
    expect(leads?.events).toEqual(["Leads.create", "Leads.edit"]);
    expect(leads?.notify_url).toBe("https://api.example/v1/hooks/crm/notifications?connection=default");
    expect(leads?.token.length).toBeLessThanOrEqual(50);
    expect(secrets.current().notificationTokens).toEqual(["added-by-hand-123", leads?.token]);
    expect(counts.get("NotificationChannelSubscribed")).toBe(2);

    const second = await run();
    expect(second.every((r) => r.outcome === "current")).toBe(true);
    expect(zoho.calls.filter((c) => c === "POST")).toHaveLength(1);
  });

  it("renews before expiry, rotating the token while the previous one stays valid until the next renewal", async () => {
    const { run, zoho, secrets, advance } = setup();
    await run();
    const t1 = zoho.channels.get(String(channelIdFor("test", "default", "Leads")))?.token;
    advance(10 * 3_600_000); // 2 h left: inside the 3 h margin
    const renewed = await run();
    const t2 = zoho.channels.get(String(channelIdFor("test", "default", "Leads")))?.token;

    expect(renewed.map((r) => r.outcome)).toEqual(["renewed", "renewed"]);
    expect(t2).not.toBe(t1);
    expect(secrets.current().notificationTokens).toEqual(["added-by-hand-123", t1, t2]);

    advance(10 * 3_600_000);
    await run();
    const t3 = zoho.channels.get(String(channelIdFor("test", "default", "Leads")))?.token;
    // t1 is gone only now, a full renewal after the channel stopped using it; the hand-added token is untouched.
    expect(secrets.current().notificationTokens).toEqual(["added-by-hand-123", t2, t3]);
  });

  it("re-subscribes a channel that expired or disappeared", async () => {
    const { run, zoho, advance } = setup();
    await run();
    zoho.channels.delete(String(channelIdFor("test", "default", "Deals")));
    advance(13 * 3_600_000);
    const out = await run();
    expect(out.map((r) => [r.module, r.outcome])).toEqual([
      ["Leads", "renewed"],
      ["Deals", "subscribed"],
    ]);
  });

  it("after a failed subscription, retries with the same token instead of rotating again", async () => {
    const { run, zoho, secrets, counts } = setup();
    zoho.failNext();
    const failed = await run();
    expect(failed.every((r) => r.outcome === "error")).toBe(true);
    expect(counts.get("NotificationChannelFailed")).toBe(2);
    const stored = secrets.current().notificationTokens;

    const retried = await run();
    expect(retried.every((r) => r.outcome === "subscribed")).toBe(true);
    expect(secrets.current().notificationTokens).toEqual(stored);
    expect(
      (secrets.current()[MANAGED_KEY] as Record<string, { confirmed: boolean }>).default?.confirmed,
    ).toBe(true);
  });

  it("waits once per run for the ingest to see new tokens, whatever the number of connections", async () => {
    const { run, sleeps, secrets } = setup({
      connections: ["default", "eu-org", "apac"],
      tokenPropagationMs: 65_000,
    });
    const out = await run();
    expect(out.filter((r) => r.outcome === "subscribed")).toHaveLength(6);
    expect(sleeps).toEqual([65_000]);
    // One token per connection, all stored before the wait.
    expect(secrets.current().notificationTokens).toHaveLength(1 + 3);
    await run();
    expect(sleeps).toEqual([65_000]);
  });
});
