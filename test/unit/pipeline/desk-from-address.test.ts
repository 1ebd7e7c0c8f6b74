/**
 * The Desk from address over `ZohoDesk.replyAddresses`. Desk's answers are given in Desk's wire shape through the
 * adapter's ports (`createZohoPorts`), so the tolerant parsing is checked along with the choice.
 */
import { describe, expect, it } from "vitest";
import { createZohoPorts } from "../../../shared/adapters/zoho/ports.js";
import type { ZohoHttpClient } from "../../../shared/adapters/zoho/zoho-http-client.js";
import { ConfigError, NotFoundError } from "../../../shared/errors.js";
import { chooseReplyAddress, DeskFromAddress } from "../../../shared/pipeline/desk-from-address.js";
import type { ZohoDesk } from "../../../shared/ports/zoho-desk.js";

const LIST = {
  data: [
    { id: "1", address: "inactive@acme.example", departmentId: "10", isActive: false, isVerified: true },
    { id: "2", address: "first@acme.example", departmentId: "20", isActive: true, isVerified: true },
    { id: "3", address: "default@acme.example", departmentId: "30", isActive: true, isDefault: true },
    { id: "4", address: "sales@acme.example", departmentId: 40, isActive: true },
    { id: "5", displayName: "no address", isActive: true },
  ],
};

const deskOver = (http: Pick<ZohoHttpClient, "request">): ZohoDesk =>
  createZohoPorts(http as ZohoHttpClient).desk;

const zohoAnswering = (answer: () => unknown) => {
  const calls: unknown[] = [];
  const zoho = deskOver({
    request: async (req: unknown) => {
      calls.push(req);
      return { status: 200, data: answer() };
    },
  } as Pick<ZohoHttpClient, "request">);
  return { zoho, calls };
};

const active = async (body: unknown) =>
  (await zohoAnswering(() => body).zoho.replyAddresses()).filter((a) => a.isActive);

describe("Desk from address", () => {
  it("parses Desk's list tolerantly: active entries with an address, in Desk's order", async () => {
    expect((await active(LIST)).map((a) => a.address)).toEqual([
      "first@acme.example",
      "default@acme.example",
      "sales@acme.example",
    ]);
    expect(await active({ data: null })).toEqual([]);
    expect(await active("nonsense")).toEqual([]);
  });

  it("prefers the ticket's department, then the default, then the first active address", async () => {
    const list = await active(LIST);

    expect(chooseReplyAddress(list, "40")).toBe("sales@acme.example");
    expect(chooseReplyAddress(list, "99")).toBe("default@acme.example");
    expect(chooseReplyAddress(list, null)).toBe("default@acme.example");
    expect(
      chooseReplyAddress(
        list.filter((a) => !a.isDefault),
        "99",
      ),
    ).toBe("first@acme.example");
    expect(chooseReplyAddress(list, "10")).toBe("default@acme.example");
  });

  it("uses DESK_FROM_ADDRESS when configured, without asking Desk", async () => {
    const { zoho, calls } = zohoAnswering(() => LIST);
    const from = new DeskFromAddress("support@zylker.example", { now: () => 0 });

    expect(await from.for(zoho, "default", "40")).toBe("support@zylker.example");
    expect(calls).toHaveLength(0);
  });

  it("asks for the ticket's department's addresses (Desk's list takes departmentId), once per TTL per connection and department", async () => {
    let now = 0;
    const calls: { query?: Record<string, string> }[] = [];
    const zoho = deskOver({
      request: async (req: { query?: Record<string, string> }) => {
        calls.push(req);
        const dept = req.query?.departmentId;
        const list = (LIST as { data: { departmentId: unknown }[] }).data;
        return {
          status: 200,
          data: { data: dept ? list.filter((a) => String(a.departmentId) === dept) : list },
        };
      },
    } as unknown as Pick<ZohoHttpClient, "request">);
    const from = new DeskFromAddress(null, { now: () => now }, 60_000);

    expect(await from.for(zoho, "default", "20")).toBe("first@acme.example");
    expect(await from.for(zoho, "default", "20")).toBe("first@acme.example");
    expect(await from.for(zoho, "default", "40")).toBe("sales@acme.example");
    expect(calls.map((c) => c.query)).toEqual([
      { isActive: "true", departmentId: "20" },
      { isActive: "true", departmentId: "40" },
    ]);
    // A department without its own address (or a ticket without one) falls back to the org's list.
    expect(await from.for(zoho, "default", "99")).toBe("default@acme.example");
    expect(calls.map((c) => c.query).slice(2)).toEqual([
      { isActive: "true", departmentId: "99" },
      { isActive: "true" },
    ]);
    now = 60_000;
    await from.for(zoho, "default", "20");
    expect(calls).toHaveLength(5);
  });

  it("fails with a clear configuration error (not retryable) when the org has no active address", async () => {
    for (const zoho of [
      zohoAnswering(() => ({ data: [] })).zoho,
      deskOver({
        request: async () => {
          throw new NotFoundError("zoho-desk", "not found");
        },
      }),
    ]) {
      const error = await new DeskFromAddress(null, { now: () => 0 }).for(zoho, "default").catch((e) => e);

      expect(error).toBeInstanceOf(ConfigError);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/no active mail reply address.*DESK_FROM_ADDRESS/);
    }
  });
});
