/**
 * What the commands share on the commander frame: the common target options (`--stage`, `--region`, `--verbose`),
 * the endpoints a target implies for the connection and agent-table code (the local stack's emulators from its
 * state file; for `--stage`, the SDK's `AWS_ENDPOINT_URL_*` variables read from the CLI's own env, so a test points a
 * stage at emulators without touching process.env), and the bridge that runs the parseArgs-based command bodies
 * (doctor, fields, keys, proposals) under commander: commander checks the flags and prints the help, the body
 * re-reads the same flags rebuilt from commander's values.
 */
import type { Command, Option } from "commander";
import { DEFAULT_STAGE } from "../../shared/config/stage.js";
import type { CliContext } from "./program.js";
import { describeTarget, resolveTarget, type Target } from "./target.js";

/** Options of the frame, not of a command body: never passed on to it. */
const FRAME_OPTIONS = new Set(["verbose"]);

/** Adds `--stage`, `--region` and `--verbose` (CONTRACTS-13 §4 common options). */
export const withTargetOptions = (command: Command): Command =>
  command
    .option(
      "--stage <name>",
      `a deployed stage (default: the running local stack, found through npm start's state file; else stage ${DEFAULT_STAGE})`,
    )
    .option("--region <region>", "AWS region (default: AWS_REGION, else us-east-1)")
    .option("--verbose", "print the target on stderr");

/** The command's target; with `--verbose`, says which on stderr. */
export function targetOf(
  ctx: CliContext,
  opts: { stage?: string; region?: string; verbose?: boolean },
): Target {
  const target = resolveTarget({ stage: opts.stage, region: opts.region }, ctx.env);
  if (opts.verbose) ctx.io.err(`target: ${describeTarget(target)}`);
  return target;
}

/** The endpoints a target implies: the local stack's emulators, or the SDK's per-service endpoint variables. */
export function endpointsOf(target: Target, env: NodeJS.ProcessEnv): { secrets?: string; dynamodb?: string } {
  if (target.kind === "local")
    return {
      ...(target.endpoints.secretsManager ? { secrets: target.endpoints.secretsManager } : {}),
      ...(target.endpoints.dynamodb ? { dynamodb: target.endpoints.dynamodb } : {}),
    };
  const secrets = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL;
  const dynamodb = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  return { ...(secrets ? { secrets } : {}), ...(dynamodb ? { dynamodb } : {}) };
}

const longName = (option: Option): string => (option.long ?? "").replace(/^--/, "");

/** The command's parsed options as the argv a parseArgs body reads (frame options left out). */
export function argvOf(command: Command, extra: Record<string, string | undefined> = {}): string[] {
  const values = command.opts() as Record<string, unknown>;
  const argv: string[] = [];
  const given = new Set<string>();
  for (const option of command.options as readonly Option[]) {
    const name = longName(option);
    const value = values[option.attributeName()];
    if (FRAME_OPTIONS.has(name) || value === undefined || value === false) continue;
    given.add(name);
    if (value === true) argv.push(`--${name}`);
    else if (Array.isArray(value)) for (const v of value) argv.push(`--${name}`, String(v));
    else argv.push(`--${name}`, String(value));
  }
  for (const [name, value] of Object.entries(extra))
    if (value !== undefined && !given.has(name)) argv.push(`--${name}`, value);
  return argv;
}

/** Collects `option` values given more than once (`--allow A --allow B`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/**
 * Runs a parseArgs command body, which reports every line through one `out`: its usage complaints (exit 2, only
 * the first paragraph: commander's --help has the rest) and `... failed: ...` lines go to stderr, results to stdout.
 */
export async function runBody(
  ctx: CliContext,
  body: (out: (line: string) => void) => Promise<number>,
): Promise<number> {
  const lines: string[] = [];
  const code = await body((line) => lines.push(line));
  for (const line of lines) {
    if (code === 2) ctx.io.err(`${line.split("\n\n")[0]}\n(add --help for usage)`);
    else if (/^[a-z][a-z -]* failed: /.test(line)) ctx.io.err(line);
    else ctx.io.out(line);
  }
  return code;
}
