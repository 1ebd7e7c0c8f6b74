/**
 * Builds the CLI for a packed install: one ESM bundle, `dist/cli.mjs`, exporting `main`, so the `bin` runs on Node
 * alone (no tsx, no dev dependency). Runtime dependencies stay external: the package's `dependencies` install them.
 * `npm pack` runs it (prepack).
 */
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  dependencies: Record<string, string>;
};

await build({
  entryPoints: ["infra/cli/main.ts"],
  outfile: "dist/cli.mjs",
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  // Every runtime dependency (and its subpaths) is installed with the package.
  external: Object.keys(pkg.dependencies).flatMap((name) => [name, `${name}/*`]),
  // Bundled CommonJS helpers may call require: give the ESM bundle one.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: "warning",
});
console.log("built dist/cli.mjs");
