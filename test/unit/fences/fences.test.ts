/**
 * The import fences (biome.json `noRestrictedImports` overrides) fail CI when an arrow points the wrong way.
 * Each fixture is placed at a virtual path in a scratch copy of the repository's Biome configuration and linted by
 * the real Biome binary; forbidden arrows must fail with exactly the fence's diagnostic, allowed ones must pass.
 * Fixtures are `.ts.txt` so the repository's own lint never treats them as source.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const FIXTURES = join(import.meta.dirname, "fixtures");
const BIOME = join(ROOT, "node_modules", ".bin", "biome");
const RULE = "lint/style/noRestrictedImports";

interface Case {
  fixture: string;
  /** Where the fixture pretends to live (the fences are chosen by path). */
  at: string;
  /** A phrase of the fence's message, or "allowed". */
  expect: string;
}

const FORBIDDEN: Case[] = [
  { fixture: "use-case-imports-adapter", at: "shared/use-cases/example.ts", expect: "speak ports" },
  {
    fixture: "use-case-imports-aws-sdk",
    at: "shared/use-cases/example.ts",
    expect: "Reach AWS through a port",
  },
  { fixture: "pipeline-imports-adapter", at: "shared/pipeline/example.ts", expect: "speak ports" },
  { fixture: "pipeline-imports-openai", at: "shared/pipeline/example.ts", expect: "through the Llm port" },
  {
    fixture: "adapter-imports-use-case",
    at: "shared/adapters/zoho/example.ts",
    expect: "never import use cases",
  },
  {
    fixture: "adapter-imports-pipeline",
    at: "shared/adapters/zoho/example.ts",
    expect: "never import use cases",
  },
  { fixture: "domain-imports-port", at: "shared/domain/example.ts", expect: "The domain is pure rules" },
  { fixture: "domain-imports-adapter", at: "shared/domain/example.ts", expect: "The domain is pure rules" },
  { fixture: "domain-imports-io", at: "shared/domain/example.ts", expect: "The domain is pure rules" },
  {
    fixture: "shared-imports-local-stack",
    at: "shared/lambda/example.ts",
    expect: "never imports the local stack",
  },
  { fixture: "shared-imports-local-stack", at: "shared/use-cases/example/x.ts", expect: "local stack" },
  { fixture: "shared-imports-local-stack", at: "infra/cli/example.ts", expect: "local stack" },
  { fixture: "function-imports-local-stack", at: "functions/worker/example.ts", expect: "local stack" },
  {
    fixture: "descriptor-imports-pipeline",
    at: "shared/use-cases/example/index.ts",
    expect: "never imports it",
  },
];

const ALLOWED: Case[] = [
  { fixture: "descriptor-allowed", at: "shared/use-cases/example/index.ts", expect: "allowed" },
  { fixture: "pipeline-allowed", at: "shared/pipeline/example.ts", expect: "allowed" },
  { fixture: "domain-allowed", at: "shared/domain/example.ts", expect: "allowed" },
  { fixture: "domain-hashing-allowed", at: "shared/domain/example.ts", expect: "allowed" },
  { fixture: "adapter-allowed", at: "shared/adapters/sqs/example.ts", expect: "allowed" },
  { fixture: "composition-root-allowed", at: "shared/lambda/deps/example.ts", expect: "allowed" },
  { fixture: "test-imports-local-stack", at: "test/integration/example.ts", expect: "allowed" },
  { fixture: "test-imports-local-stack", at: "infra/local/example/x.ts", expect: "allowed" },
];

interface Diagnostic {
  rule: string;
  line: number;
  message: string;
}

let scratch: string;
/** Diagnostics per case index, from one Biome run over every case. */
const found = new Map<number, Diagnostic[]>();
const CASES = [...FORBIDDEN, ...ALLOWED];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "fences-"));
  // The repository's configuration as it is; only VCS is off (the scratch folder is no git checkout).
  const config = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(scratch, "biome.json"), JSON.stringify({ ...config, vcs: { enabled: false } }));
  const paths = CASES.map((c, i) => {
    // Each case in its own top-level copy of the tree would change the path the fences match, so the index goes
    // into the file name instead.
    const path = c.at.replace(/\.ts$/, `-${i}.ts`);
    mkdirSync(join(scratch, dirname(path)), { recursive: true });
    writeFileSync(join(scratch, path), readFileSync(join(FIXTURES, `${c.fixture}.ts.txt`)));
    return path;
  });
  const output = await promisify(execFile)(
    BIOME,
    ["lint", "--reporter=github", "--max-diagnostics=none", "."],
    {
      cwd: scratch,
    },
  ).then(
    (r) => r.stdout,
    // Biome exits 1 when it found errors: the expected outcome for the forbidden cases.
    (error: { stdout?: string; code?: number }) => {
      if (error.code !== 1 || error.stdout === undefined) throw error;
      return error.stdout;
    },
  );
  // `::error title=<rule>,file=<absolute path>,line=<n>,...::<message>`
  for (const line of output.split("\n")) {
    const m = /^::(?:error|warning)\s+title=([^,]+),file=([^,]+),line=(\d+),[^:]*::(.*)$/.exec(line);
    if (!m) continue;
    const [, rule, file, at, message] = m as unknown as [string, string, string, string, string];
    const index = paths.findIndex((p) => resolve(scratch, p) === resolve(file));
    if (index < 0) continue;
    found.set(index, [...(found.get(index) ?? []), { rule, line: Number(at), message }]);
  }
}, 30_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("import fences", () => {
  it.each(FORBIDDEN.map((c, i) => [c.fixture, c.at, i] as const))(
    "%s at %s fails on its forbidden import",
    (fixture, _at, index) => {
      const source = readFileSync(join(FIXTURES, `${fixture}.ts.txt`), "utf8").split("\n");
      const importLine = source.findIndex((l) => l.startsWith("import ")) + 1;

      const diagnostics = found.get(index) ?? [];

      expect(diagnostics).toEqual([{ rule: RULE, line: importLine, message: expect.any(String) }]);
      expect(diagnostics[0]?.message).toContain(FORBIDDEN[index]?.expect);
    },
  );

  it.each(ALLOWED.map((c, i) => [c.fixture, c.at, FORBIDDEN.length + i] as const))(
    "%s at %s passes",
    (_fixture, _at, index) => {
      const restricted = (found.get(index) ?? []).filter((d) => d.rule === RULE);

      expect(restricted).toEqual([]);
    },
  );
});
