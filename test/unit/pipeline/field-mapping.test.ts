/**
 * The field mapping end to end on the pipeline's side: the use cases' targets bound to two differently configured
 * orgs, the per-unit schemas and plans, doctor's check, partial writes, and the pipeline's MappingBinder.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { parseDeskFields, rejectedField } from "../../../shared/adapters/zoho/field-metadata-wire.js";
import {
  bindMapping,
  boundShape,
  checkMappings,
  type UseCaseMapping,
  withFieldMap,
} from "../../../shared/domain/output-targets.js";
import { guardPartial } from "../../../shared/domain/write-guard.js";
import type { ZohoField } from "../../../shared/domain/zoho-field.js";
import { MappingIncompleteError } from "../../../shared/errors.js";
import type { AppLogger } from "../../../shared/observability/logger.js";
import { FieldMetadataCache } from "../../../shared/pipeline/field-metadata-cache.js";
import { MappingBinder } from "../../../shared/pipeline/mapping-binder.js";
import { buildRegistry } from "../../../shared/pipeline/registry.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import type { WorkContext } from "../../../shared/use-cases/descriptor.js";
import { LEAD_MAPPING } from "../../../shared/use-cases/lead-enrichment/targets.js";
import { leadEnrichmentWork } from "../../../shared/use-cases/lead-enrichment/work.js";
import { TICKET_MAPPING } from "../../../shared/use-cases/ticket-triage/targets.js";
import { ticketTriageWork } from "../../../shared/use-cases/ticket-triage/work.js";
import { FakeZohoBooks } from "../../fakes/zoho-books.js";
import { FakeZohoCreator } from "../../fakes/zoho-creator.js";
import { FakeZohoCrm } from "../../fakes/zoho-crm.js";
import { FakeZohoDesk } from "../../fakes/zoho-desk.js";
import {
  ALT_DESK_BODY,
  ALT_INDUSTRIES,
  ALT_LEADS,
  DEMO_DESK_BODY,
  DEMO_LEADS,
} from "../../fixtures/orgs/orgs.js";

const leadMapping = (fieldMap: Record<string, string> = {}): UseCaseMapping =>
  withFieldMap(LEAD_MAPPING, fieldMap);
const ticketMapping = (): UseCaseMapping => TICKET_MAPPING;
const makeLeadEnrichment = () => leadEnrichmentWork({ fieldMap: {} });
const makeTicketTriage = () => ticketTriageWork({ fieldMap: {} });

const without = (fields: ZohoField[], name: string) => fields.filter((f) => f.name !== name);
const replace = (fields: ZohoField[], field: ZohoField) => [...without(fields, field.name), field];
const enumOf = (schema: z.ZodType) => {
  const json = z.toJSONSchema(schema) as { enum?: string[]; anyOf?: { enum?: string[] }[] };
  return json.enum ?? json.anyOf?.find((a) => a.enum)?.enum;
};

describe("lead enrichment bound to two differently configured orgs", () => {
  it("demo org: every target is bound and the model may name only the demo's picklist values", () => {
    const { check, bound } = bindMapping("lead-enrichment", leadMapping(), DEMO_LEADS);
    const shape = boundShape({ check, bound });

    expect(check.runnable).toBe(true);
    expect(check.targets.every((t) => t.status === "ok")).toBe(true);
    expect(enumOf(shape.icp_fit as z.ZodType)).toEqual(["Strong", "Moderate", "Weak"]);
    expect(enumOf(shape.buying_stage as z.ZodType)).toEqual([
      "Awareness",
      "Consideration",
      "Evaluation",
      "Decision",
      "Purchase",
    ]);
    expect((shape.score_reason as z.ZodType).safeParse("x".repeat(2000)).success).toBe(true);
    expect((shape.score_reason as z.ZodType).safeParse("x".repeat(2001)).success).toBe(false);
    // Filled by the pipeline, never asked of the model.
    expect(shape.enriched_at).toBeUndefined();
  });

  it("alt org: its own ICP and Industry values, its 255-character reason, and the missing buying stage skipped", () => {
    const { check, bound } = bindMapping("lead-enrichment", leadMapping(), ALT_LEADS);
    const shape = boundShape({ check, bound });
    const stage = check.targets.find((t) => t.key === "buying_stage");

    expect(check.runnable).toBe(true);
    expect(stage).toMatchObject({ status: "missing", required: false, field: "AI_Buying_Stage" });
    expect(stage?.create).toEqual({
      module: "Leads",
      apiName: "AI_Buying_Stage",
      label: "AI Buying Stage",
      dataType: "picklist",
      picklistValues: ["Awareness", "Consideration", "Evaluation", "Decision", "Purchase"],
    });
    expect(stage?.fix).toMatch(/npx zoho-gpt-mediator fields create lead-enrichment/);
    expect(shape.buying_stage).toBeUndefined();
    expect(enumOf(shape.icp_fit as z.ZodType)).toEqual(["A - Ideal", "B - Good", "C - Poor"]);
    expect(enumOf(shape.intent as z.ZodType)).toEqual(["Hot", "Warm", "Cold"]);
    expect(enumOf(shape.industry as z.ZodType)).toEqual(ALT_INDUSTRIES);
    expect((shape.icp_fit as z.ZodType).safeParse("Strong").success).toBe(false);
    expect((shape.score_reason as z.ZodType).safeParse("x".repeat(255)).success).toBe(true);
    expect((shape.score_reason as z.ZodType).safeParse("x".repeat(256)).success).toBe(false);
    expect((shape.summary as z.ZodType).safeParse("x".repeat(1001)).success).toBe(false);
    expect(check.targets.find((t) => t.key === "score_reason")?.found).toBe("text(255)");
  });

  it("a missing required field stops the use case and says how to fix it", () => {
    const { check } = bindMapping("lead-enrichment", leadMapping(), without(ALT_LEADS, "AI_ICP_Fit"));
    const fit = check.targets.find((t) => t.key === "icp_fit");

    expect(check.runnable).toBe(false);
    expect(fit).toMatchObject({ status: "missing", required: true });
    expect(fit?.fix).toMatch(/fields create lead-enrichment.*LEAD_FIELD_MAP/);
    expect(fit?.create).toMatchObject({ apiName: "AI_ICP_Fit", label: "AI ICP Fit", dataType: "picklist" });
  });

  it("a required field of the wrong type, with no values, or read-only stops the use case too", () => {
    const cases: [ZohoField, string][] = [
      [{ name: "AI_ICP_Fit", type: "text", length: 255, readOnly: false }, "wrong-type"],
      [{ name: "AI_ICP_Fit", type: "picklist", readOnly: false, picklist: ["-None-"] }, "wrong-type"],
      [{ name: "AI_Score", type: "textarea", readOnly: false }, "wrong-type"],
      [{ name: "AI_Score", type: "integer", readOnly: true }, "read-only"],
    ];
    for (const [field, status] of cases) {
      const { check } = bindMapping("lead-enrichment", leadMapping(), replace(DEMO_LEADS, field));

      expect(check.runnable).toBe(false);
      expect(check.targets.find((t) => t.field === field.name)?.status).toBe(status);
    }
  });

  it("a score held in a decimal field keeps the use case's 0-100 scale", () => {
    const binding = bindMapping(
      "lead-enrichment",
      leadMapping(),
      replace(DEMO_LEADS, { name: "AI_Score", type: "double", readOnly: false }),
    );
    const score = boundShape(binding).score as z.ZodType;

    expect(binding.check.runnable).toBe(true);
    expect(score.safeParse(72.5).success).toBe(true);
    expect(score.safeParse(101).success).toBe(false);
    expect(score.safeParse(-1).success).toBe(false);
  });

  it("follows LEAD_FIELD_MAP to the org's own field", () => {
    const fields = replace(without(ALT_LEADS, "AI_ICP_Fit"), {
      name: "Fit_Rating",
      type: "picklist",
      readOnly: false,
      picklist: ["Tier 1", "Tier 2"],
    });
    const binding = bindMapping("lead-enrichment", leadMapping({ icp_fit: "Fit_Rating" }), fields);

    expect(binding.check.runnable).toBe(true);
    expect(enumOf(boundShape(binding).icp_fit as z.ZodType)).toEqual(["Tier 1", "Tier 2"]);
  });

  it("plans only the org's bound fields, fills empty fields only, and may drop only optional ones", () => {
    const useCase = makeLeadEnrichment();
    const binding = bindMapping("lead-enrichment", leadMapping(), ALT_LEADS);
    const loaded = { module: "Leads", id: "1", record: { City: "Berlin", Industry: null }, binding };
    const schema = useCase.schemaFor?.(loaded) as z.ZodObject;
    const output = {
      icp_fit: "A - Ideal",
      intent: "Hot",
      score: 82,
      score_reason: "Fits the profile.",
      summary: "A mid-sized software company.",
      industry: "Software & SaaS",
      country: "Germany",
      designation: null,
      // The schema is the org's, the same for every lead (a fixed prefix, issue 14): it asks for city even though
      // this lead has one, and the plan must not overwrite it.
      city: "Munich",
    };

    expect(Object.keys(schema.shape)).toContain("city");
    expect(schema.safeParse(output).success).toBe(true);
    const [write] = useCase.plan(output, loaded, { now: new Date("2026-11-30T10:00:00Z") } as WorkContext);
    expect(write).toMatchObject({
      kind: "crm-update",
      proposed: {
        AI_ICP_Fit: "A - Ideal",
        AI_Intent: "Hot",
        AI_Score: 82,
        AI_Score_Reason: "Fits the profile.",
        AI_Summary: "A mid-sized software company.",
        AI_Enriched_At: "2026-11-30T10:00:00.000Z",
        Industry: "Software & SaaS",
        Country: "Germany",
      },
    });
    const w = write as unknown as { proposed: object; allowList: string[]; droppable: string[] };
    expect(Object.keys(w.proposed)).not.toContain("AI_Buying_Stage");
    expect(Object.keys(w.proposed)).not.toContain("City");
    expect(w.allowList).not.toContain("AI_Buying_Stage");
    expect(w.droppable).toContain("AI_Score_Reason");
    expect(w.droppable).not.toContain("AI_ICP_Fit");
    expect(w.droppable).not.toContain("AI_Score");
  });
});

describe("ticket triage bound to two orgs' Desk fields (Desk's shape)", () => {
  it("demo and alt: the model may name only each org's own values, within each org's lengths", () => {
    const demo = bindMapping("ticket-triage", ticketMapping(), parseDeskFields(DEMO_DESK_BODY));
    const alt = bindMapping("ticket-triage", ticketMapping(), parseDeskFields(ALT_DESK_BODY));
    const useCase = makeTicketTriage();
    const schemaFor = (binding: typeof demo) =>
      useCase.schemaFor?.({ ticket: { id: "1" }, messages: [], binding }) as z.ZodObject;

    expect(demo.check.runnable && alt.check.runnable).toBe(true);
    expect(enumOf(schemaFor(demo).shape.urgency as z.ZodType)).toEqual(["Low", "Medium", "High", "Critical"]);
    expect(enumOf(schemaFor(alt).shape.urgency as z.ZodType)).toEqual(["P1", "P2", "P3", "P4"]);
    expect(enumOf(schemaFor(alt).shape.sentiment as z.ZodType)).toEqual(["Happy", "Neutral", "Unhappy"]);
    expect(enumOf(schemaFor(alt).shape.category as z.ZodType)).toContain("Billing & Payments");
    expect((schemaFor(alt).shape.summary as z.ZodType).safeParse("x".repeat(501)).success).toBe(false);
    expect((schemaFor(demo).shape.summary as z.ZodType).safeParse("x".repeat(501)).success).toBe(true);
    expect(alt.check.targets.every((t) => t.create === undefined)).toBe(true);
  });

  it("plans the ticket fields by the org's names and carries the department for the from address", () => {
    const binding = bindMapping("ticket-triage", ticketMapping(), parseDeskFields(ALT_DESK_BODY));
    const writes = makeTicketTriage().plan(
      {
        summary: "Charged twice.",
        sentiment: "Unhappy",
        urgency: "P2",
        category: "Billing & Payments",
        suggested_reply: "Hi",
      },
      { ticket: { id: "9", departmentId: "77", email: "c@example.com" }, messages: [], binding },
      {} as WorkContext,
    );

    expect(writes[0]).toMatchObject({
      kind: "desk-ticket-update",
      proposed: {
        cf_ai_summary: "Charged twice.",
        cf_ai_sentiment: "Unhappy",
        cf_ai_urgency: "P2",
        cf_ai_category: "Billing & Payments",
      },
    });
    expect(writes[1]).toMatchObject({
      kind: "desk-comment",
      content: expect.stringMatching(/category Billing & Payments, urgency P2/),
    });
    expect(writes[2]).toMatchObject({ kind: "desk-reply", departmentId: "77", to: "c@example.com" });
  });

  it("names the Desk fix for a missing required Desk field", () => {
    const body = { data: ALT_DESK_BODY.data.filter((f) => f.apiName !== "cf_ai_urgency") };
    const { check } = bindMapping("ticket-triage", ticketMapping(), parseDeskFields(body));

    expect(check.runnable).toBe(false);
    expect(check.targets.find((t) => t.key === "urgency")?.fix).toMatch(
      /Zoho Desk's setup.*TICKET_FIELD_MAP/,
    );
  });
});

describe("checkMappings (doctor)", () => {
  it("returns one check per enabled use case against the org's live fields", async () => {
    const checks = await checkMappings({
      registry: Object.fromEntries(buildRegistry(USE_CASE_CATALOG)),
      crmFields: async (module) => (module === "Leads" ? ALT_LEADS : []),
      deskFields: async () => parseDeskFields(ALT_DESK_BODY),
    });

    expect(checks.map((c) => [c.useCase, c.service, c.module, c.runnable])).toEqual([
      ["lead-enrichment", "crm", "Leads", true],
      ["ticket-triage", "desk", "tickets", true],
      // All its targets are optional: runnable even with none of its fields.
      ["call-transcript", "crm", "Deals", true],
      ["document-extraction", "crm", "Deals", true],
    ]);
    expect(checks[0]?.targets.filter((t) => t.status !== "ok").map((t) => t.key)).toEqual(["buying_stage"]);
  });
});

describe("partial writes", () => {
  const allow = ALT_LEADS.map((f) => f.name);

  it("writes the valid fields without a rejected optional one, and names what was dropped", () => {
    const result = guardPartial(
      { AI_ICP_Fit: "A - Ideal", AI_Score: 70, AI_Score_Reason: "x".repeat(300) },
      ALT_LEADS,
      allow,
      ["AI_Score_Reason"],
    );

    expect(result).toEqual({
      ok: true,
      fields: { AI_ICP_Fit: "A - Ideal", AI_Score: 70 },
      mapped: [],
      dropped: [{ field: "AI_Score_Reason", reason: "longer than 255 characters" }],
    });
  });

  it("refuses the whole write when a value that may not be dropped is rejected", () => {
    const result = guardPartial(
      { AI_ICP_Fit: "Strong", AI_Score: 70, AI_Score_Reason: "x".repeat(300) },
      ALT_LEADS,
      allow,
      ["AI_Score_Reason"],
    );

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(["AI_ICP_Fit", "AI_Score_Reason"]);
  });
});

describe("Zoho rejections that name a field", () => {
  it("reads the field from a CRM per-record result and from a Desk error", () => {
    expect(rejectedField("INVALID_DATA", { api_name: "AI_ICP_Fit", json_path: "$.data[0].AI_ICP_Fit" })).toBe(
      "AI_ICP_Fit",
    );
    expect(rejectedField("INVALID_DATA", [{ fieldName: "/cf/cf_ai_urgency", errorType: "invalid" }])).toBe(
      "cf_ai_urgency",
    );
    expect(rejectedField("MANDATORY_NOT_FOUND", { api_name: "Last_Name" })).toBeUndefined();
    expect(rejectedField("INVALID_DATA", {})).toBeUndefined();
  });
});

describe("the pipeline's binder", () => {
  const setup = (initial: ZohoField[]) => {
    let now = 0;
    let fields = initial;
    const crm = new FakeZohoCrm();
    const zoho = {
      crm,
      desk: new FakeZohoDesk(),
      creator: new FakeZohoCreator(),
      books: new FakeZohoBooks(),
    };
    const reads = () => crm.calls.filter((c) => c.method === "fields").length;
    crm.fields = async (module: string) => {
      crm.calls.push({ method: "fields", args: [module] });
      // A fresh list per read, as Zoho answers.
      return [...fields];
    };
    const logs: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
    const log = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
      logs.push({ level, message, ...(attributes ? { attributes } : {}) });
    const logger = {
      debug: log("debug"),
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
    } as unknown as AppLogger;
    const counts: { name: string; dimensions?: Record<string, string> }[] = [];
    const binder = new MappingBinder({
      metadata: new FieldMetadataCache({ now: () => now }, 600_000),
      logger,
      metrics: {
        count: (name, _v, dimensions) => counts.push({ name, ...(dimensions ? { dimensions } : {}) }),
      },
      recheckMs: 20_000,
    });
    return {
      binder,
      zoho,
      logs,
      counts,
      reads,
      setFields: (f: ZohoField[]) => {
        fields = f;
      },
      advance: (ms: number) => {
        now += ms;
      },
    };
  };
  const useCase = { name: "lead-enrichment", mapping: leadMapping() };

  it("reports a skipped optional field once per connection and metadata read, not per event", async () => {
    const t = setup(ALT_LEADS);
    for (let i = 0; i < 5; i++) await t.binder.bind(useCase, "default", t.zoho);

    expect(t.logs.filter((l) => l.level === "warn")).toHaveLength(1);
    expect(t.logs[0]?.attributes?.skipped).toEqual(["buying_stage -> AI_Buying_Stage (missing)"]);
    await t.binder.bind(useCase, "other", t.zoho);
    expect(t.logs.filter((l) => l.level === "warn")).toHaveLength(2);
    t.advance(600_000);
    await t.binder.bind(useCase, "default", t.zoho);
    expect(t.logs.filter((l) => l.level === "warn")).toHaveLength(3);
  });

  it("stops a use case with a missing required field (one log line, a metric per waiting event), re-checks within the interval, and resumes once the field exists", async () => {
    const t = setup(without(ALT_LEADS, "AI_Score"));
    const attempt = () => t.binder.bind(useCase, "default", t.zoho);

    for (let i = 0; i < 3; i++) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MappingIncompleteError);
      expect((error as MappingIncompleteError).retryAfterMs).toBe(20_000);
      expect((error as Error).message).toMatch(/score -> AI_Score \(missing\)/);
    }
    // Re-checks re-read the metadata every 20 s, without repeating the log line.
    t.advance(20_000);
    await expect(attempt()).rejects.toBeInstanceOf(MappingIncompleteError);
    expect(t.reads()).toBe(2);
    expect(t.logs.filter((l) => l.level === "error")).toHaveLength(1);
    expect(t.counts.filter((c) => c.name === "MappingIncomplete")).toHaveLength(4);
    expect(t.counts[0]?.dimensions).toEqual({ useCase: "lead-enrichment" });

    t.setFields(ALT_LEADS);
    t.advance(20_000);
    const binding = await attempt();
    expect(binding?.check.runnable).toBe(true);
    expect(t.logs.some((l) => l.level === "info" && /complete again/.test(l.message))).toBe(true);
    // Back to the normal TTL once complete.
    const reads = t.reads();
    t.advance(20_000);
    await attempt();
    expect(t.reads()).toBe(reads);
  });
});
