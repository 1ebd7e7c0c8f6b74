/** README's table of use cases is the catalog's: `npm run docs` writes it, this test fails when they differ. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { END_MARKER, START_MARKER, useCaseTable, withUseCaseTable } from "../../../infra/cli/docs.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";

const README = join(import.meta.dirname, "..", "..", "..", "README.md");

describe("README's use-case table", () => {
  it("is exactly what the catalog generates (run `npm run docs` after changing a use case)", () => {
    const readme = readFileSync(README, "utf8");

    expect(withUseCaseTable(readme, USE_CASE_CATALOG)).toBe(readme);
  });

  it("names every use case of the catalog with its routes, and says which are not processed yet", () => {
    const table = useCaseTable(USE_CASE_CATALOG);

    for (const d of USE_CASE_CATALOG) {
      const row = table.split("\n").find((l) => l.startsWith(`| \`${d.name}\` |`));
      expect(row, d.name).toBeDefined();
      if (d.triggers.flow) expect(row).toContain(`/v1/hooks/flow/${d.name}`);
      if (d.triggers.crmWorkflow) expect(row).toContain(`/v1/hooks/crm/${d.name}`);
      expect(row).toContain(d.work ? "yes" : "not yet");
    }
  });

  it("detects a README that differs from the catalog, and refuses one without the markers", () => {
    const readme = `intro\n${START_MARKER}\n| stale |\n${END_MARKER}\noutro\n`;
    const fresh = withUseCaseTable(readme, USE_CASE_CATALOG);

    expect(fresh).not.toBe(readme);
    expect(fresh).toContain(useCaseTable(USE_CASE_CATALOG));
    expect(fresh.startsWith("intro\n")).toBe(true);
    expect(fresh.endsWith(`${END_MARKER}\noutro\n`)).toBe(true);
    // A catalog with one use case less is a different table.
    expect(withUseCaseTable(fresh, USE_CASE_CATALOG.slice(1))).not.toBe(fresh);
    expect(() => withUseCaseTable("no markers here", USE_CASE_CATALOG)).toThrow(/use-cases:start/);
  });
});
