/**
 * `npm run bench [-- name ...]`: runs benchmarks, prints their figures, and writes each as `.bench/<name>.json`.
 * Benchmarks are scripts, never timed tests: figures on a busy machine are reported, not asserted.
 */
import { mkdir, writeFile } from "node:fs/promises";

// The product logs at INFO during benchmarks, as in production, so its cost is measured; the lines are produced
// and written, but not shown, so the figures stay readable.
const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
  typeof chunk === "string" && (chunk.startsWith('{"level"') || chunk.startsWith('{"_aws"'))
    ? true
    : write(chunk, ...rest)) as typeof process.stdout.write;

/** A benchmark; `args` are the command line's options (`--events 1000`), which only some benchmarks read. */
type Bench = (args: readonly string[]) => Promise<Record<string, unknown>>;
const BENCHES: Record<string, () => Promise<{ run: Bench }>> = {
  sandbox: () => import("./sandbox.js"),
  "token-refresh": () => import("./token-refresh.js"),
  ingest: () => import("./ingest.js"),
  worker: () => import("./worker.js"),
  chaos: () => import("./chaos.js"),
  transcript: () => import("./transcript.js"),
  scale: () => import("./scale.js"),
  cold: () => import("./cold.js"),
  "webhook-burst": () => import("./webhook-burst.js"),
};

/** Benchmarks too heavy for a plain `npm run bench`: they run only when named. */
const BY_NAME_ONLY = new Set(["chaos", "scale", "webhook-burst"]);

// Names, then options: `--name value` or `--name=value` (a value never starts with `--`).
const argv = process.argv.slice(2).filter((a) => a !== "--");
const wanted: string[] = [];
const options: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i] as string;
  if (!arg.startsWith("--")) wanted.push(arg);
  else {
    options.push(arg);
    const next = argv[i + 1];
    if (!arg.includes("=") && next !== undefined && !next.startsWith("--")) options.push(argv[++i] as string);
  }
}
const names = wanted.length ? wanted : Object.keys(BENCHES).filter((n) => !BY_NAME_ONLY.has(n));
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
await mkdir(".bench", { recursive: true });
for (const name of names) {
  const load = BENCHES[name];
  if (!load) continue;
  const { run } = await load();
  const figures = await run(options);
  await writeFile(`.bench/${name}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`${name}: ${JSON.stringify(figures)}`);
}
