/**
 * `npx zoho-gpt-mediator --help` from a packed install without dev dependencies, offline: `npm pack` (its prepack
 * builds dist/cli.mjs), the tarball unpacked as node_modules/zoho-gpt-mediator of a fresh folder outside the repo,
 * and beside it only the package's runtime dependency closure, copied from the repo's node_modules (the install
 * needs no registry: npm's offline mode cannot be used because the lockfile misses a transitive entry, stack-chain).
 * No tsx, esbuild or vitest is there, so the bin must run the compiled CLI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../../..");
const modules = resolve(repo, "node_modules");

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

/** Where Node would find `name` from the package in `from`: its own node_modules, then each parent's. */
function locate(name: string, from: string): string | undefined {
  for (let dir = from; dir.startsWith(modules); dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
  }
  const top = join(modules, name);
  return existsSync(join(top, "package.json")) ? top : undefined;
}

/** The top-level folders of node_modules the runtime dependencies need (nested copies come with their parent). */
function runtimeClosure(dependencies: string[]): Set<string> {
  const seen = new Set<string>();
  const tops = new Set<string>();
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = locate(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} is not installed`);
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    const rel = dir.slice(modules.length + 1).split("/node_modules/")[0] as string;
    tops.add(rel);
    const m = manifest(dir);
    for (const dep of Object.keys(m.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(m.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const dep of dependencies) visit(dep, modules, false);
  return tops;
}

let app: string;
const run = (args: string[]) =>
  spawnSync("npx", ["--offline", "--no-install", "zoho-gpt-mediator", ...args], {
    cwd: app,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", npm_config_update_notifier: "false" },
    timeout: 60_000,
  });

describe("the packed CLI", () => {
  beforeAll(() => {
    const work = mkdtempSync(join(tmpdir(), "zgm-pack-"));
    execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: repo, stdio: "pipe" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz")) as string;
    app = join(work, "app");
    const installed = join(app, "node_modules", "zoho-gpt-mediator");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["xzf", join(work, tarball), "-C", installed, "--strip-components=1"]);
    for (const top of runtimeClosure(Object.keys(manifest(installed).dependencies ?? {})))
      cpSync(join(modules, top), join(app, "node_modules", top), { recursive: true, dereference: false });
    mkdirSync(join(app, "node_modules", ".bin"));
    symlinkSync(
      "../zoho-gpt-mediator/infra/cli/bin.mjs",
      join(app, "node_modules", ".bin", "zoho-gpt-mediator"),
    );
  }, 240_000);
  afterAll(() => {
    if (app) rmSync(dirname(app), { recursive: true, force: true });
  });

  it("ships the bin and the compiled CLI, and the install has no dev dependency", () => {
    const files = readdirSync(join(app, "node_modules", "zoho-gpt-mediator"), { recursive: true }).map(
      String,
    );
    expect(files).toEqual(expect.arrayContaining(["dist/cli.mjs", "infra/cli/bin.mjs"]));
    expect(files.some((f) => f.endsWith(".ts"))).toBe(false);
    for (const dev of ["tsx", "esbuild", "vitest", "typescript", "aws-cdk-lib"])
      expect(existsSync(join(app, "node_modules", dev))).toBe(false);
  });

  it("npx zoho-gpt-mediator --help prints the usage and exits 0", () => {
    const help = run(["--help"]);
    expect(help.stderr).toBe("");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: zoho-gpt-mediator [options] [command]");
    for (const name of ["auth", "doctor", "send", "hooks", "set-model-key", "keys", "proposals"])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    const send = run(["send", "--help"]);
    expect(send.status).toBe(0);
    expect(send.stdout).toContain("Usage: zoho-gpt-mediator send [options] <kind>");
  });

  it("a usage error exits 2 with the message on stderr", () => {
    const bad = run(["auth", "--stage"]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("option '--stage <name>' argument missing");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
