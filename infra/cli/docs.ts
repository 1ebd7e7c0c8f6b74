/**
 * `npm run docs`: rewrites README's table of use cases from the catalog, between `<!-- use-cases:start -->` and
 * `<!-- use-cases:end -->`, and its table of the agents' tools (docs-tools.ts), so the README cannot drift from
 * what the code serves (test/unit/docs/use-case-table.test.ts and tool-table.test.ts fail when it does).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { OutputTarget } from "../../shared/domain/output-targets.js";
import { TOOL_CATALOG } from "../../shared/tools/catalog.js";
import { USE_CASE_CATALOG } from "../../shared/use-cases/catalog.js";
import { hookRoutes } from "../../shared/use-cases/derive.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";
import { withToolTable } from "./docs-tools.js";

export const START_MARKER = "<!-- use-cases:start -->";
export const END_MARKER = "<!-- use-cases:end -->";

const code = (s: string) => `\`${s}\``;

/** The routes that make units of one use case, as people read them. */
function triggersOf(d: UseCaseDescriptor): string {
  const routes = hookRoutes([d]).map((r) => {
    const methods = r.methods.join("/");
    if (r.source === "crm-workflow")
      return `${methods} ${code(r.path)} (CRM workflow; module ${code(d.triggers.crmWorkflow?.defaultModule ?? "")} unless given)`;
    if (r.source === "crm-notification")
      return `${methods} ${code(r.path)} (Notification API: ${(d.triggers.crmNotification?.modules ?? []).map(code).join(", ")})`;
    if (r.source === "desk-webhook")
      return `${methods} ${code(r.path)} (Desk: ${(d.triggers.deskWebhook?.events ?? []).map(code).join(", ")})`;
    if (r.source === "creator-workflow")
      return `${methods} ${code(r.path)} (Creator workflow's invokeUrl; report ${code(d.triggers.creatorWorkflow?.report ?? "")})`;
    if (r.source === "books-webhook")
      return `${methods} ${code(r.path)} (Books workflow rule's webhook; ${code(d.triggers.booksWebhook?.entity ?? "")})`;
    return `${methods} ${code(r.path)} (Flow, n8n, Deluge, code)`;
  });
  return routes.join("<br>");
}

const targetText = (t: OutputTarget) => {
  const kind = [
    t.accepts.join("/"),
    ...(t.min !== undefined && t.max !== undefined ? [`${t.min}-${t.max}`] : []),
    ...(t.source === "system" ? ["set by the mediator"] : []),
  ].join(", ");
  return `${code(t.key)} -> ${code(t.field)} (${kind})`;
};

/** The generated block: one row per use case, then each mapped use case's targets (required, then optional). */
export function useCaseTable(catalog: readonly UseCaseDescriptor[]): string {
  const lines = [
    "| Use case | What it does | Triggers | Processed |",
    "| --- | --- | --- | --- |",
    ...catalog.map(
      (d) =>
        `| ${code(d.name)} | ${d.title} | ${triggersOf(d)} | ${d.work ? `yes (writes to ${d.service === "crm" ? "CRM" : "Desk"})` : "not yet: accepted at ingest, then dead-lettered with the reason"} |`,
    ),
    "",
    "| Use case (module; field map) | Target -> default field (types) | Required |",
    "| --- | --- | --- |",
  ];
  for (const d of catalog) {
    const m = d.mapping;
    if (!m) continue;
    const where = `${code(d.name)} (${m.service === "crm" ? "CRM" : "Desk"} ${code(m.module)}${m.fieldMapSetting ? `; ${code(m.fieldMapSetting)}` : ""})`;
    const required = m.targets.filter((t) => t.required);
    const optional = m.targets.filter((t) => !t.required);
    if (required.length > 0) lines.push(`| ${where} | ${required.map(targetText).join(", ")} | yes |`);
    if (optional.length > 0)
      lines.push(`| ${required.length > 0 ? "" : where} | ${optional.map(targetText).join(", ")} | no |`);
  }
  return lines.join("\n");
}

/** The README with its table of use cases replaced by the catalog's; throws when the markers are missing. */
export function withUseCaseTable(readme: string, catalog: readonly UseCaseDescriptor[]): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START_MARKER} ... ${END_MARKER} block`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${useCaseTable(catalog)}\n${readme.slice(end)}`;
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  const path = join(import.meta.dirname, "..", "..", "README.md");
  const before = readFileSync(path, "utf8");
  const after = withToolTable(withUseCaseTable(before, USE_CASE_CATALOG), TOOL_CATALOG);
  if (after !== before) writeFileSync(path, after);
  console.log(after === before ? "README.md: use cases and tools up to date" : "README.md: tables rewritten");
}
