import { describe, expect, it } from "vitest";
import { DEFAULT_STAGE } from "../../../shared/config/stage.js";
import { MANAGED_KEY } from "../../../shared/use-cases/manage-notification-channels.js";
import { leadWrites, seededLeadIds, stackPerTest, until } from "../../helpers/local-stack.js";

/**
 * Notification API channels managed by the product against the sandbox: the product subscribes with a token it
 * generated and stored, Zoho's clock passes the channel's expiry (an expired channel stops firing), the product
 * renews it, and a record change then fires a callback with the product's token that the mediator accepts,
 * queues and writes.
 */
describe("notification channels on the local stack", () => {
  const stack = stackPerTest();

  it("subscribes, renews past expiry, and processes a callback carrying the product's token end to end", async () => {
    let offset = 0;
    const s = await stack.start({
      notifications: { NOTIFICATION_EVENTS: "Leads.create,Leads.edit" },
      // The ingest reads the webhook secret fresh, so no propagation wait is needed.
      ingest: { WEBHOOK_SECRET_TTL_SECONDS: "0" },
      notificationsClock: { now: () => Date.now() + offset },
      notificationsTimer: false,
    });
    const sandbox = s.sandbox;
    if (!sandbox || !s.notifications) throw new Error("the sandbox and the channel manager should run");
    // Only the channel may bring lead events to the mediator in this test: no workflow rule.
    sandbox.state.automation.rules.length = 0;
    const secret = async () =>
      JSON.parse(
        (await s.connection?.store.get(`zoho-gpt-mediator/${DEFAULT_STAGE}/webhooks`, { fresh: true }))
          ?.value ?? "{}",
      ) as {
        notificationTokens: string[];
        [MANAGED_KEY]?: Record<string, { token: string; previousToken: string | null }>;
      };
    const channel = () => sandbox.state.automation.channels[0];
    const callbacks = () =>
      ((sandbox.inspect().webhooks_fired ?? []) as { kind: string; status: number; body: string }[]).filter(
        (w) => w.kind === "crm-notification",
      );
    const edit = (id: string, text: string) =>
      fetch(`${sandbox.url}/_sandbox/crm/Leads/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ Description: text }),
      });

    // 1. Subscribed with a token the product generated and stored before subscribing.
    const first = await s.notifications.run();
    expect(first.map((r) => [r.module, r.outcome])).toEqual([["Leads", "subscribed"]]);
    const t1 = channel()?.token ?? "";
    expect(t1.length).toBeGreaterThanOrEqual(20);
    expect(t1.length).toBeLessThanOrEqual(50);
    expect((await secret()).notificationTokens).toContain(t1);
    expect(channel()?.notify_url).toBe(`${s.api?.url}/v1/hooks/crm/notifications?connection=default`);

    // 2. Zoho's clock passes the channel's expiry (12 h by default): a change no longer fires.
    await fetch(`${sandbox.url}/_sandbox/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advance_seconds: 13 * 3600 }),
    });
    offset += 13 * 3600_000;
    const [id] = seededLeadIds(s);
    if (!id) throw new Error("the demo org has leads");
    await edit(id, "Expired channel: nobody should hear about this edit.");
    await sandbox.settle();
    expect(callbacks()).toHaveLength(0);

    // 3. The product renews it, with a new token; the previous one stays valid until the next renewal.
    const second = await s.notifications.run();
    expect(second.map((r) => r.outcome)).toEqual([expect.stringMatching(/^(renewed|subscribed)$/)]);
    const t2 = channel()?.token ?? "";
    expect(t2).not.toBe(t1);
    expect(channel()?.channel_expiry).toBeGreaterThan(Date.now() + offset);
    const stored = await secret();
    expect(stored.notificationTokens).toEqual(expect.arrayContaining([t1, t2]));
    expect(stored[MANAGED_KEY]?.default).toMatchObject({ token: t2, previousToken: t1 });

    // 4. A record change fires a callback with the product's token: accepted, queued, and written.
    await edit(id, "We are evaluating an AI assistant for 200 support agents; budget approved for Q1.");
    await until(() => {
      expect(callbacks().length).toBeGreaterThanOrEqual(1);
    });
    const callback = callbacks()[0];
    expect(callback?.status).toBe(200);
    expect(JSON.parse(callback?.body ?? "{}")).toMatchObject({ token: t2, ids: [id] });
    await until(() => {
      expect(leadWrites(s, id).length).toBeGreaterThanOrEqual(1);
    }, 20_000);
    expect(
      s.events.some((e) => /received\s+POST \/v1\/hooks\/crm\/notifications -> 200, queued 1/.test(e)),
    ).toBe(true);
    await until(() => {
      expect(s.events.some((e) => new RegExp(`written\\s+lead-enrichment Leads ${id}`).test(e))).toBe(true);
    });
  }, 60_000);
});
