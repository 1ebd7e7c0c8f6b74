/**
 * Zoho sandbox: the Notifications API (`/crm/v8/actions/watch`) enable, list, update/renew, disable and delete, with
 * `channel_expiry` honoured against the sandbox clock and the channel's token in every callback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { startReceiver } from "../../helpers/receiver.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let leadId: string;

const CHANNEL = "1000000068001";
const TOKEN = "chan-token-1";
const HOUR = 3600_000;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  receiver.received.length = 0;
  conn = await connect(sandbox);
  leadId = (await conn.crm("Leads?fields=Email&per_page=1")).body.data[0].id;
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const now = () => sandbox.state.ctx.clock.now();
const iso = (ms: number) => new Date(ms).toISOString();
const channel = (extra: Record<string, unknown> = {}) => ({
  channel_id: CHANNEL,
  events: ["Leads.all"],
  notify_url: `${receiver.url}/v1/hooks/crm/notifications`,
  token: TOKEN,
  ...extra,
});
/** Moves the sandbox clock and refreshes the access token, which the same clock expires after an hour. */
const advance = async (seconds: number) => {
  sandbox.advanceClock(seconds);
  const { body } = await conn.refresh();
  conn.accessToken = body.access_token as string;
};
const watch = (method: string, items: unknown[]) =>
  conn.crm("actions/watch", { method, body: { watch: items } });
const expiryOf = (res: { body: any }) => Date.parse(res.body.watch[0].details.events[0].channel_expiry);
/** Edits the lead and waits for every delivery it caused; returns the callbacks received since `from`. */
const edit = async (from: number) => {
  const res = await conn.crm("Leads", {
    method: "PUT",
    body: { data: [{ id: leadId, City: `C${Date.now()}` }], trigger: [] },
  });
  expect(res.status).toBe(200);
  await sandbox.settle();
  return receiver.posts().slice(from);
};

describe("Notifications API channel expiry", () => {
  it("defaults to 1 h; an expired channel stops firing callbacks", async () => {
    const t0 = now();
    const res = await watch("POST", [channel()]);
    const live = await edit(0);
    await advance(3601);
    const expired = await edit(1);

    expect(res.status).toBe(201);
    expect(Math.abs(expiryOf(res) - (t0 + HOUR))).toBeLessThan(5_000);
    expect(live).toHaveLength(1);
    expect(JSON.parse(live[0]?.body ?? "")).toMatchObject({
      channel_id: CHANNEL,
      token: TOKEN,
      ids: [leadId],
    });
    expect(expired).toHaveLength(0);
  });

  it.each([
    ["PATCH", "patch"],
    ["PUT", "put"],
    ["POST", "post"],
  ])("renews an expired channel with %s and a later channel_expiry, and callbacks resume", async (method) => {
    await watch("POST", [channel()]);
    await advance(2 * 3600);
    const silent = await edit(0);
    const later = iso(now() + 6 * HOUR);

    const renew = await watch(method, [
      method === "PATCH"
        ? { channel_id: CHANNEL, channel_expiry: later }
        : channel({ channel_expiry: later }),
    ]);
    const resumed = await edit(0);
    await advance(5 * 3600);
    const stillLive = await edit(1);

    expect(silent).toHaveLength(0);
    expect(renew.body.watch[0].status).toBe("success");
    expect(expiryOf(renew)).toBe(Date.parse(later.replace(/\.\d{3}Z$/, "Z")));
    expect(resumed).toHaveLength(1);
    expect(JSON.parse(resumed[0]?.body ?? "")).toMatchObject({ token: TOKEN });
    expect(stillLive).toHaveLength(1);
  });

  it("cuts an expiry beyond the maximum (a setting, 1 day by default) and refuses a past one", async () => {
    const t0 = now();
    const far = await watch("POST", [channel({ channel_expiry: iso(t0 + 30 * 24 * HOUR) })]);
    sandbox.options.watchMaxExpirySeconds = 7 * 86_400;
    const week = await watch("POST", [channel({ channel_expiry: iso(t0 + 7 * 24 * HOUR) })]);
    const past = await watch("POST", [channel({ channel_expiry: iso(t0 - HOUR) })]);

    expect(Math.abs(expiryOf(far) - (t0 + 24 * HOUR))).toBeLessThan(5_000);
    expect(Math.abs(expiryOf(week) - (t0 + 7 * 24 * HOUR))).toBeLessThan(5_000);
    expect(past.status).toBe(202);
    expect(past.body.watch[0]).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "channel_expiry" },
    });
  });

  it("a token updated by PATCH is the one later callbacks carry", async () => {
    await watch("POST", [channel()]);
    await watch("PATCH", [{ channel_id: CHANNEL, token: "rotated-token" }]);

    const posts = await edit(0);

    expect(JSON.parse(posts[0]?.body ?? "")).toMatchObject({ token: "rotated-token" });
  });
});

describe("Notifications API operations", () => {
  it("lists channels with events, token and expiry (expired ones too), filters by channel_id, 204 when none", async () => {
    const none = await conn.crm("actions/watch");
    await watch("POST", [channel(), channel({ channel_id: "1000000068002", events: ["Deals.create"] })]);
    await advance(3601);

    const all = await conn.crm("actions/watch");
    const one = await conn.crm(`actions/watch?channel_id=${CHANNEL}`);

    expect(none.status).toBe(204);
    expect(all.body.watch).toHaveLength(2);
    expect(one.body.watch).toEqual([
      expect.objectContaining({
        channel_id: CHANNEL,
        events: ["Leads.all"],
        token: TOKEN,
        resource_name: "Leads",
      }),
    ]);
    expect(Date.parse(one.body.watch[0].channel_expiry)).toBeLessThan(now());
  });

  it("PATCH with _delete_events disables those events; DELETE removes the channel", async () => {
    await watch("POST", [channel({ events: ["Leads.create", "Leads.edit"] })]);
    const disabled = await watch("PATCH", [
      { channel_id: CHANNEL, events: ["Leads.edit"], _delete_events: true },
    ]);
    const afterDisable = await edit(0);
    await conn.crm("Leads", { method: "POST", body: { data: [{ Last_Name: "New" }], trigger: [] } });
    await sandbox.settle();
    const created = receiver.posts();

    const deleted = await conn.crm(`actions/watch?channel_ids=${CHANNEL}`, { method: "DELETE" });
    const again = await conn.crm(`actions/watch?channel_ids=${CHANNEL}`, { method: "DELETE" });
    const listed = await conn.crm("actions/watch");

    expect(disabled.status).toBe(200);
    expect(afterDisable).toHaveLength(0);
    expect(created).toHaveLength(1);
    expect(JSON.parse(created[0]?.body ?? "")).toMatchObject({ operation: "insert" });
    expect(deleted.status).toBe(200);
    expect(again.status).toBe(202);
    expect(again.body.watch[0].code).toBe("NOT_SUBSCRIBED");
    expect(listed.status).toBe(204);
  });

  it("refuses a token over 50 characters, a channel id that is not a long integer, and PUT on an unknown channel", async () => {
    const longToken = await watch("POST", [channel({ token: "t".repeat(51) })]);
    const badId = await watch("POST", [channel({ channel_id: "abc" })]);
    const unknown = await watch("PUT", [channel({ channel_id: "1000000069999" })]);

    expect(longToken.body.watch[0]).toMatchObject({ code: "INVALID_DATA", details: { api_name: "token" } });
    expect(badId.body.watch[0]).toMatchObject({ code: "INVALID_DATA", details: { api_name: "channel_id" } });
    expect(unknown.body.watch[0].code).toBe("NOT_SUBSCRIBED");
  });

  it("checks the notifications scope per operation", async () => {
    const createOnly = await connect(sandbox, ["ZohoCRM.notifications.CREATE", "ZohoCRM.modules.ALL"]);

    const created = await createOnly.crm("actions/watch", { method: "POST", body: { watch: [channel()] } });
    const listed = await createOnly.crm("actions/watch");
    const renewed = await createOnly.crm("actions/watch", {
      method: "PATCH",
      body: { watch: [{ channel_id: CHANNEL, channel_expiry: iso(now() + HOUR) }] },
    });

    expect(created.status).toBe(201);
    expect(listed.body.code).toBe("OAUTH_SCOPE_MISMATCH");
    expect(renewed.body.code).toBe("OAUTH_SCOPE_MISMATCH");
  });
});
