/** fields create: Create Custom Field requests and Zoho's per-field answers, through the real Zoho HTTP client. */
import { describe, expect, it } from "vitest";
import { customFieldBody } from "../../../../shared/adapters/zoho/admin.js";
import { createZohoAdmin } from "../../../../shared/adapters/zoho/ports.js";
import type { TokenProvider } from "../../../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../../../shared/adapters/zoho/zoho-http-client.js";
import type { CustomFieldSpec, MappingCheck } from "../../../../shared/domain/field-mapping.js";
import type { ZohoConnection } from "../../../../shared/domain/zoho-connection.js";
import {
  deskFieldSteps,
  makeCreateFields,
  newCustomField,
  planFields,
} from "../../../../shared/use-cases/create-fields.js";

const conn = {
  name: "default",
  apiDomain: "https://crm.zoho.test",
  desk: null,
} as unknown as ZohoConnection;
const tokens = {
  get: async () => ({ token: "1000.token", connection: conn }),
  invalidate: async () => {},
} as unknown as TokenProvider;

type Answer = { status: number; body: unknown };

/** A fake Zoho that records each request and answers from a queue (one per request). */
function fakeZoho(answers: Answer[]) {
  const requests: { url: URL; method: string; body: unknown }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: new URL(String(input)),
      method: init?.method ?? "GET",
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const a = answers.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(a.body), { status: a.status });
  }) as typeof fetch;
  const zoho = new ZohoHttpClient({ tokens, fetch: fetchFn, sleep: async () => {} });
  return { zoho, requests };
}

const stage: CustomFieldSpec = {
  module: "Leads",
  apiName: "AI_Buying_Stage",
  label: "AI Buying Stage",
  dataType: "picklist",
  picklistValues: ["Awareness", "Consideration", "Decision", "Purchase"],
};
const reason: CustomFieldSpec = {
  module: "Leads",
  apiName: "AI_Score_Reason",
  label: "AI Score Reason",
  dataType: "text",
  length: 255,
};
const success = (id: string): Answer => ({
  status: 201,
  body: { fields: [{ code: "SUCCESS", details: { id }, message: "field created", status: "success" }] },
});

describe("fields create", () => {
  it("posts one Create Custom Field request per field, with Zoho's body shape", async () => {
    const { zoho, requests } = fakeZoho([success("9001"), success("9002")]);

    const results = await makeCreateFields({ admin: createZohoAdmin(zoho) })([stage, reason]);

    expect(results.map((r) => [r.outcome, r.id])).toEqual([
      ["created", "9001"],
      ["created", "9002"],
    ]);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.method).toBe("POST");
    expect(`${requests[0]?.url.pathname}${requests[0]?.url.search}`).toBe(
      "/crm/v8/settings/fields?module=Leads",
    );
    expect(requests[0]?.body).toEqual({
      fields: [
        {
          field_label: "AI Buying Stage",
          data_type: "picklist",
          pick_list_values: [
            { display_value: "Awareness", actual_value: "Awareness" },
            { display_value: "Consideration", actual_value: "Consideration" },
            { display_value: "Decision", actual_value: "Decision" },
            { display_value: "Purchase", actual_value: "Purchase" },
          ],
        },
      ],
    });
    expect(requests[1]?.body).toEqual({
      fields: [{ field_label: "AI Score Reason", data_type: "text", length: 255 }],
    });
    expect(results[0]?.message).toBe(
      "Leads.AI_Buying_Stage: created (picklist: Awareness, Consideration, Decision, Purchase)",
    );
  });

  it("reports each field's answer: an existing label, the module's limit, an invalid value", async () => {
    const { zoho } = fakeZoho([
      {
        status: 400,
        body: { fields: [{ code: "DUPLICATE_DATA", details: { api_name: "field_label" }, status: "error" }] },
      },
      {
        status: 400,
        body: {
          fields: [
            {
              code: "LIMIT_EXCEEDED",
              message: "limit reached",
              details: { limit: 5, limit_due_to: [] },
              status: "error",
            },
          ],
        },
      },
      {
        status: 400,
        body: {
          fields: [
            {
              code: "INVALID_DATA",
              message: "invalid length",
              details: { api_name: "length" },
              status: "error",
            },
          ],
        },
      },
    ]);
    const third = { ...reason, apiName: "AI_Summary", label: "AI Summary", length: 99_999 };

    const results = await makeCreateFields({ admin: createZohoAdmin(zoho) })([stage, reason, third]);

    expect(results.map((r) => [r.outcome, r.code])).toEqual([
      ["exists", "DUPLICATE_DATA"],
      ["limit", "LIMIT_EXCEEDED"],
      ["rejected", "INVALID_DATA"],
    ]);
    expect(results[1]?.message).toMatch(
      /Leads has reached its custom field limit \(5\); delete an unused custom field/,
    );
    expect(results[2]?.message).toBe("Leads.AI_Summary: Zoho refused it (INVALID_DATA: invalid length)");
  });

  it("stops at a scope refusal and names the scope, sending nothing more", async () => {
    const { zoho, requests } = fakeZoho([
      {
        status: 401,
        body: { code: "OAUTH_SCOPE_MISMATCH", message: "invalid oauth scope", status: "error" },
      },
    ]);

    const results = await makeCreateFields({ admin: createZohoAdmin(zoho) })([stage, reason]);

    expect(requests).toHaveLength(1);
    expect(results.map((r) => r.outcome)).toEqual(["scope", "scope"]);
    expect(results[0]?.message).toMatch(/lacks ZohoCRM\.settings\.fields\.CREATE/);
  });

  it("sends nothing on a dry run and says what it would send", async () => {
    const { zoho, requests } = fakeZoho([]);

    const results = await makeCreateFields({ admin: createZohoAdmin(zoho) })([reason], { dryRun: true });

    expect(requests).toHaveLength(0);
    expect(results[0]).toMatchObject({ outcome: "planned" });
    expect(results[0]?.message).toBe(
      `would POST /crm/v8/settings/fields?module=Leads ${JSON.stringify({ fields: [customFieldBody(newCustomField(reason))] })}`,
    );
  });

  it("stops when Zoho cannot be reached and marks the rest not sent", async () => {
    const { zoho, requests } = fakeZoho([
      { status: 503, body: {} },
      { status: 503, body: {} },
      { status: 503, body: {} },
      { status: 503, body: {} },
    ]);

    const results = await makeCreateFields({ admin: createZohoAdmin(zoho) })([stage, reason]);

    expect(results.map((r) => r.outcome)).toEqual(["rejected", "rejected"]);
    expect(results[1]?.message).toBe("Leads.AI_Score_Reason: not sent");
    expect(requests.every((r) => r.body && JSON.stringify(r.body).includes("AI Buying Stage"))).toBe(true);
  });
});

describe("planFields", () => {
  const checks: MappingCheck[] = [
    {
      useCase: "lead-enrichment",
      service: "crm",
      module: "Leads",
      runnable: true,
      targets: [
        { key: "icp_fit", field: "AI_ICP_Fit", required: true, status: "ok", expected: "picklist" },
        {
          key: "buying_stage",
          field: "AI_Buying_Stage",
          required: false,
          status: "missing",
          expected: "picklist",
          create: stage,
        },
        {
          key: "score_reason",
          field: "AI_Score_Reason",
          required: false,
          status: "wrong-type",
          expected: "text",
          found: "integer",
          fix: "map score_reason to a text field in LEAD_FIELD_MAP",
        },
      ],
    },
    {
      useCase: "ticket-triage",
      service: "desk",
      module: "tickets",
      runnable: false,
      targets: [
        {
          key: "sentiment",
          field: "cf_ai_sentiment",
          required: true,
          status: "missing",
          expected: "picklist (Happy, Neutral, Unhappy)",
        },
      ],
    },
  ];

  it("creates missing CRM targets with a spec and leaves wrong types to a person", () => {
    const plan = planFields(checks, "lead-enrichment");

    expect(plan.create).toEqual([stage]);
    expect(plan.manual.map((m) => m.target.key)).toEqual(["score_reason"]);
    expect(plan.desk).toEqual([]);
  });

  it("turns missing Desk targets into Desk setup steps", () => {
    const plan = planFields(checks, "ticket-triage");

    expect(plan.create).toEqual([]);
    expect(plan.desk).toHaveLength(1);
    expect(deskFieldSteps("tickets", plan.desk[0]?.target as never)).toBe(
      "Zoho Desk: Setup > Customization > Layouts and Fields > Tickets > (the layout) > add a picklist (Happy, Neutral, Unhappy) field named so its API name is cf_ai_sentiment",
    );
  });
});
