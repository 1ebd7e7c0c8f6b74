/** README's table of the agents' tools is the tool catalog's: `npm run docs` writes it, this test fails when they differ. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  TOOLS_END_MARKER,
  TOOLS_START_MARKER,
  toolTable,
  withToolTable,
} from "../../../infra/cli/docs-tools.js";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";

const README = join(import.meta.dirname, "..", "..", "..", "README.md");

describe("README's tool table", () => {
  it("is exactly what the tool catalog generates (run `npm run docs` after changing a tool)", () => {
    const readme = readFileSync(README, "utf8");

    expect(withToolTable(readme, TOOL_CATALOG)).toBe(readme);
  });

  it("has one row per tool with its scope and whether it writes", () => {
    const rows = toolTable(TOOL_CATALOG).split("\n").slice(2);

    expect(rows).toHaveLength(TOOL_CATALOG.length);
    for (const [i, tool] of TOOL_CATALOG.entries()) {
      expect(rows[i]?.startsWith(`| \`${tool.name}\` |`)).toBe(true);
      const writes = rows[i]?.split(" | ")[2];
      expect(writes === "no").toBe(!tool.writes);
    }
  });

  it("detects a stale table, and refuses a README without the markers", () => {
    const readme = `a\n${TOOLS_START_MARKER}\n| stale |\n${TOOLS_END_MARKER}\nb\n`;

    expect(withToolTable(readme, TOOL_CATALOG)).toContain(toolTable(TOOL_CATALOG));
    expect(withToolTable(readme, TOOL_CATALOG.slice(1))).not.toBe(withToolTable(readme, TOOL_CATALOG));
    expect(() => withToolTable("none", TOOL_CATALOG)).toThrow(/tools:start/);
  });
});
