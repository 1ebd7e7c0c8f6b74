/**
 * The MCP endpoint driven by the official SDK client (`Client` + `StreamableHTTPClientTransport`, the key in the
 * Authorization header) against the Lambda's handler served in process on fakes: the handshake, listing every
 * tool with its schemas, calls whose structuredContent fits the tool's output schema, errors as `isError` tool
 * results with nothing written, and a missing or revoked key refused at connect time with no Zoho call.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";
import { LEAD_ID, type ServedTools, serveTools } from "../../fixtures/tools/world.js";

let served: ServedTools;
const clients: Client[] = [];

beforeAll(async () => {
  served = await serveTools();
});
afterAll(() => served.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(authorization: string | undefined): Promise<Client> {
  const client = new Client({ name: "protocols-int", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${served.server.url}/v1/mcp`), {
    requestInit: { headers: authorization ? { Authorization: authorization } : {} },
  });
  clients.push(client);
  await client.connect(transport);
  return client;
}

const toolNamed = (name: string) => {
  const tool = TOOL_CATALOG.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
};

describe("MCP through the SDK client", () => {
  it("connects, and lists every tool with its title, schemas and annotations", async () => {
    const client = await connect(await served.addKey("crm.read"));
    expect(client.getServerVersion()).toMatchObject({ name: "zoho-gpt-mediator" });
    expect(client.getInstructions()).toMatch(/data, never instructions/);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOL_CATALOG.map((t) => t.name));
    for (const tool of tools) {
      const def = toolNamed(tool.name);
      expect(tool.title).toBe(def.title);
      expect(tool.description).toBe(def.description);
      expect(tool.inputSchema).toMatchObject({ type: "object", additionalProperties: false });
      expect(tool.outputSchema).toMatchObject({ type: "object" });
      expect(tool.annotations).toMatchObject({ readOnlyHint: !def.writes, destructiveHint: false });
    }
  });

  it("calls a read tool: structuredContent fits the tool's output schema, the text is the same JSON", async () => {
    const client = await connect(await served.addKey("crm.read"));
    const result = await client.callTool({
      name: "crm_get_record",
      arguments: { module: "Leads", id: LEAD_ID },
    });
    expect(result.isError).toBeFalsy();
    const output = toolNamed("crm_get_record").output.safeParse(result.structuredContent);
    expect(output.success).toBe(true);
    expect(result.structuredContent).toMatchObject({
      module: "Leads",
      record: { id: LEAD_ID, Last_Name: "Doe" },
    });
    const [text] = result.content as { type: string; text: string }[];
    expect(JSON.parse(text?.text ?? "")).toEqual(result.structuredContent);

    const described = await client.callTool({ name: "crm_describe_module", arguments: { module: "Leads" } });
    expect(toolNamed("crm_describe_module").output.safeParse(described.structuredContent).success).toBe(true);
  });

  it("a guarded update lands with trigger [] and is audited", async () => {
    const client = await connect(await served.addKey("crm.write:Leads", ["AI_*"]));
    const result = await client.callTool({
      name: "crm_update",
      arguments: {
        module: "Leads",
        id: LEAD_ID,
        fields: { AI_Summary: "keen buyer" },
        reason: "from the call",
      },
    });
    expect(result.isError).toBeFalsy();
    expect(toolNamed("crm_update").output.safeParse(result.structuredContent).success).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: "written", fields: ["AI_Summary"] });
    const update = served.crm.calls.find((c) => c.method === "updateRecords");
    expect(update).toMatchObject({ trigger: [], records: [{ id: LEAD_ID, AI_Summary: "keen buyer" }] });
    const jobId = (result.structuredContent as { jobId: string }).jobId;
    expect(await served.store.calls.get(jobId)).toMatchObject({
      tool: "crm_update",
      outcome: "ok",
      writes: 1,
    });
  });

  it("answers errors as isError tool results (the error in _meta), with nothing written", async () => {
    const client = await connect(await served.addKey("crm.read,crm.write:Leads", ["AI_*"]));
    const before = served.crm.calls.length;
    const outside = await client.callTool({
      name: "crm_update",
      arguments: { module: "Leads", id: LEAD_ID, fields: { Company: "Evil Corp" } },
    });
    expect(outside.isError).toBe(true);
    expect(outside.structuredContent).toBeUndefined();
    expect(outside._meta).toMatchObject({ error: { status: 403, code: "forbidden" } });
    expect((outside.content as { text: string }[])[0]?.text).toMatch(/^forbidden: .*Company/);
    expect(served.crm.calls.slice(before).filter((c) => c.method === "updateRecords")).toEqual([]);

    const afterRefusal = served.crm.calls.length;
    const invalid = await client.callTool({
      name: "crm_get_record",
      arguments: { module: "Leads) OR (1=1", id: "12; DROP TABLE" },
    });
    expect(invalid.isError).toBe(true);
    expect(invalid._meta).toMatchObject({ error: { status: 400, code: "invalid_arguments" } });

    const unknown = await client.callTool({ name: "no_such_tool", arguments: {} });
    expect(unknown.isError).toBe(true);
    expect(unknown._meta).toMatchObject({ error: { status: 404, code: "not_found" } });
    // Bad arguments and an unknown tool never reach Zoho.
    expect(served.crm.calls.length).toBe(afterRefusal);
  });

  it("refuses a missing or revoked key at connect time (HTTP 401), with no Zoho call", async () => {
    const before = served.crm.calls.length + served.desk.calls.length;
    await expect(connect(undefined)).rejects.toThrow(/401|no API key/);
    const auth = await served.addKey("crm.read");
    const id = /zgm_([a-z0-9]{12})_/.exec(auth)?.[1] as string;
    await served.store.keys.revoke(id, new Date(served.clock.now()).toISOString());
    await expect(connect(auth)).rejects.toThrow(/401|API key revoked/);
    expect(served.crm.calls.length + served.desk.calls.length).toBe(before);
  });

  it("a key revoked after connecting is refused on its next request", async () => {
    const auth = await served.addKey("crm.read");
    const client = await connect(auth);
    const id = /zgm_([a-z0-9]{12})_/.exec(auth)?.[1] as string;
    await served.store.keys.revoke(id, new Date(served.clock.now()).toISOString());
    await expect(client.listTools()).rejects.toThrow(/401|API key revoked/);
  });
});
