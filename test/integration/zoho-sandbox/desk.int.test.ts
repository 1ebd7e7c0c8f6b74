/** Zoho sandbox, Desk v1: checklist items 19-22 of zoho-api-notes §8. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { startReceiver } from "../../helpers/receiver.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let answer: (method: string) => number = () => 200;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  receiver = await startReceiver((r) => answer(r.method));
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  receiver.received.length = 0;
  answer = () => 200;
  conn = await connect(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const firstTicket = async () =>
  (await conn.desk("tickets?limit=1")).body.data[0] as { id: string; email: string; departmentId: string };
const subscribe = (extra: Record<string, unknown> = {}) =>
  conn.desk("webhooks", {
    method: "POST",
    body: {
      name: "mediator",
      url: `${receiver.url}/v1/hooks/desk`,
      subscriptions: {
        Ticket_Add: null,
        Ticket_Update: { includePrevState: true },
        Ticket_Comment_Add: null,
      },
      ...extra,
    },
  });

describe("item 19: orgId header and Desk auth errors", () => {
  it("answers 422 UNPROCESSABLE_ENTITY without the orgId header, with the status configurable", async () => {
    const missing = await conn.desk("tickets?limit=1", { orgId: null });
    sandbox.options.deskMissingOrgIdStatus = 400;
    const configured = await conn.desk("tickets?limit=1", { orgId: null });

    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ errorCode: "UNPROCESSABLE_ENTITY" });
    expect(configured.status).toBe(400);
  });

  it("answers 401 INVALID_OAUTH for a bad token", async () => {
    const res = await conn.desk("tickets?limit=1", {
      headers: { authorization: "Zoho-oauthtoken 1000.bad.token" },
    });

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errorCode: "INVALID_OAUTH", message: expect.any(String) });
  });
});

describe("item 20: PATCH tickets", () => {
  it("returns the full ticket with the changes, custom fields included", async () => {
    const ticket = await firstTicket();

    const res = await conn.desk(`tickets/${ticket.id}`, {
      method: "PATCH",
      body: { priority: "High", cf: { cf_ai_sentiment: "Negative", cf_ai_category: "Billing" } },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ticket.id,
      priority: "High",
      subject: expect.any(String),
      cf: { cf_ai_sentiment: "Negative", cf_ai_category: "Billing", cf_ai_urgency: null },
    });
  });

  it("answers 422 INVALID_DATA with JSON-pointer field errors for invalid values", async () => {
    const ticket = await firstTicket();

    const res = await conn.desk(`tickets/${ticket.id}`, {
      method: "PATCH",
      body: { assigneeId: "1111111111111111111", cf: { cf_ai_sentiment: "Furious" } },
    });

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      errorCode: "INVALID_DATA",
      message: "The data does not comply to the validation restrictions defined.",
      errors: [
        { fieldName: "/assigneeId", errorType: "invalid" },
        { fieldName: "/cf/cf_ai_sentiment", errorType: "invalid" },
      ],
    });
  });

  it("answers 404 URL_NOT_FOUND for an unknown ticket", async () => {
    const res = await conn.desk("tickets/1111111111111111111", {
      method: "PATCH",
      body: { priority: "Low" },
    });

    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe("URL_NOT_FOUND");
  });
});

describe("item 21: comments, drafts and sent replies", () => {
  it("adds a private comment and lists it", async () => {
    const ticket = await firstTicket();

    const res = await conn.desk(`tickets/${ticket.id}/comments`, {
      method: "POST",
      body: { isPublic: false, contentType: "plainText", content: "AI summary: duplicate charge." },
    });
    const list = await conn.desk(`tickets/${ticket.id}/comments`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      isPublic: false,
      contentType: "plainText",
      content: "AI summary: duplicate charge.",
      commenterId: expect.any(String),
    });
    expect(list.body.data).toHaveLength(1);
  });

  it("refuses a comment over 32000 characters", async () => {
    const ticket = await firstTicket();

    const res = await conn.desk(`tickets/${ticket.id}/comments`, {
      method: "POST",
      body: { content: "x".repeat(32_001) },
    });

    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ fieldName: "/content", errorType: "invalid" }]);
  });

  it("saves a draft reply without sending it, and sends a reply only with fromEmailAddress", async () => {
    const ticket = await firstTicket();

    const draft = await conn.desk(`tickets/${ticket.id}/draftReply`, {
      method: "POST",
      body: {
        channel: "EMAIL",
        contentType: "html",
        content: "<p>Hi, we refunded you.</p>",
        fromEmailAddress: "support@zylker.example",
      },
    });
    const unsent = await conn.desk(`tickets/${ticket.id}/sendReply`, {
      method: "POST",
      body: { channel: "EMAIL", content: "x", to: ticket.email },
    });
    const sent = await conn.desk(`tickets/${ticket.id}/sendReply`, {
      method: "POST",
      body: {
        channel: "EMAIL",
        content: "Done",
        fromEmailAddress: "support@zylker.example",
        to: ticket.email,
      },
    });
    const modules = (sandbox.inspect().writes as { module: string }[]).map((w) => w.module);

    expect(draft.body).toMatchObject({ status: "DRAFT", direction: "out" });
    expect(unsent.status).toBe(422);
    expect(unsent.body.errors).toEqual([{ fieldName: "/fromEmailAddress", errorType: "missing" }]);
    expect(sent.body).toMatchObject({ status: "SUCCESS", direction: "out" });
    expect(modules).toEqual(["drafts", "replies"]);
  });
});

describe("item 22: Desk webhooks", () => {
  it("checks the URL with a GET on registration, and refuses a URL that does not answer 200", async () => {
    const ok = await subscribe();
    answer = (m) => (m === "GET" ? 404 : 200);
    const refused = await subscribe();

    expect(ok.status).toBe(200);
    expect(receiver.received.filter((r) => r.method === "GET")).toHaveLength(2);
    expect(refused.status).toBe(422);
  });

  it("delivers events as a JSON array, with prevState when asked", async () => {
    await subscribe();
    const ticket = await firstTicket();

    await conn.desk(`tickets/${ticket.id}`, { method: "PATCH", body: { status: "On Hold" } });
    await sandbox.settle();
    const events = JSON.parse(receiver.posts()[0]?.body ?? "null");

    expect(Array.isArray(events)).toBe(true);
    expect(events[0]).toMatchObject({
      eventType: "Ticket_Update",
      orgId: sandbox.demo().orgId,
      eventTime: expect.stringMatching(/^\d+$/),
      payload: { id: ticket.id, status: "On Hold" },
      prevState: { status: "Open" },
    });
  });

  it("delivers events raised by one request together in one array", async () => {
    await subscribe();
    const dept = (await firstTicket()).departmentId;
    const contactId = sandbox.state.desk.contacts[0]?.id;

    await conn.desk("tickets", { method: "POST", body: { subject: "New", departmentId: dept, contactId } });
    await sandbox.settle();

    expect(receiver.posts()).toHaveLength(1);
    expect(
      JSON.parse(receiver.posts()[0]?.body ?? "[]").map((e: { eventType: string }) => e.eventType),
    ).toEqual(["Ticket_Add"]);
  });

  it("counts anything but 200 as a failure, and removes the subscription on 410", async () => {
    await subscribe();
    const ticket = await firstTicket();
    answer = (m) => (m === "POST" ? 202 : 200);
    await conn.desk(`tickets/${ticket.id}`, { method: "PATCH", body: { priority: "Low" } });
    await sandbox.settle();
    answer = (m) => (m === "POST" ? 410 : 200);
    await conn.desk(`tickets/${ticket.id}`, { method: "PATCH", body: { priority: "High" } });
    await sandbox.settle();
    await conn.desk(`tickets/${ticket.id}`, { method: "PATCH", body: { priority: "Medium" } });
    await sandbox.settle();

    expect((sandbox.inspect().webhook_failures as { status: number }[]).map((f) => f.status)).toEqual([
      202, 410,
    ]);
    expect(receiver.posts()).toHaveLength(2);
    expect((await conn.desk("webhooks")).body.data).toHaveLength(0);
  });

  it("drops events caused by a call that identifies itself with the webhook's ignoreSourceId", async () => {
    const sourceId = "5d3c8a3e-6b1f-4c9a-9d8e-000000000001";
    await subscribe({ ignoreSourceId: sourceId });
    const ticket = await firstTicket();

    await conn.desk(`tickets/${ticket.id}/comments`, {
      method: "POST",
      body: { content: "from the mediator" },
      headers: { sourceId },
    });
    await conn.desk(`tickets/${ticket.id}/comments`, { method: "POST", body: { content: "from an agent" } });
    await sandbox.settle();

    expect(receiver.posts()).toHaveLength(1);
    expect(JSON.parse(receiver.posts()[0]?.body ?? "[]")[0].payload.content).toBe("from an agent");
  });
});
