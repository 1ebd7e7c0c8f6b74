/**
 * Cold start: each Lambda bundle built as the CDK builds it (infra/constructs/node-function.ts: esbuild, ESM, minified,
 * node22, the AWS SDK left to the runtime, the ingest without the worker-only packages), then imported by N fresh
 * Node processes that each time `await import()` of the bundle plus the first call of its handler (which builds the
 * handler's dependencies: settings parsed, clients constructed), with an event that needs no network. A hello-world
 * bundle runs the same way in the same run: `*_ratio` is a bundle's median over hello's, so the machine's speed
 * cancels out. Settings: BENCH_COLD_RUNS (15).
 */

import { spawn } from "node:child_process";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { WORKER_ONLY_MODULES } from "../infra/config/bundling.js";
import { LAMBDA_BUNDLE } from "./bundle-options.js";

/** Where the bundles go: inside the repository, so the bundles' external `@aws-sdk/*` resolve from node_modules. */
const OUT = resolve(".bench/cold");

interface Bundle {
  name: "hello" | "ingest" | "worker";
  entry: string;
  external: string[];
  /** The first call: an event the handler answers without network. */
  event: unknown;
  env: Record<string, string>;
}

// Fake but valid settings, and every AWS endpoint a closed local port: a call that reached the network would fail
// at once (and the bench would report it) rather than go to AWS.
const AWS_ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "cold",
  AWS_SECRET_ACCESS_KEY: "cold",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_MAX_ATTEMPTS: "1",
  AWS_LAMBDA_FUNCTION_NAME: "cold",
  POWERTOOLS_METRICS_DISABLED: "true",
  POWERTOOLS_LOG_LEVEL: "ERROR",
};
const QUEUE = "https://sqs.us-east-1.amazonaws.com/000000000000/cold-work";

const BUNDLES: Bundle[] = [
  {
    name: "hello",
    entry: join(OUT, "hello-entry.mjs"),
    external: [],
    event: {},
    env: {},
  },
  {
    name: "ingest",
    entry: "functions/ingest/handler.ts",
    external: ["@aws-sdk/*", ...WORKER_ONLY_MODULES],
    // A path no route serves: answered 404 before the webhook secret is read.
    event: {
      version: "2.0",
      rawPath: "/v1/cold-start",
      headers: {},
      requestContext: { http: { method: "POST", path: "/v1/cold-start" }, stage: "$default" },
      isBase64Encoded: false,
    },
    env: {
      WORK_QUEUE_URL: QUEUE,
      WEBHOOK_SECRET_NAME: "mediator/cold/webhook",
      ZOHO_CONNECTIONS: "default",
    },
  },
  {
    name: "worker",
    entry: "functions/worker/handler.ts",
    external: ["@aws-sdk/*"],
    // An empty batch: the handler is built and answers with no failures, nothing to claim.
    event: { Records: [] },
    env: {
      WORK_QUEUE_URL: QUEUE,
      DEAD_LETTER_QUEUE_URL: `${QUEUE}-dlq`,
      JOBS_TABLE: "cold-jobs",
      LEDGER_TABLE: "cold-ledger",
      ZOHO_CONNECTION_SECRETS: "mediator/cold/zoho/default",
      REFRESHER_FUNCTION_NAME: "cold-refresher",
      OPENAI_SECRET_NAME: "mediator/cold/openai",
      MAX_RECEIVE_COUNT: "5",
    },
  },
];

async function bundle(b: Bundle): Promise<{ file: string; bytes: number }> {
  const file = join(OUT, `${b.name}.mjs`);
  await build({
    entryPoints: [b.entry],
    outfile: file,
    ...LAMBDA_BUNDLE,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    external: b.external,
    // As NodeFunction's banner: ESM bundles of CommonJS dependencies still call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "silent",
  });
  return { file, bytes: (await stat(file)).size };
}

/** The child's program: import the bundle, call its handler once, print the milliseconds and how the call ended. */
const CHILD = `
const t0 = performance.now();
const mod = await import(process.env.COLD_BUNDLE);
let outcome = "ok";
try { await mod.handler(JSON.parse(process.env.COLD_EVENT), { functionName: "cold", awsRequestId: "cold" }); }
catch (e) { outcome = String(e && e.name || e); }
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, outcome }) + "\\n");
`;

function once(file: string, b: Bundle): Promise<{ ms: number; outcome: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      env: {
        PATH: process.env.PATH ?? "",
        ...AWS_ENV,
        ...b.env,
        COLD_BUNDLE: pathToFileURL(file).href,
        COLD_EVENT: JSON.stringify(b.event),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith('{"ms"'));
      if (code !== 0 || !line) return reject(new Error(`${b.name}: exit ${code}: ${err.slice(0, 500)}`));
      resolvePromise(JSON.parse(line));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export async function run(): Promise<Record<string, unknown>> {
  const runs = Number(process.env.BENCH_COLD_RUNS ?? 15);
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  await writeFile(
    join(OUT, "hello-entry.mjs"),
    "export const handler = async () => ({ statusCode: 200 });\n",
  );
  const built = new Map<string, { file: string; bytes: number }>();
  for (const b of BUNDLES) built.set(b.name, await bundle(b));
  const times: Record<string, number[]> = { hello: [], ingest: [], worker: [] };
  const outcomes = new Set<string>();
  // Interleaved, so drift on a busy machine hits every bundle alike.
  for (let i = 0; i < runs; i++)
    for (const b of BUNDLES) {
      const r = await once((built.get(b.name) as { file: string }).file, b);
      times[b.name]?.push(r.ms);
      if (r.outcome !== "ok") outcomes.add(`${b.name}: ${r.outcome}`);
    }
  const ms = (name: string) => median(times[name] ?? []);
  const hello = ms("hello");
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    ingest_ms: round(ms("ingest")),
    worker_ms: round(ms("worker")),
    hello_ms: round(hello),
    ingest_ratio: round(ms("ingest") / hello),
    worker_ratio: round(ms("worker") / hello),
    ingest_bytes: built.get("ingest")?.bytes,
    worker_bytes: built.get("worker")?.bytes,
    runs,
    node: process.version,
    ...(outcomes.size ? { handler_errors: [...outcomes] } : {}),
  };
}
