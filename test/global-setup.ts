/**
 * Global setup and teardown of the test run. Teardown is the suite-wide log scan: no Zoho token, grant code,
 * refresh token or client secret may appear in anything the product logged while every test ran.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = join(process.cwd(), ".test-logs");
/**
 * Zoho tokens and grant codes (1000.<32 hex>.<32 hex>), sandbox client secrets (42 hex), OpenAI-style keys, agents'
 * API keys (zgm_<id>_<secret>).
 */
export const SECRET_PATTERNS = [
  /1000\.[0-9a-f]{32}\.[0-9a-f]{32}/,
  /\b[0-9a-f]{42}\b/,
  /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/,
  /zgm_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/,
];

/** Vitest runs a root global setup once per project; only the first setup cleans and the last teardown scans. */
let active = 0;

export function setup(): void {
  if (active++ > 0) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Scans every captured log file in `logDir`; returns the number of lines read and the offending lines, masked. */
export function scanLogs(logDir: string): { files: number; lines: number; leaks: string[] } {
  const files = readdirSync(logDir).filter((f) => f.endsWith(".log"));
  let lines = 0;
  const leaks: string[] = [];
  for (const f of files) {
    for (const line of readFileSync(join(logDir, f), "utf8").split("\n")) {
      if (!line) continue;
      lines += 1;
      const hit = SECRET_PATTERNS.find((re) => re.test(line));
      if (hit) leaks.push(`${f}: ${line.replace(new RegExp(hit.source, "g"), "<SECRET>").slice(0, 300)}`);
    }
  }
  return { files: files.length, lines, leaks };
}

export function teardown(): void {
  if (--active > 0) return;
  const { files, lines, leaks } = scanLogs(dir);
  if (leaks.length)
    throw new Error(
      `log scan: ${leaks.length} captured log line(s) contain a secret:\n${leaks.slice(0, 10).join("\n")}`,
    );
  console.log(`log scan: ${lines} captured log lines from ${files} test workers, no secrets found`);
}
