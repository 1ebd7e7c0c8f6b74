/**
 * The REST face through its own OpenAPI document: `/v1/openapi.json` (served without a key) validates as OpenAPI
 * 3.1 with a maintained validator, stays within GPT Actions' limits, and a client generated from it at runtime
 * (openapi-client-axios) calls every operation by its operationId against the Lambda's handler served in process on
 * fakes: the set of operations called is the document's.
 */
import { validate } from "@readme/openapi-parser";
import { OpenAPIClientAxios } from "openapi-client-axios";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";
import { buildOpenApi, MAX_OPERATION_DESCRIPTION } from "../../../shared/tools/openapi.js";
import { FIXTURE_TOOLS } from "../../fixtures/tools/tools.js";
import { LEAD_ID, type ServedTools, serveTools, TICKET_ID } from "../../fixtures/tools/world.js";

let served: ServedTools;
let doc: Record<string, unknown> & {
  paths: Record<string, { post: { operationId: string; description: string } }>;
};

beforeAll(async () => {
  served = await serveTools();
  const res = await fetch(`${served.server.url}/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
});
afterAll(() => served.close());

/** Arguments each catalog tool accepts in the seeded world (a call per operation). */
const ARGS: Record<string, unknown> = {
  crm_search: { module: "Leads", email: "jd@example.com" },
  crm_get_record: { module: "Leads", id: LEAD_ID, fields: ["Last_Name"] },
  crm_describe_module: { module: "Leads" },
  crm_propose_update: { module: "Leads", id: LEAD_ID, fields: { AI_Rating: "Hot" }, reason: "warm call" },
  crm_update: { module: "Leads", id: LEAD_ID, fields: { AI_Summary: "asked for a quote" } },
  crm_add_note: { module: "Leads", id: LEAD_ID, title: "Call", content: "Called, will buy." },
  crm_create_task: { module: "Leads", id: LEAD_ID, subject: "Send the quote", dueDate: "2026-12-01" },
  desk_get_ticket: { ticketId: TICKET_ID },
  desk_add_private_comment: { ticketId: TICKET_ID, content: "Customer is a VIP." },
  desk_save_draft_reply: { ticketId: TICKET_ID, content: "We are on it." },
};

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.specification).toBe("OpenAPI");
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: served.server.url }]);
  });

  it("stays within GPT Actions' limits: operationId = tool name, descriptions <= 300 characters, < 30 operations", async () => {
    const operations = Object.entries(doc.paths).map(([path, item]) => ({ path, ...item.post }));
    expect(operations.length).toBeLessThan(30);
    expect(operations.map((o) => o.operationId)).toEqual(TOOL_CATALOG.map((t) => t.name));
    for (const o of operations) {
      expect(o.path).toBe(`/v1/tools/${o.operationId}`);
      expect(o.description.length).toBeLessThanOrEqual(MAX_OPERATION_DESCRIPTION);
    }
    expect(doc.components).toMatchObject({ securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } });

    // A tool whose description is too long is cut at a word, and the document still validates.
    const fixtures = buildOpenApi(FIXTURE_TOOLS, { serverUrl: "https://tools.example.com", version: "1" });
    const long = fixtures.paths?.["/v1/tools/fixture_time"]?.post?.description ?? "";
    expect(long.length).toBeLessThanOrEqual(MAX_OPERATION_DESCRIPTION);
    expect(long).toMatch(/ \w+…$/);
    expect((await validate(structuredClone(fixtures) as never)).valid).toBe(true);
  });

  it("a client generated from it calls every operation by its operationId", async () => {
    const auth = await served.addKey("crm.read,crm.write:Leads,desk.read,desk.comment,desk.draft,jobs.read", [
      "AI_*",
    ]);
    const api = new OpenAPIClientAxios({
      definition: structuredClone(doc) as never,
      axiosConfigDefaults: { headers: { Authorization: auth }, validateStatus: () => true },
    });
    const client = await api.init();
    const called = new Map<string, { status: number; data: unknown }>();
    let lastJobId = "";
    for (const tool of TOOL_CATALOG) {
      const args = tool.name === "mediator_job_status" ? { jobId: lastJobId } : ARGS[tool.name];
      const operation = client[tool.name];
      if (!operation) throw new Error(`the generated client has no operation ${tool.name}`);
      const res = await operation(undefined, args as never);
      called.set(tool.name, { status: res.status, data: res.data });
      const jobId = (res.data as { jobId?: string }).jobId;
      if (jobId) lastJobId = jobId;
    }
    expect([...called.keys()].sort()).toEqual(
      Object.values(doc.paths)
        .map((p) => p.post.operationId)
        .sort(),
    );
    for (const [name, { status, data }] of called) {
      expect({ name, status, data }).toMatchObject({ name, status: 200 });
      // Each 200 body is the tool's output schema.
      const tool = TOOL_CATALOG.find((t) => t.name === name);
      expect(tool?.output.safeParse(data).success).toBe(true);
    }
    expect(served.crm.calls.some((c) => c.method === "updateRecords" && c.trigger.length === 0)).toBe(true);
  });

  it("answers an operation without a key with 401 and the error body the document describes", async () => {
    const api = new OpenAPIClientAxios({
      definition: structuredClone(doc) as never,
      axiosConfigDefaults: { validateStatus: () => true },
    });
    const client = await api.init();
    const res = await client.crm_describe_module?.(undefined, { module: "Leads" } as never);
    expect(res?.status).toBe(401);
    expect(res?.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res?.data).toEqual({
      error: "unauthorized",
      message: "no API key: send Authorization: Bearer <key>",
    });
  });
});
