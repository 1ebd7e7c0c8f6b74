/**
 * README's table of the agents' tools, generated from the tool catalog (`npm run docs` writes it between
 * `<!-- tools:start -->` and `<!-- tools:end -->`; test/unit/docs/tool-table.test.ts fails when it drifts): the same
 * definitions the MCP server lists and the OpenAPI document describes, so the three can never disagree.
 */
import { alwaysProposes } from "../../shared/tools/catalog.js";
import type { ToolDefinition } from "../../shared/tools/definition.js";

export const TOOLS_START_MARKER = "<!-- tools:start -->";
export const TOOLS_END_MARKER = "<!-- tools:end -->";

const SCOPE_TEXT: Record<ToolDefinition["scope"], string> = {
  "crm.read": "`crm.read`",
  "crm.write": "`crm.write:<Module>`",
  "desk.read": "`desk.read`",
  "desk.comment": "`desk.comment`",
  "desk.draft": "`desk.draft`",
  jobs: "any key (pipeline jobs: `jobs.read`)",
};

const writesText = (tool: ToolDefinition) =>
  !tool.writes
    ? "no"
    : alwaysProposes(tool)
      ? "a proposal, always"
      : "yes (a proposal for a proposals-only key)";

/** One row per tool: name, the scope it needs, whether it writes, and the description the model reads. */
export function toolTable(tools: readonly ToolDefinition[]): string {
  return [
    "| Tool | Scope | Writes | What the model is told |",
    "| --- | --- | --- | --- |",
    ...tools.map(
      (t) =>
        `| \`${t.name}\` | ${SCOPE_TEXT[t.scope]} | ${writesText(t)} | ${t.description.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`,
    ),
  ].join("\n");
}

/** The README with its tool table replaced by the catalog's; throws when the markers are missing. */
export function withToolTable(readme: string, tools: readonly ToolDefinition[]): string {
  const start = readme.indexOf(TOOLS_START_MARKER);
  const end = readme.indexOf(TOOLS_END_MARKER);
  if (start < 0 || end < start)
    throw new Error(`README.md has no ${TOOLS_START_MARKER} ... ${TOOLS_END_MARKER} block`);
  return `${readme.slice(0, start + TOOLS_START_MARKER.length)}\n${toolTable(tools)}\n${readme.slice(end)}`;
}
