/**
 * A small world for the tools' unit tests: the catalog on in-memory stores, FakeZohoCrm and FakeZohoDesk with a
 * Leads module (a restricted picklist, a length-bounded text, a read-only field) and a ticket with threads, and
 * keys made from the CLI's scope grammar.
 */

import type { ApiKeyRecord } from "../../../shared/domain/api-key.js";
import { newApiKey, parseBudget, parseRate, parseScopes } from "../../../shared/domain/api-key.js";
import type { ZohoField } from "../../../shared/domain/zoho-field.js";
import { createLogger } from "../../../shared/observability/logger.js";
import { FieldMetadataCache } from "../../../shared/pipeline/field-metadata-cache.js";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";
import type { ToolDefinition } from "../../../shared/tools/definition.js";
import { type InvokeDeps, invokeTool } from "../../../shared/tools/invoke.js";
import { memoryAgentStore } from "../../fakes/agent-store.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeMetrics } from "../../fakes/metrics.js";
import { FakeZohoBooks } from "../../fakes/zoho-books.js";
import { FakeZohoCreator } from "../../fakes/zoho-creator.js";
import { FakeZohoCrm } from "../../fakes/zoho-crm.js";
import { FakeZohoDesk } from "../../fakes/zoho-desk.js";
import { MemoryJobStore } from "../../helpers/fakes/memory-job-store.js";

export const LEAD_ID = "4876876000000100001";
export const OTHER_LEAD_ID = "4876876000000100002";
export const TICKET_ID = "700000000001";

export const LEAD_FIELDS: ZohoField[] = [
  // The adapter answers an empty picklist for fields that have none.
  { name: "Last_Name", type: "text", length: 80, readOnly: false, mandatory: true, picklist: [] },
  { name: "Email", type: "email", length: 100, readOnly: false },
  { name: "Company", type: "text", length: 100, readOnly: false },
  { name: "Description", type: "textarea", length: 32_000, readOnly: false },
  { name: "AI_Score", type: "integer", readOnly: false },
  { name: "AI_Summary", type: "text", length: 20, readOnly: false },
  { name: "AI_Rating", type: "picklist", readOnly: false, picklist: ["-None-", "Hot", "Warm", "Cold"] },
  { name: "AI_Computed", type: "text", length: 50, readOnly: true },
  { name: "Lead_Status", type: "picklist", readOnly: false, picklist: ["New", "Contacted"] },
];

export interface KeyOptions {
  scopes?: string;
  allow?: string[];
  budget?: string;
  rate?: string;
  proposalsOnly?: boolean;
  connection?: string;
}

export function toolsWorld(options: { tools?: readonly ToolDefinition[] } = {}) {
  const clock = new FakeClock();
  const store = memoryAgentStore();
  const crm = new FakeZohoCrm();
  const desk = new FakeZohoDesk();
  crm.moduleFields.set("Leads", LEAD_FIELDS);
  crm.put("Leads", {
    id: LEAD_ID,
    Last_Name: "Doe",
    Email: "jd@example.com",
    Company: "Acme",
    $editable: true,
  });
  crm.put("Leads", { id: OTHER_LEAD_ID, Last_Name: "Roe", Email: "rr@example.com", Company: "Beta" });
  desk.put(
    {
      id: TICKET_ID,
      subject: "Broken",
      status: "Open",
      email: "c@example.com",
      departmentId: "1",
      cf: { cf_x: "y" },
    },
    [
      { id: "1", direction: "in", status: "SUCCESS", content: "<p>Hello <b>there</b></p>" },
      { id: "2", direction: "out", content: "plain answer" },
    ],
  );
  desk.addresses = [{ address: "support@example.com", isActive: true, isDefault: true, departmentId: "1" }];
  const jobs = new MemoryJobStore(() => clock.now());
  const metrics = new FakeMetrics();
  const deps: InvokeDeps = {
    tools: options.tools ?? TOOL_CATALOG,
    ...store,
    jobs,
    zohoFor: () => ({ crm, desk, creator: new FakeZohoCreator(), books: new FakeZohoBooks() }),
    metadata: new FieldMetadataCache(clock),
    clock,
    logger: createLogger("tools-test"),
    metrics,
    config: { maxPageSize: 50, creditsLowWater: 500, maxTextLength: 10_000 },
  };
  let n = 0;
  async function addKey(o: KeyOptions = {}): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, id, hash } = newApiKey();
    n += 1;
    const record: ApiKeyRecord = {
      id,
      name: `agent-${n}`,
      connection: o.connection ?? "default",
      hash,
      scopes: parseScopes(
        o.scopes ?? "crm.read,crm.write:Leads,desk.read,desk.comment,desk.draft,jobs.read",
        o.allow ?? ["AI_*", "Description"],
      ),
      writeBudgetPerDay: parseBudget(o.budget ?? "200/day"),
      ratePerMinute: parseRate(o.rate ?? "1000/min"),
      proposalsOnly: o.proposalsOnly ?? false,
      createdAt: new Date(clock.now()).toISOString(),
    };
    await store.keys.put(record);
    return { key, record };
  }
  const call = (key: string | undefined, tool: string, args: unknown) =>
    invokeTool(deps, { authorization: key === undefined ? undefined : `Bearer ${key}`, tool, args });
  /** Every Zoho call made so far (CRM and Desk). */
  const zohoCalls = () => crm.calls.length + desk.calls.length;
  return { clock, store, crm, desk, jobs, metrics, deps, addKey, call, zohoCalls };
}
