/**
 * The tool endpoint's routes (shared/tools/http.ts) on fakes: routing and methods, the API key checked before
 * anything is parsed or run (401 on MCP and REST alike), the Host/Origin check before everything, body limits, REST
 * error bodies with retry-after, and the MCP handshake and calls answered in JSON.
 */
import { describe, expect, it } from "vitest";
import type { HttpRequest } from "../../../shared/ingest/http.js";
import { INTERNAL_MESSAGE } from "../../../shared/tools/errors.js";
import { handleToolsHttp, type ToolsHttpDeps } from "../../../shared/tools/http.js";
import { toolsTestbed } from "../../fixtures/tools/deps.js";

const testbed = (overrides: Partial<ToolsHttpDeps> = {}) => toolsTestbed({ overrides });

const req = (
  method: string,
  path: string,
  body: unknown = "",
  headers: Record<string, string> = {},
): HttpRequest => ({
  method,
  path,
  headers: { host: "tools.example.com", "content-type": "application/json", ...headers },
  query: {},
  body: typeof body === "string" ? body : JSON.stringify(body),
});

const MCP_HEADERS = { accept: "application/json, text/event-stream" };
const rpc = (method: string, params: unknown = {}, id = 1) => ({ jsonrpc: "2.0", id, method, params });
const INIT = rpc("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "unit", version: "1" },
});

describe("tool endpoint routing", () => {
  it("answers GET and DELETE on /v1/mcp with 405 and Allow: POST (stateless: no SSE stream, no session)", async () => {
    const { deps } = testbed();
    for (const method of ["GET", "DELETE"]) {
      const res = await handleToolsHttp(deps, req(method, "/v1/mcp"));
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe("POST");
      expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 }, id: null });
    }
  });

  it("answers 404 for an unknown route and an unknown tool, and 405 for a GET on a tool", async () => {
    const { deps, addKey } = testbed();
    const auth = await addKey("crm.read");
    expect((await handleToolsHttp(deps, req("POST", "/v1/nothing", {}))).statusCode).toBe(404);
    const unknown = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/no_such_tool", {}, { authorization: auth }),
    );
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: "not_found" });
    const bad = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/../openapi.json", {}, { authorization: auth }),
    );
    expect(bad.statusCode).toBe(404);
    const get = await handleToolsHttp(deps, req("GET", "/v1/tools/fixture_echo"));
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe("POST");
  });

  it("serves the OpenAPI document without a key, its server the request's host or TOOLS_PUBLIC_URL", async () => {
    const { deps } = testbed();
    const res = await handleToolsHttp(
      deps,
      req("GET", "/v1/openapi.json", "", { "x-forwarded-proto": "https" }),
    );
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "https://tools.example.com" }]);
    expect(Object.keys(doc.paths)).toEqual(deps.tools.map((t) => `/v1/tools/${t.name}`));

    const pub = testbed({ publicUrl: "https://api.example.org/" }).deps;
    const doc2 = JSON.parse((await handleToolsHttp(pub, req("GET", "/v1/openapi.json"))).body);
    expect(doc2.servers).toEqual([{ url: "https://api.example.org" }]);
    expect((await handleToolsHttp(deps, req("POST", "/v1/openapi.json", {}))).statusCode).toBe(405);

    // Only a plain Host names the server; a forwarded host header from the client is not trusted.
    const forged = await handleToolsHttp(
      deps,
      req("GET", "/v1/openapi.json", "", { host: "evil.example/x?", "x-forwarded-host": "evil.example" }),
    );
    expect(JSON.parse(forged.body).servers).toEqual([{ url: "http://localhost" }]);
  });
});

describe("API key before anything else", () => {
  it("an MCP request without a key, even initialize, answers HTTP 401 with WWW-Authenticate and a JSON-RPC error", async () => {
    const { deps, metrics, store } = testbed();
    const res = await handleToolsHttp(deps, req("POST", "/v1/mcp", INIT, MCP_HEADERS));
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(JSON.parse(res.body)).toEqual({
      jsonrpc: "2.0",
      error: { code: -32001, message: "no API key: send Authorization: Bearer <key>" },
      id: null,
    });
    expect(metrics.get("ToolAuthFailed")).toBe(1);
    expect(store.keys.gets).toBe(0);
  });

  it("says whether a key is malformed, unknown or revoked, never echoing it, on MCP and REST", async () => {
    const { deps, addKey, store, clock } = testbed();
    const revoked = await addKey("crm.read", [], { revokedAt: new Date(clock.now()).toISOString() });
    const valid = await addKey("crm.read");
    const unknown = valid.replace(/_(.{12})_/, "_zzzzzzzzzzzz_");
    const cases: [string, string][] = [
      ["Bearer nope", "malformed API key"],
      [unknown, "unknown API key"],
      [`${valid.slice(0, -3)}AAA`, "unknown API key"],
      [revoked, "API key revoked"],
    ];
    for (const [authorization, message] of cases) {
      const mcp = await handleToolsHttp(
        deps,
        req("POST", "/v1/mcp", INIT, { ...MCP_HEADERS, authorization }),
      );
      expect(mcp.statusCode).toBe(401);
      expect(JSON.parse(mcp.body).error.message).toBe(message);
      const rest = await handleToolsHttp(
        deps,
        req("POST", "/v1/tools/fixture_echo", { word: "x" }, { authorization }),
      );
      expect(rest.statusCode).toBe(401);
      expect(rest.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(JSON.parse(rest.body)).toEqual({ error: "unauthorized", message });
      expect(rest.body).not.toContain(authorization.slice(7));
    }
    expect(store.calls.items.size).toBe(0);
  });

  it("a REST call without a key is refused before its body is read", async () => {
    const { deps } = testbed();
    const res = await handleToolsHttp(deps, req("POST", "/v1/tools/fixture_echo", "{not json"));
    expect(res.statusCode).toBe(401);
  });

  it("reads the key once per request, though invokeTool checks it again", async () => {
    const { deps, addKey, store } = testbed();
    const auth = await addKey("crm.read");
    const before = store.keys.gets;
    const res = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_echo", { word: "hi" }, { authorization: auth }),
    );
    expect(res.statusCode).toBe(200);
    expect(store.keys.gets - before).toBe(1);

    const beforeMcp = store.keys.gets;
    const mcp = await handleToolsHttp(
      deps,
      req("POST", "/v1/mcp", rpc("tools/call", { name: "fixture_echo", arguments: { word: "hi" } }), {
        ...MCP_HEADERS,
        authorization: auth,
      }),
    );
    expect(JSON.parse(mcp.body).result.structuredContent).toMatchObject({ echo: "HI" });
    expect(store.keys.gets - beforeMcp).toBe(1);
  });
});

describe("concurrent requests", () => {
  it("each call is decided on its own request's key", async () => {
    const { deps, addKey, store } = testbed();
    const reader = await addKey("crm.read");
    const jobsOnly = await addKey("jobs.read");
    const [a, b] = await Promise.all([
      handleToolsHttp(
        deps,
        req("POST", "/v1/tools/fixture_echo", { word: "a" }, { authorization: jobsOnly }),
      ),
      handleToolsHttp(deps, req("POST", "/v1/tools/fixture_echo", { word: "b" }, { authorization: reader })),
    ]);
    expect(a.statusCode).toBe(403);
    expect(b.statusCode).toBe(200);
    const calls = [...store.calls.items.values()];
    expect(calls.map((c) => c.keyName).sort()).toEqual(["test-key-1", "test-key-2"]);
  });
});

describe("Host and Origin check (DNS rebinding)", () => {
  const local = () => testbed({ allowedHosts: ["localhost", "127.0.0.1", "[::1]"] });

  it("refuses another Host or Origin with 403 before reading the key", async () => {
    const { deps, addKey, store } = local();
    const auth = await addKey("crm.read");
    const gets = store.keys.gets;
    const evilHost = await handleToolsHttp(
      deps,
      req("POST", "/v1/mcp", INIT, { ...MCP_HEADERS, authorization: auth, host: "evil.example.com" }),
    );
    expect(evilHost.statusCode).toBe(403);
    expect(JSON.parse(evilHost.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });
    const evilOrigin = await handleToolsHttp(
      deps,
      req(
        "POST",
        "/v1/tools/fixture_echo",
        { word: "x" },
        {
          authorization: auth,
          host: "localhost:3000",
          origin: "http://evil.example.com",
        },
      ),
    );
    expect(evilOrigin.statusCode).toBe(403);
    expect(JSON.parse(evilOrigin.body)).toMatchObject({ error: "forbidden" });
    const noHost = await handleToolsHttp(deps, { ...req("GET", "/v1/openapi.json"), headers: {} });
    expect(noHost.statusCode).toBe(403);
    expect(store.keys.gets).toBe(gets);
  });

  it("lets a loopback host through, with or without its port", async () => {
    const { deps, addKey } = local();
    const auth = await addKey("crm.read");
    for (const host of ["localhost:3000", "127.0.0.1", "[::1]:8080"]) {
      const res = await handleToolsHttp(
        deps,
        req("POST", "/v1/mcp", INIT, { ...MCP_HEADERS, authorization: auth, host, origin: `http://${host}` }),
      );
      expect(res.statusCode).toBe(200);
    }
  });
});

describe("request bodies", () => {
  it("answers bad JSON with 400, a body too large with 413, another content type with 415", async () => {
    const { deps, addKey } = testbed();
    const authorization = await addKey("crm.read");
    const badJson = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_echo", "{nope", { authorization }),
    );
    expect(badJson.statusCode).toBe(400);
    expect(JSON.parse(badJson.body)).toMatchObject({
      error: "invalid_arguments",
      message: "request body is not valid JSON",
    });
    const badRpc = await handleToolsHttp(
      deps,
      req("POST", "/v1/mcp", "{nope", { ...MCP_HEADERS, authorization }),
    );
    expect(badRpc.statusCode).toBe(400);
    expect(JSON.parse(badRpc.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
    const huge = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_echo", { word: "x".repeat(300_000) }, { authorization }),
    );
    expect(huge.statusCode).toBe(413);
    const form = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_echo", "word=x", {
        authorization,
        "content-type": "application/x-www-form-urlencoded",
      }),
    );
    expect(form.statusCode).toBe(415);
  });
});

describe("REST answers", () => {
  it("answers the tool's output with 200, and a tool without arguments may be called with no body", async () => {
    const { deps, addKey } = testbed();
    const authorization = await addKey("crm.read,jobs.read");
    const ok = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_echo", { word: "hi", times: 2 }, { authorization }),
    );
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({
      echo: "HI",
      times: 2,
      jobId: expect.stringMatching(/^call_/),
    });
    const empty = await handleToolsHttp(deps, req("POST", "/v1/tools/fixture_time", "", { authorization }));
    expect(empty.statusCode).toBe(200);
  });

  it("answers refusals as { error, message, issues?, jobId } with their status", async () => {
    const { deps, addKey } = testbed();
    const reader = await addKey("crm.read");
    const invalid = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_echo", { word: 7, extra: true }, { authorization: reader }),
    );
    expect(invalid.statusCode).toBe(400);
    const body = JSON.parse(invalid.body);
    expect(body).toMatchObject({ error: "invalid_arguments", jobId: expect.stringMatching(/^call_/) });
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(["(arguments)", "word"]);
    expect(invalid.headers["retry-after"]).toBeUndefined();

    const forbidden = await handleToolsHttp(
      deps,
      req(
        "POST",
        "/v1/tools/fixture_note",
        { module: "Leads", id: "1".repeat(19), content: "x" },
        { authorization: reader },
      ),
    );
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body)).toMatchObject({
      error: "forbidden",
      message: "this key lacks the scope crm.write",
    });
  });

  it("answers a passing refusal (429) with retry-after and retryable, a bug with a generic 500", async () => {
    const { deps, addKey } = testbed();
    const writer = await addKey("crm.write:Leads", ["AI_*"], { writeBudgetPerDay: 1 });
    const args = { module: "Leads", id: "1".repeat(19), content: "x" };
    const first = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_note", args, { authorization: writer }),
    );
    expect(first.statusCode).toBe(200);
    const second = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_note", args, { authorization: writer }),
    );
    expect(second.statusCode).toBe(429);
    expect(second.headers["retry-after"]).toBe("50400"); // to the next UTC midnight
    expect(JSON.parse(second.body)).toMatchObject({ error: "rate_limited", retryable: true });

    const reader = await addKey("crm.read");
    const bug = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_broken", {}, { authorization: reader }),
    );
    expect(bug.statusCode).toBe(500);
    expect(JSON.parse(bug.body)).toMatchObject({ error: "internal_error", message: INTERNAL_MESSAGE });
    expect(bug.body).not.toContain("boom");
  });
});

describe("answers too large to hand over", () => {
  it("refuses a REST answer over GPT Actions' 100,000 characters with a way to ask for less", async () => {
    const { deps, addKey } = testbed();
    const authorization = await addKey("crm.read");
    const fits = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_big", { size: 90_000 }, { authorization }),
    );
    expect(fits.statusCode).toBe(200);
    const big = await handleToolsHttp(
      deps,
      req("POST", "/v1/tools/fixture_big", { size: 100_000 }, { authorization }),
    );
    expect(big.statusCode).toBe(422);
    expect(JSON.parse(big.body)).toMatchObject({
      error: "rejected",
      message: expect.stringMatching(/more than the 100000 .*fewer fields/),
      jobId: expect.stringMatching(/^call_/),
    });
  });

  it("answers an MCP result over 1,000,000 characters as a tool error", async () => {
    const { deps, addKey } = testbed();
    const authorization = await addKey("crm.read");
    const call = (size: number) =>
      handleToolsHttp(
        deps,
        req("POST", "/v1/mcp", rpc("tools/call", { name: "fixture_big", arguments: { size } }), {
          ...MCP_HEADERS,
          authorization,
        }),
      );
    const fits = JSON.parse((await call(500_000)).body);
    expect(fits.result.structuredContent.blob).toHaveLength(500_000);
    const big = await call(1_000_000);
    expect(big.statusCode).toBe(200);
    expect(JSON.parse(big.body).result).toMatchObject({
      isError: true,
      _meta: { error: { code: "rejected" } },
    });
    expect(big.body.length).toBeLessThan(10_000);
  });
});

describe("MCP over the routes", () => {
  it("initializes, lists every tool whatever the key's scopes, and answers a call and an error as tool results", async () => {
    const { deps, addKey } = testbed();
    const authorization = await addKey("crm.read");
    const headers = { ...MCP_HEADERS, authorization };
    const init = await handleToolsHttp(deps, req("POST", "/v1/mcp", INIT, headers));
    expect(init.statusCode).toBe(200);
    expect(init.headers["mcp-session-id"]).toBeUndefined();
    const initBody = JSON.parse(init.body);
    expect(initBody.result.serverInfo).toMatchObject({ name: "zoho-gpt-mediator", version: "0.0.0-test" });
    expect(initBody.result.capabilities.tools).toBeDefined();

    const initialized = await handleToolsHttp(
      deps,
      req("POST", "/v1/mcp", { jsonrpc: "2.0", method: "notifications/initialized" }, headers),
    );
    expect(initialized.statusCode).toBe(202);

    const list = JSON.parse(
      (await handleToolsHttp(deps, req("POST", "/v1/mcp", rpc("tools/list", {}, 2), headers))).body,
    );
    expect(list.result.tools.map((t: { name: string }) => t.name)).toEqual(deps.tools.map((t) => t.name));
    const note = list.result.tools.find((t: { name: string }) => t.name === "fixture_note");
    expect(note.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(note.inputSchema).toMatchObject({ type: "object", additionalProperties: false });
    expect(note.outputSchema).toMatchObject({ type: "object" });

    const call = JSON.parse(
      (
        await handleToolsHttp(
          deps,
          req(
            "POST",
            "/v1/mcp",
            rpc("tools/call", { name: "fixture_echo", arguments: { word: "yo" } }, 3),
            headers,
          ),
        )
      ).body,
    );
    expect(call.result.isError).toBeUndefined();
    expect(call.result.structuredContent).toMatchObject({ echo: "YO", times: 1 });
    expect(JSON.parse(call.result.content[0].text)).toEqual(call.result.structuredContent);

    // Bad arguments reach invokeTool (audited, rate-limited) instead of the SDK's own validation.
    const bad = JSON.parse(
      (
        await handleToolsHttp(
          deps,
          req(
            "POST",
            "/v1/mcp",
            rpc("tools/call", { name: "fixture_echo", arguments: { word: 1 } }, 4),
            headers,
          ),
        )
      ).body,
    );
    expect(bad.result.isError).toBe(true);
    expect(bad.result.content[0].text).toMatch(
      /^invalid_arguments: invalid arguments for fixture_echo: word: .*\. Job call_\w+\.$/,
    );
    expect(bad.result._meta.error).toMatchObject({ status: 400, code: "invalid_arguments" });
    expect(bad.result.structuredContent).toBeUndefined();

    const forbidden = JSON.parse(
      (
        await handleToolsHttp(
          deps,
          req("POST", "/v1/mcp", rpc("tools/call", { name: "fixture_note", arguments: {} }, 5), headers),
        )
      ).body,
    );
    expect(forbidden.result).toMatchObject({
      isError: true,
      _meta: { error: { code: "forbidden", status: 403 } },
    });
  });

  it("answers ping", async () => {
    const { deps, addKey } = testbed();
    const authorization = await addKey("crm.read");
    const res = await handleToolsHttp(
      deps,
      req("POST", "/v1/mcp", rpc("ping", {}, 9), { ...MCP_HEADERS, authorization }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: "2.0", id: 9, result: {} });
  });
});
