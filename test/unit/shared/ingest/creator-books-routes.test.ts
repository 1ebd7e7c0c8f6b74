/**
 * The Creator workflow route (a Deluge `invokeUrl`) and the Books webhook route (a workflow rule's default payload):
 * one unit per record, 19-digit ids kept exact, bad bodies a 422, and the Books loop guard: a delivery whose only
 * changes are the mediator's own fields has the dedup key of the event that caused the write.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../shared/errors.js";
import { booksWebhookRoute } from "../../../../shared/ingest/routes/books-webhook.js";
import { creatorWorkflowRoute } from "../../../../shared/ingest/routes/creator-workflow.js";

const req = (body: string) => ({
  method: "POST",
  path: "/v1/hooks/x/y",
  headers: { "content-type": "application/json" },
  query: {},
  body,
});
const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).httpStatus;
  }
  return 200;
};

describe("POST /v1/hooks/creator/<use case>", () => {
  const route = creatorWorkflowRoute("service-triage", "service-desk", "All_Service_Requests");

  it("makes one unit from the snippet's body, the id exact even when sent as a bare number", () => {
    const asText = route(req('{"id":"3888833000000114027","modified_time":"01-Dec-2026 10:00:00"}'));
    const bare = route(req('{"id":3888833000000114027,"modified_time":"01-Dec-2026 10:00:00"}'));

    expect(asText.units[0]).toMatchObject({
      useCase: "service-triage",
      source: "creator-workflow",
      dedupKey: "creator:service-desk:All_Service_Requests:3888833000000114027:01-Dec-2026 10:00:00",
      input: { id: "3888833000000114027", modifiedTime: "01-Dec-2026 10:00:00" },
    });
    expect(bare.units[0]?.input).toEqual(asText.units[0]?.input);
  });

  it("refuses another app or report, an id that is not one, and unknown keys, with a 422", () => {
    expect(status(() => route(req('{"id":"1","app":"other"}')))).toBe(422);
    expect(status(() => route(req('{"id":"1","report":"Other_Report"}')))).toBe(422);
    expect(status(() => route(req('{"id":"../1"}')))).toBe(422);
    expect(status(() => route(req('{"id":"1","extra":"x"}')))).toBe(422);
    expect(status(() => route(req('{"id":"1","app":"service-desk","report":"All_Service_Requests"}')))).toBe(
      200,
    );
  });
});

describe("POST /v1/hooks/books/<use case>", () => {
  const writes = ["cf_ai_risk_level", "cf_ai_reminder_draft"];
  const route = booksWebhookRoute("overdue-follow-up", "invoices", writes);
  const invoice = {
    invoice_id: "2991628000000132174",
    status: "overdue",
    balance: 1200,
    last_modified_time: "2026-12-01T10:00:00+0000",
    cf_ai_risk_level: "",
    custom_fields: [
      { api_name: "cf_ai_risk_level", value: "" },
      { api_name: "cf_po", value: "PO-1" },
    ],
    custom_field_hash: { cf_ai_risk_level: "", cf_ai_risk_level_unformatted: "", cf_po: "PO-1" },
  };
  const keyOf = (entity: Record<string, unknown>) =>
    route(req(JSON.stringify({ invoice: entity }))).units[0]?.dedupKey as string;

  it("makes one unit from the default payload", () => {
    const { units } = route(req(JSON.stringify({ invoice })));

    expect(units).toHaveLength(1);
    expect(units[0]).toMatchObject({ source: "books-webhook", input: { id: "2991628000000132174" } });
    expect(units[0]?.dedupKey).toMatch(/^books:invoices:2991628000000132174:[0-9a-f]{32}$/);
  });

  it("gives the mediator's own write the key of the event that caused it (the loop guard)", () => {
    const echo = {
      ...invoice,
      last_modified_time: "2026-12-01T10:00:05+0000",
      cf_ai_risk_level: "High",
      cf_ai_risk_level_formatted: "High",
      custom_fields: [
        { api_name: "cf_ai_risk_level", value: "High" },
        { api_name: "cf_po", value: "PO-1" },
      ],
      custom_field_hash: { cf_ai_risk_level: "High", cf_ai_risk_level_unformatted: "High", cf_po: "PO-1" },
    };

    expect(keyOf(echo)).toBe(keyOf(invoice));
  });

  it("gives any change to a field the mediator does not write a new key (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.string({ maxLength: 20 }), (balance, po) => {
        fc.pre(balance !== invoice.balance || po !== "PO-1");
        const changed = {
          ...invoice,
          balance,
          custom_fields: [
            { api_name: "cf_ai_risk_level", value: "" },
            { api_name: "cf_po", value: po },
          ],
          custom_field_hash: { ...invoice.custom_field_hash, cf_po: po },
        };
        expect(keyOf(changed)).not.toBe(keyOf(invoice));
      }),
    );
  });

  it("takes a large invoice (many line items, a control character in its notes): only its id and digest are queued", () => {
    const big = {
      ...invoice,
      notes: "Paid in part.\u0007 See attachment.",
      line_items: Array.from({ length: 3_000 }, (_, i) => ({
        line_item_id: String(i),
        name: `Item ${i}`,
        rate: i,
      })),
    };

    const { units } = route(req(JSON.stringify({ invoice: big })));

    expect(units).toHaveLength(1);
    expect(units[0]?.input).toEqual({ id: "2991628000000132174" });
  });

  it("refuses a payload without the entity or its id, with a 422", () => {
    expect(status(() => route(req('{"contact":{"contact_id":"1"}}')))).toBe(422);
    expect(status(() => route(req('{"invoice":{"invoice_id":"x1"}}')))).toBe(422);
    expect(status(() => route(req("[]")))).toBe(422);
  });
});
