/**
 * Runs the applicable server scenarios of the official MCP conformance suite (`@modelcontextprotocol/conformance`)
 * against the local stack's MCP endpoint, and prints one line per scenario and `conformance: N passed, M failed`
 * (exit 1 on a failure).
 *
 *   node_modules/.bin/node node_modules/.bin/tsx test/conformance/run.ts [--scenario NAME ...] [--verbose]
 *
 * Node 22 is needed (the suite uses fs.globSync). The stack is started on free ports with the catalog's tools plus
 * the suite's two fixture tools (fixture-tools.ts). The suite sends no credentials, so a loopback proxy in front of
 * the stack adds the local demo key's `Authorization` header and forwards everything else unchanged, Host and Origin
 * included: the dns-rebinding-protection scenario then still reaches the endpoint's own Host/Origin check.
 */
import { spawn } from "node:child_process";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  FREE_PORTS,
  LocalEnvSchema,
  type LocalStackOptions,
  startLocalStack,
} from "../../infra/local/stack.js";
import { TOOL_CATALOG } from "../../shared/tools/catalog.js";
import type { ToolDefinition } from "../../shared/tools/definition.js";
import { toolsOf } from "../helpers/tools.js";
import { CONFORMANCE_TOOLS } from "./fixture-tools.js";

/** The server scenarios that apply to a stateless tools-only server (no resources, prompts, sampling, SSE). */
export const SCENARIOS = [
  "server-initialize",
  "ping",
  "tools-list",
  "tools-call-simple-text",
  "tools-call-error",
  "dns-rebinding-protection",
] as const;

const CONFORMANCE_BIN = join(
  process.cwd(),
  "node_modules",
  "@modelcontextprotocol",
  "conformance",
  "dist",
  "index.js",
);

/** A loopback proxy to `target` that adds `Authorization: Bearer <key>` when the request has none. */
async function startAuthProxy(target: URL, key: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res) => {
    const headers = { ...req.headers };
    if (!headers.authorization) headers.authorization = `Bearer ${key}`;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs one scenario with the suite's CLI on this Node; answers its exit code and output. */
function runScenario(url: string, scenario: string): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CONFORMANCE_BIN, "server", "--url", url, "--scenario", scenario], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString("utf8");
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output, ms: Date.now() - started }));
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { scenario: { type: "string", multiple: true }, verbose: { type: "boolean", default: false } },
    strict: true,
  });
  const scenarios = values.scenario?.length ? values.scenario : [...SCENARIOS];
  const started = Date.now();
  const env = LocalEnvSchema.parse({ ...FREE_PORTS });
  const tools: readonly ToolDefinition[] = [...TOOL_CATALOG, ...CONFORMANCE_TOOLS];
  // `tools` is the local stack's option for the tools it serves (CONTRACTS-12 §7).
  const options: LocalStackOptions & { tools?: readonly ToolDefinition[] } = {
    tools,
    notificationsTimer: false,
  };
  const stack = await startLocalStack(env, options);
  let proxy: Awaited<ReturnType<typeof startAuthProxy>> | undefined;
  let failed = 0;
  try {
    const endpoint = toolsOf(stack);
    const mcp = new URL(endpoint.mcpUrl);
    proxy = await startAuthProxy(mcp, endpoint.demoKey);
    const url = `${proxy.url}${mcp.pathname}`;
    console.log(
      `conformance: local stack up in ${((Date.now() - started) / 1000).toFixed(1)} s; MCP via ${url}`,
    );
    for (const scenario of scenarios) {
      const { code, output, ms } = await runScenario(url, scenario);
      const ok = code === 0;
      if (!ok) failed += 1;
      console.log(`${ok ? "PASS" : "FAIL"} ${scenario} (${(ms / 1000).toFixed(1)} s)`);
      if (!ok || values.verbose)
        for (const line of output.split("\n").filter((l) => l.trim())) console.log(`    ${line}`);
    }
  } finally {
    await proxy?.close();
    await stack.stop();
  }
  console.log(
    `conformance: ${scenarios.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`conformance: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
