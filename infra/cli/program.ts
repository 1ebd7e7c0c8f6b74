/**
 * The operator CLI's frame on commander: one `Command` per command module (infra/cli/commands/), per-command
 * `--help`, usage errors on stderr with exit code 2, failures exit 1, success 0. Each command's action returns its
 * exit code through `ctx.exit`; output goes through `ctx.io` so tests capture it.
 */
import { Command, CommanderError } from "commander";
import type { CliDeps } from "./connection.js";

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface CliIo {
  /** Results: stdout. */
  out(line: string): void;
  /** Errors, warnings, progress: stderr. */
  err(line: string): void;
  /** Where `set-model-key` reads the key and confirmations read answers. */
  stdin: NodeJS.ReadableStream;
  /** True when stdin is a terminal (confirmations may ask; otherwise they need --yes). */
  interactive: boolean;
}

export interface CliContext {
  env: NodeJS.ProcessEnv;
  io: CliIo;
  deps: CliDeps;
  /** Records the command's exit code (the last call wins). */
  exit(code: number): void;
}

/** Adds one command (with its subcommands) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** A usage error found by a command itself (a bad value commander cannot check): exit 2, the message on stderr. */
export class UsageError extends Error {}

/** Wraps an action: its returned code becomes the exit code; a UsageError exits 2; anything else propagates. */
export const action =
  <A extends unknown[]>(ctx: CliContext, run: (...args: A) => Promise<number>) =>
  async (...args: A): Promise<void> => {
    try {
      ctx.exit(await run(...args));
    } catch (error) {
      if (error instanceof UsageError) {
        ctx.io.err(`error: ${error.message}`);
        ctx.exit(EXIT.usage);
        return;
      }
      throw error;
    }
  };

export function buildProgram(ctx: CliContext, commands: readonly RegisterCommand[]): Command {
  const program = new Command("zoho-gpt-mediator")
    .description(
      "Operate zoho-gpt-mediator: connections, webhooks, health, dead letters, jobs, usage, backfills.",
    )
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (text) => ctx.io.out(text.replace(/\n$/, "")),
      writeErr: (text) => ctx.io.err(text.replace(/\n$/, "")),
    })
    .exitOverride();
  for (const register of commands) register(program, ctx);
  // Subcommands inherit the frame: errors to stderr, no process.exit, help after an error.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub
        .exitOverride()
        .configureOutput(program.configureOutput())
        .showHelpAfterError("(add --help for usage)");
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and answers the exit code; never calls process.exit. */
export async function runProgram(
  argv: string[],
  ctx: Omit<CliContext, "exit">,
  commands: readonly RegisterCommand[],
) {
  let code: number = EXIT.ok;
  const full: CliContext = {
    ...ctx,
    exit: (c) => {
      code = c;
    },
  };
  const program = buildProgram(full, commands);
  // No command at all: the help, as `--help` would print it.
  if (argv.length === 0) {
    ctx.io.out(program.helpInformation().replace(/\n$/, ""));
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, `help` and --version exit 0; every other commander error (help shown for a missing subcommand
      // included: commander.help with exit code 1) is a usage error.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
}
