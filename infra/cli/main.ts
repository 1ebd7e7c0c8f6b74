/**
 * The operator CLI (`npx zoho-gpt-mediator <command>`): the commands of infra/cli/commands/ on the commander frame
 * (infra/cli/program.ts). `--help` on the program and on every command; usage errors exit 2 with the message on
 * stderr, failures 1, success 0. Results go to stdout, errors, warnings and progress to stderr.
 */
import { COMMANDS } from "./commands/index.js";
import type { CliDeps } from "./connection.js";
import { type CliIo, runProgram } from "./program.js";

export type { CliDeps } from "./connection.js";

/**
 * Runs the CLI on `argv` (without node and the script) and answers its exit code (never process.exit). `io` is the
 * process's streams by default; a function instead receives both stdout and stderr lines (tests that only read).
 */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Partial<CliIo> | ((line: string) => void) = {},
  deps: CliDeps = {},
): Promise<number> {
  const base: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdin: process.stdin,
    interactive: Boolean(process.stdin.isTTY),
  };
  const resolved: CliIo =
    typeof io === "function" ? { ...base, out: io, err: io, interactive: false } : { ...base, ...io };
  return runProgram(argv, { env, io: resolved, deps }, COMMANDS);
}
