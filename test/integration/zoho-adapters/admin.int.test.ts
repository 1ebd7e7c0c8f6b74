/**
 * ZohoAdminHttp against the Zoho sandbox: CRM modules, Create Custom Field (created, then DUPLICATE_DATA as a
 * result, not an error), Notification API channels (subscribe, list, disable) and the token's Desk organizations.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { createZohoAdmin } from "../../../shared/adapters/zoho/ports.js";
import type { ZohoAdmin } from "../../../shared/ports/zoho-admin.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
let admin: ZohoAdmin;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
beforeEach(() => {
  Object.assign(h.sandbox.options, { ...DEFAULT_OPTIONS, port: h.sandbox.port, seed: true });
  admin = createZohoAdmin(h.container().zoho);
});
afterAll(() => h.close());

describe("ZohoAdminHttp", () => {
  it("lists the org's CRM modules", async () => {
    const modules = await admin.crmModules();

    expect(modules.map((m) => m.apiName)).toEqual(expect.arrayContaining(["Leads", "Contacts"]));
  });

  it("creates a custom field once; the second time is Zoho's DUPLICATE_DATA answer", async () => {
    const field = { label: "AI Adapter Probe", dataType: "text", length: 120 };

    const first = await admin.createCustomField("Leads", field);
    const again = await admin.createCustomField("Leads", field);

    expect(first).toMatchObject({ code: "SUCCESS", id: expect.stringMatching(/^\d+$/) });
    expect(again.code).toBe("DUPLICATE_DATA");
    expect(admin.describeCustomField("Leads", field)).toBe(
      'POST /crm/v8/settings/fields?module=Leads {"fields":[{"field_label":"AI Adapter Probe","data_type":"text","length":120}]}',
    );
  });

  it("subscribes a channel, lists it with its events and expiry, and disables it", async () => {
    const expiresAt = Date.now() + 6 * 3_600_000;
    const channelId = 1_000_000_123;

    const results = await admin.watch([
      {
        channelId,
        events: ["Leads.create", "Leads.edit"],
        notifyUrl: "https://mediator.example/v1/hooks/crm/notifications?connection=default",
        token: "adapter-test-channel-token",
        expiresAt,
      },
    ]);
    const listed = await admin.listWatches(channelId, "Leads");
    await admin.unwatch([channelId]);
    const after = await admin.listWatches(channelId, "Leads");

    expect(results).toEqual([{ ok: true }]);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ channelId: String(channelId), events: ["Leads.create", "Leads.edit"] });
    expect(Math.abs((listed[0]?.expiresAt ?? 0) - expiresAt)).toBeLessThan(1_000);
    expect(after).toEqual([]);
  });

  it("lists the Desk organizations the token reaches", async () => {
    expect(await admin.deskOrganizations()).toContain(h.sandbox.demo().orgId);
  });
});
