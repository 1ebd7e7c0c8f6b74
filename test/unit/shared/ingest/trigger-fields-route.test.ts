/** The CRM workflow route moves the merge fields a use case declares into `input.fields`, bounded (issue 14). */
import { describe, expect, it } from "vitest";
import type { LoopGuardConfig } from "../../../../shared/domain/loop-guard.js";
import { crmWorkflowRoute, MAX_TRIGGER_FIELD_CHARS } from "../../../../shared/ingest/routes/crm-workflow.js";

const guard: LoopGuardConfig = {
  crmIntegrationUsers: [],
  crmMediatorFields: [],
  deskIntegrationActors: [],
};

const post = (body: Record<string, unknown>) => ({
  method: "POST",
  path: "/v1/hooks/crm/lead-enrichment",
  headers: { "content-type": "application/json" },
  query: {},
  body: JSON.stringify(body),
});

describe("CRM workflow trigger fields", () => {
  const route = crmWorkflowRoute("lead-enrichment", "Leads", ["Company", "No_of_Employees", "Modified_Time"]);

  it("takes declared scalar merge fields as fields and leaves the rest as params", () => {
    const { units } = route(
      post({
        id: "5545974000001000044",
        modified_time: "2026-11-30T10:00:00+00:00",
        Company: "Acme",
        No_of_Employees: 250,
        Modified_Time: "2026-11-30T10:00:00+00:00",
        campaign: "spring",
      }),
      guard,
    );
    expect(units[0]?.input).toEqual({
      module: "Leads",
      id: "5545974000001000044",
      modifiedTime: "2026-11-30T10:00:00+00:00",
      fields: { Company: "Acme", No_of_Employees: 250, Modified_Time: "2026-11-30T10:00:00+00:00" },
      params: { campaign: "spring" },
    });
  });

  it("never takes an object or an over-long text as a field (the use case then reads the record)", () => {
    const { units } = route(
      post({ id: "1", Company: { name: "Acme" }, No_of_Employees: "x".repeat(MAX_TRIGGER_FIELD_CHARS + 1) }),
      guard,
    );
    const input = units[0]?.input as Record<string, unknown>;
    expect(input.fields).toBeUndefined();
    expect(Object.keys(input.params as object).sort()).toEqual(["Company", "No_of_Employees"]);
  });

  it("a use case declaring no trigger fields keeps every merge field a param, as before", () => {
    const plain = crmWorkflowRoute("lead-enrichment", "Leads");
    const { units } = plain(post({ id: "1", Company: "Acme" }), guard);
    expect(units[0]?.input).toEqual({ module: "Leads", id: "1", params: { Company: "Acme" } });
  });
});
