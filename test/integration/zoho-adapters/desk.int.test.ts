/**
 * ZohoDeskHttp against the Zoho sandbox: a ticket and its threads (ids checked), `cf` updates, a refusal naming its
 * field (UpstreamRejectedError.field from Desk's JSON pointer), private comments, drafts and sent replies, the
 * org's field metadata and reply addresses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { createZohoPorts } from "../../../shared/adapters/zoho/ports.js";
import { UpstreamRejectedError } from "../../../shared/errors.js";
import type { ZohoDesk } from "../../../shared/ports/zoho-desk.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
let desk: ZohoDesk;
beforeAll(async () => {
  h = await startConnectionHarness();
  await h.connect();
});
beforeEach(() => {
  Object.assign(h.sandbox.options, { ...DEFAULT_OPTIONS, port: h.sandbox.port, seed: true });
  desk = createZohoPorts(h.container().zoho).desk;
});
afterAll(() => h.close());

const ticketId = () => [...h.sandbox.state.desk.tickets.keys()][0] as string;
const threadsOf = (id: string) => [...h.sandbox.state.desk.threads.values()].filter((t) => t.ticketId === id);
const picklistValue = (field: string) =>
  h.sandbox.state.desk.ticketFields.find((f) => f.apiName === field)?.allowedValues?.[0]?.value as string;

describe("ZohoDeskHttp", () => {
  it("reads a ticket with its checked id, custom fields and contact e-mail; null when it does not exist", async () => {
    const id = ticketId();

    const ticket = await desk.getTicket(id);

    expect(ticket?.id).toBe(id);
    expect(ticket?.subject).toEqual(expect.any(String));
    expect(ticket?.cf).toEqual(expect.any(Object));
    expect(await desk.getTicket("9999999999999999999")).toBeNull();
  });

  it("lists the ticket's threads oldest first and reads one; an unknown thread is null", async () => {
    const id = ticketId();

    const threads = await desk.listThreads(id);
    const first = await desk.getThread(id, threads[0]?.id as string);

    expect(threads.map((t) => t.id)).toEqual(expect.arrayContaining(threadsOf(id).map((t) => t.id)));
    expect(threads.every((t) => /^\d{1,19}$/.test(t.id))).toBe(true);
    expect(first?.content.length).toBeGreaterThan(0);
    expect(await desk.getThread(id, "9999999999999999999")).toBeNull();
  });

  it("updates the ticket's custom fields through cf", async () => {
    const id = ticketId();
    const urgency = picklistValue("cf_ai_urgency");

    await desk.updateTicketFields(id, { cf_ai_urgency: urgency });

    expect(h.sandbox.state.desk.tickets.get(id)?.cf.cf_ai_urgency).toBe(urgency);
  });

  it("throws UpstreamRejectedError naming the refused field when Desk refuses the update", async () => {
    const error = await desk
      .updateTicketFields(ticketId(), { cf_ai_urgency: "not one of the org's values" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error).toMatchObject({ code: "INVALID_DATA", field: "cf_ai_urgency" });
  });

  it("adds a private plain-text comment", async () => {
    const id = ticketId();

    await desk.addPrivateComment(id, "AI triage: billing question");

    const comment = [...h.sandbox.state.desk.comments.values()].find(
      (c) => (c as { content?: string }).content === "AI triage: billing question",
    ) as { isPublic?: boolean; contentType?: string } | undefined;
    expect(comment).toMatchObject({ isPublic: false, contentType: "plainText" });
  });

  it("saves a draft and sends a reply from an active reply address", async () => {
    const id = ticketId();
    const [from] = await desk.replyAddresses();

    await desk.draftReply(id, { content: "Draft for review", fromEmailAddress: from?.address as string });
    await desk.sendReply(id, {
      content: "Sent reply",
      to: "customer@example.test",
      fromEmailAddress: from?.address as string,
    });

    const out = threadsOf(id).filter((t) => t.direction === "out");
    expect(out.find((t) => t.content === "Draft for review")?.status).toBe("DRAFT");
    expect(out.find((t) => t.content === "Sent reply")?.status).toBe("SUCCESS");
  });

  it("reads the tickets module's live fields and the org's reply addresses", async () => {
    const fields = await desk.fields("tickets");
    const addresses = await desk.replyAddresses();

    expect(fields.find((f) => f.name === "cf_ai_urgency")?.type).toBe("picklist");
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => a.isActive && a.address.includes("@"))).toBe(true);
  });
});
