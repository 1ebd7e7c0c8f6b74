/**
 * Global setup of the security project: clears the case log before the run and, after it, prints the suite's one
 * summary line from what every security test file recorded (test/security/helpers.ts `recordCase`):
 * `security: N cases, X accepted that should be refused, Y 5xx`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CASES_DIR, type CaseRecord } from "./helpers.js";

export function setup(): void {
  rmSync(CASES_DIR, { recursive: true, force: true });
}

/** Counts the recorded cases: how many ran, how many breached (accepted, enqueued, written or leaked), how many 5xx. */
export function summarise(dir: string): { cases: number; breached: number; fiveXx: number } {
  if (!existsSync(dir)) return { cases: 0, breached: 0, fiveXx: 0 };
  const records: CaseRecord[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".jsonl")))
    for (const line of readFileSync(join(dir, f), "utf8").split("\n"))
      if (line.trim()) records.push(JSON.parse(line) as CaseRecord);
  return {
    cases: records.length,
    breached: records.filter((r) => r.breached).length,
    fiveXx: records.filter((r) => (r.status ?? 0) >= 500).length,
  };
}

export function teardown(): void {
  const { cases, breached, fiveXx } = summarise(CASES_DIR);
  if (cases === 0) return;
  console.log(`security: ${cases} cases, ${breached} accepted that should be refused, ${fiveXx} 5xx`);
}
