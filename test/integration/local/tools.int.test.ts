/**
 * The local stack's tool endpoint, as an agent meets it: the OpenAPI document, MCP's 405 on GET, a REST call with
 * the demo key that reads the org's live metadata, refusals that never reach Zoho; and `npm start`, which prints
 * the URLs and the demo key, and keeps the key across a restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { FREE_PORTS, type LocalStack } from "../../../infra/local/stack.js";
import { LOCAL_DEMO_KEY } from "../../../infra/local/tools.js";
import { findModule } from "../../../infra/local/zoho-sandbox/metadata.js";
import { keyIdOf } from "../../../shared/domain/api-key.js";
import { startTestStack } from "../../helpers/local-stack.js";

/** Zoho API calls the sandbox has seen (OAuth included): a refused call must not add one. */
const zohoRequests = (stack: LocalStack) => ((stack.sandbox?.inspect().requests ?? []) as unknown[]).length;

const callTool = (stack: LocalStack, tool: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.tools?.restUrl}/${tool}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("the local stack's tool endpoint", () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("tells where it is: MCP, OpenAPI and REST URLs on the local API, the demo key, the agents' table", () => {
    const tools = stack.tools;

    expect(tools).toBeDefined();
    expect(tools?.mcpUrl).toBe(`${stack.api?.url}/v1/mcp`);
    expect(tools?.openapiUrl).toBe(`${stack.api?.url}/v1/openapi.json`);
    expect(tools?.restUrl).toBe(`${stack.api?.url}/v1/tools`);
    expect(keyIdOf(tools?.demoKey ?? "")).toMatch(/^[a-z0-9]{12}$/);
    expect(tools?.table).toBe("zoho-gpt-mediator-dev-agents");
    expect(tools?.dynamodbUrl).toBe(stack.dynamodb?.url);
  });

  it("serves the OpenAPI 3.1 document without a key, one operation per tool, with bearer auth", async () => {
    const res = await fetch(stack.tools?.openapiUrl ?? "");
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, { post?: { operationId?: string } }>;
      components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
    };

    expect(res.status).toBe(200);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v1/tools/crm_describe_module"]?.post?.operationId).toBe("crm_describe_module");
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("answers GET /v1/mcp with 405 and Allow: POST (no standalone SSE stream), and other methods API Gateway's 404", async () => {
    const get = await fetch(stack.tools?.mcpUrl ?? "");
    const put = await fetch(stack.tools?.mcpUrl ?? "", { method: "PUT", body: "{}" });
    const nested = await fetch(`${stack.tools?.restUrl}/crm_search/extra`, { method: "POST", body: "{}" });

    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(put.status).toBe(404);
    expect(nested.status).toBe(404);
  });

  it("describes Leads from the org's live metadata with the demo key, naming the fields the key may write", async () => {
    const res = await callTool(
      stack,
      "crm_describe_module",
      { module: "Leads" },
      { authorization: `Bearer ${stack.tools?.demoKey}` },
    );
    const body = (await res.json()) as {
      module: string;
      fields: { name: string; writable: boolean }[];
      jobId: string;
    };

    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.module).toBe("Leads");
    expect(body.jobId).toMatch(/^call_/);
    const fields = findModule(stack.sandbox?.state.crm.modules ?? new Map(), "Leads")?.fields ?? [];
    expect(body.fields.map((f) => f.name).sort()).toEqual(fields.map((f) => f.api_name).sort());
    // The demo key's allow-list (AI_*, Description) decides `writable`, among fields Zoho lets anyone write.
    for (const f of body.fields)
      if (f.writable) expect(f.name === "Description" || f.name.startsWith("AI_"), f.name).toBe(true);
    expect(body.fields.some((f) => f.name === "Description" && f.writable)).toBe(true);
  });

  it("refuses a call without a key, or with an unknown one, with 401, and makes no Zoho call", async () => {
    const before = zohoRequests(stack);
    const none = await callTool(stack, "crm_describe_module", { module: "Leads" });
    const unknown = await callTool(
      stack,
      "crm_describe_module",
      { module: "Leads" },
      { authorization: `Bearer zgm_aaaaaaaaaaaa_${"A".repeat(43)}` },
    );

    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toBe("unauthorized");
    expect(unknown.status).toBe(401);
    expect(zohoRequests(stack)).toBe(before);
    expect(stack.events.some((e) => /agent\s+POST \/v1\/tools\/crm_describe_module -> 401/.test(e))).toBe(
      true,
    );
    expect(stack.events.join("\n")).not.toContain(stack.tools?.demoKey ?? "no key");
  });

  it("lets the keys command find the local agents' table from the DynamoDB endpoint alone, holding the demo key's record", async () => {
    const said: string[] = [];
    const code = await main(
      ["keys", "list", "--json", "--dynamodb-endpoint", stack.tools?.dynamodbUrl ?? ""],
      {},
      (l) => said.push(l),
    );
    const keys = JSON.parse(said.join("\n")) as { id: string; name: string; writeBudgetPerDay: number }[];

    expect(code).toBe(0);
    expect(keys).toEqual([
      expect.objectContaining({
        id: keyIdOf(stack.tools?.demoKey ?? ""),
        name: LOCAL_DEMO_KEY.name,
        writeBudgetPerDay: 200,
        ratePerMinute: 120,
      }),
    ]);
    expect(said.join("\n")).not.toContain(stack.tools?.demoKey ?? "no key");
    expect(said.join("\n")).not.toContain('"hash"');
  });

  it("refuses a request whose Host is not loopback with 403 (DNS-rebinding protection)", async () => {
    const { request } = await import("node:http");
    const url = new URL(stack.tools?.mcpUrl ?? "");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            host: "attacker.example",
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${stack.tools?.demoKey}`,
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    });

    expect(status).toBe(403);
  });
});

/** `npm start` as a user runs it, in its own state directory. */
function start(stateDir: string) {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts"], {
    env: { ...process.env, ...FREE_PORTS, LOCAL_STATE_DIR: stateDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const waitFor = async (re: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!re.test(out) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    const match = re.exec(out);
    if (!match) throw new Error(`no ${re} within ${ms} ms:\n${out}`);
    return match;
  };
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, waitFor, exited, out: () => out };
}

describe("npm start's tool endpoint", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "zgm-tools-"));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const c of running) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  });

  const describeLeads = (mcpUrl: string, key: string) =>
    fetch(mcpUrl.replace(/\/v1\/mcp$/, "/v1/tools/crm_describe_module"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ module: "Leads" }),
    }).then((r) => r.status);

  it("prints the MCP and OpenAPI URLs and a demo key that works, keeps the key across a restart, and replaces a revoked one", async () => {
    const first = start(stateDir);
    running.push(first.child);
    await first.waitFor(/Fire sample triggers/, 60_000);
    const mcpUrl =
      (await first.waitFor(/Agents \(MCP\)\s+(http:\/\/127\.0\.0\.1:\d+\/v1\/mcp)/, 1000))[1] ?? "";
    const openapiUrl = (
      await first.waitFor(/GPT Actions\s+(http:\/\/127\.0\.0\.1:\d+\/v1\/openapi\.json)/, 1000)
    )[1];
    const key = (await first.waitFor(/demo key\s+(zgm_[a-z0-9]{12}_[A-Za-z0-9_-]{43})/, 1000))[1] ?? "";

    expect(await fetch(openapiUrl ?? "").then((r) => r.status)).toBe(200);
    expect(await describeLeads(mcpUrl, key)).toBe(200);
    // The plaintext is kept only for the owner.
    expect(statSync(join(stateDir, "demo-key")).mode & 0o777).toBe(0o600);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);

    // A restart: the same key, still valid (its record is in the persisted table).
    const second = start(stateDir);
    running.push(second.child);
    await second.waitFor(/Fire sample triggers/, 60_000);
    const again = (await second.waitFor(/demo key\s+(zgm_\S+)/, 1000))[1];
    const mcpAgain = (await second.waitFor(/Agents \(MCP\)\s+(http:\S+)/, 1000))[1] ?? "";
    const dynamodbUrl = (await second.waitFor(/DynamoDB Local\s+(http:\/\/127\.0\.0\.1:\d+)/, 1000))[1] ?? "";

    expect(again).toBe(key);
    expect(await describeLeads(mcpAgain, key)).toBe(200);

    // Revoked with the CLI, as an operator would (the table found from the endpoint alone): 401 at once, and the
    // next start makes a new demo key.
    const said: string[] = [];
    const revoked = await main(
      ["keys", "revoke", keyIdOf(key) ?? "", "--dynamodb-endpoint", dynamodbUrl],
      {},
      (l) => said.push(l),
    );
    expect(revoked, said.join("\n")).toBe(0);
    expect(await describeLeads(mcpAgain, key)).toBe(401);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);

    const third = start(stateDir);
    running.push(third.child);
    await third.waitFor(/Fire sample triggers/, 60_000);
    const fresh = (await third.waitFor(/demo key\s+(zgm_\S+)/, 1000))[1] ?? "";
    const mcpThird = (await third.waitFor(/Agents \(MCP\)\s+(http:\S+)/, 1000))[1] ?? "";

    expect(fresh).not.toBe(key);
    expect(await describeLeads(mcpThird, fresh)).toBe(200);
    third.child.kill("SIGINT");
    expect(await third.exited).toBe(0);
  }, 240_000);
});
