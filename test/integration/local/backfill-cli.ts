/**
 * The backfill command as a process, for the backfill test: the CLI frame with the real stdio, until the cli package's
 * bin runs every command through `runProgram`. Not a test file (no `.test.`): the test spawns it.
 */
import { backfillCommand } from "../../../infra/cli/commands/backfill.js";
import { runProgram } from "../../../infra/cli/program.js";

process.exitCode = await runProgram(
  process.argv.slice(2),
  {
    env: process.env,
    io: {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      stdin: process.stdin,
      interactive: Boolean(process.stdin.isTTY),
    },
    deps: {},
  },
  [backfillCommand],
);
