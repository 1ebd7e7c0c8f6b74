import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

// Tests run on the Lambdas' Node major (node@22 from the dev dependencies puts it first on every npm script's PATH).
// No test reaches AWS: fixed dummy credentials keep the SDK from looking for real ones.
process.env.AWS_ACCESS_KEY_ID = "test";
process.env.AWS_SECRET_ACCESS_KEY = "test";
process.env.AWS_REGION = "us-east-1";
process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";

/**
 * Every line the product logs during the suite is captured to .test-logs/, where the global teardown scans it for
 * secrets (test/global-setup.ts). Structured log lines are kept out of the terminal; anything else passes through.
 */
const dir = join(process.cwd(), ".test-logs");
mkdirSync(dir, { recursive: true });
const file = join(dir, `worker-${process.pid}.log`);
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
    appendFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
    if (text.startsWith('{"level"') || text.startsWith('{"_aws"')) return true;
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
