/**
 * The sandbox's state stays snapshot-able: `npm start` keeps the org across restarts by serialising each component's
 * own data (infra/local/persistence.ts), so the rooms the sandbox is split into keep their data as plain own
 * properties and their behaviour out of it. Watch channels and attachments survive a snapshot and a restore.
 */
import { afterEach, expect, it } from "vitest";
import { restoreSandbox, snapshotSandbox } from "../../../infra/local/persistence.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { connect } from "../../helpers/zoho.js";

const started: ZohoSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});
const start = async () => {
  const sandbox = await startZohoSandbox();
  started.push(sandbox);
  return sandbox;
};

it("restores watch channels and attachments into a fresh sandbox, where they still work", async () => {
  const before = await start();
  const conn = await connect(before);
  const watch = await conn.crm("actions/watch", {
    method: "POST",
    body: { watch: [{ channel_id: "123", events: ["Leads.all"], notify_url: "http://127.0.0.1:9/hook" }] },
  });
  const lead = (await conn.crm("Leads?fields=Email&per_page=1")).body.data[0] as { id: string };
  const attached = await fetch(`${before.url}/_sandbox/attachments`, {
    method: "POST",
    body: JSON.stringify({ module: "Leads", record_id: lead.id, file_name: "a.txt", text: "hello" }),
  });
  const attachmentId = ((await attached.json()) as { id: string }).id;

  const after = await start();
  const restored = restoreSandbox(after, snapshotSandbox(before, "demo"), "demo");
  const conn2 = await connect(after);
  const channels = await conn2.crm("actions/watch");
  const download = await fetch(`${conn2.apiDomain}/crm/v8/Leads/${lead.id}/Attachments/${attachmentId}`, {
    headers: { authorization: `Zoho-oauthtoken ${conn2.accessToken}` },
  });

  expect(watch.status).toBe(201);
  expect(restored).toBe(true);
  expect(channels.body.watch.map((c: { channel_id: string }) => c.channel_id)).toEqual(["123"]);
  expect(after.state.automation.channels).toHaveLength(1);
  expect(download.status).toBe(200);
  expect(await download.text()).toBe("hello");
});
