/**
 * Routing by the catalog on the shared routes: a Notification API callback goes to the use case watching its
 * module, a Desk event to the use case taking its type, whichever use cases the catalog holds.
 */
import { describe, expect, it } from "vitest";
import type { UseCaseDescriptor } from "../../../../shared/use-cases/descriptor.js";
import { ingestHarness, SECRETS } from "../../../helpers/ingest.js";

const descriptor = (name: string, triggers: UseCaseDescriptor["triggers"]): UseCaseDescriptor => ({
  name,
  title: name,
  service: "crm",
  triggers,
});
const catalog = [
  descriptor("lead-watch", { crmNotification: { modules: ["Leads"] } }),
  descriptor("deal-watch", { crmNotification: { modules: ["Deals"] } }),
  descriptor("new-tickets", { deskWebhook: { events: ["Ticket_Add"] } }),
  descriptor("replies", { deskWebhook: { events: ["Ticket_Thread_Add"] } }),
];

const notification = (module: string, ids: string[]) =>
  JSON.stringify({
    module,
    ids,
    operation: "update",
    channel_id: "1",
    server_time: 1,
    token: SECRETS.notificationTokens[0],
  });

describe("routing on the shared routes", () => {
  it("sends each Notification API callback to the use case watching its module", async () => {
    const { call, queue } = ingestHarness({ catalog });

    await call({ path: "/v1/hooks/crm/notifications", body: notification("Leads", ["1"]) });
    await call({ path: "/v1/hooks/crm/notifications", body: notification("Deals", ["2"]) });
    const other = await call({
      path: "/v1/hooks/crm/notifications",
      body: notification("Contacts", ["3", "4"]),
    });

    expect(queue.sent.map((m) => [m.useCase, m.subject?.module, m.subject?.id])).toEqual([
      ["lead-watch", "Leads", "1"],
      ["deal-watch", "Deals", "2"],
    ]);
    // The body names the request's correlation id too (issue 13), the one its header carries.
    expect([other.statusCode, other.json]).toEqual([
      200,
      { accepted: 0, ignored: 2, jobIds: [], correlationId: other.headers["x-correlation-id"] },
    ]);
  });

  it("sends each Desk event to the use case taking its type: one delivery can feed two use cases for one ticket", async () => {
    const { call, queue } = ingestHarness({ catalog });
    const events = [
      { eventType: "Ticket_Add", orgId: "1", eventTime: "1", payload: { id: "7" } },
      { eventType: "Ticket_Thread_Add", orgId: "1", eventTime: "2", payload: { id: "8", ticketId: "7" } },
      { eventType: "Ticket_Thread_Add", orgId: "1", eventTime: "3", payload: { id: "9", ticketId: "7" } },
      { eventType: "Ticket_Update", orgId: "1", eventTime: "4", payload: { id: "7" } },
    ];

    const res = await call({
      path: "/v1/hooks/desk",
      body: JSON.stringify(events),
      query: { token: SECRETS.token },
    });

    expect(res.json).toMatchObject({ accepted: 2, ignored: 2 });
    expect(queue.sent.map((m) => [m.useCase, m.subject?.id, m.input.threadId])).toEqual([
      ["new-tickets", "7", undefined],
      ["replies", "7", "8"],
    ]);
  });
});
