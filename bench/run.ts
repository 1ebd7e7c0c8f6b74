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

type Bench = () => Promise<Record<string, unknown>>;
const BENCHES: Record<string, () => Promise<{ run: Bench }>> = {
  sandbox: () => import("./sandbox.js"),
  "token-refresh": () => import("./token-refresh.js"),
  ingest: () => import("./ingest.js"),
  worker: () => import("./worker.js"),
  chaos: () => import("./chaos.js"),
  transcript: () => import("./transcript.js"),
};

/** Benchmarks too heavy for a plain `npm run bench`: they run only when named. */
const BY_NAME_ONLY = new Set(["chaos"]);

const wanted = process.argv.slice(2).filter((a) => a !== "--");
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
  const figures = await run();
  await writeFile(`.bench/${name}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`${name}: ${JSON.stringify(figures)}`);
}
