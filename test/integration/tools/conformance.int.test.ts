/**
 * The official MCP conformance suite's applicable server scenarios against the local stack's MCP endpoint, as
 * `npm run conformance` runs them (test/conformance/run.ts), inside `npm test`: about 15 s. The suite needs Node 22
 * (the node@22 dev dependency's binary, whatever Node runs vitest).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const node22 = join(root, "node_modules", "node", "bin", "node");

describe("MCP conformance (server scenarios)", () => {
  it("passes initialize, ping, tools list and call, error handling and DNS-rebinding protection", async () => {
    expect(existsSync(node22)).toBe(true);
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      const child = spawn(
        node22,
        [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "test/conformance/run.ts"],
        {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, POWERTOOLS_LOG_LEVEL: "WARN", NO_COLOR: "1" },
        },
      );
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString("utf8");
      });
      child.stderr.on("data", (d: Buffer) => {
        output += d.toString("utf8");
      });
      child.on("close", (c) => resolve({ code: c ?? 1, output }));
    });

    expect(output).toMatch(/conformance: 6 passed, 0 failed/);
    for (const scenario of [
      "server-initialize",
      "ping",
      "tools-list",
      "tools-call-simple-text",
      "tools-call-error",
      "dns-rebinding-protection",
    ])
      expect(output).toContain(`PASS ${scenario}`);
    expect(code).toBe(0);
  }, 120_000);
});
