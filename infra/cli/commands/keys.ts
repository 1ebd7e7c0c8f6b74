/** `zoho-gpt-mediator keys create|list|revoke|calls`: agents' API keys (infra/cli/keys.ts). */
import type { Command } from "commander";
import { argvOf, collect, endpointsOf, runBody, targetOf, withTargetOptions } from "../command-kit.js";
import { keysCommand as runKeys } from "../keys.js";
import { action, type CliContext, type RegisterCommand } from "../program.js";

/** The agent-table options every keys and proposals subcommand takes, after the target's. */
export const withAgentTableOptions = (command: Command): Command =>
  withTargetOptions(command)
    .option("--table <name>", "agents table (default: zoho-gpt-mediator-<stage>-agents)")
    .option("--dynamodb-endpoint <url>", "DynamoDB endpoint (default: the target's)")
    // The common set of CONTRACTS-12 §3: a script may pass the same flags to every keys and proposals command.
    .option("--secrets-endpoint <url>", "proposals approve: Secrets Manager endpoint (default: the target's)")
    .option(
      "--refresher-function <name>",
      "proposals approve in AWS: the stack's token refresher (without it the CLI never refreshes a token)",
    );

/** Runs one keys or proposals subcommand body with the target's endpoints filled in. */
export async function runAgentTableBody(
  ctx: CliContext,
  command: Command,
  head: string[],
  body: (args: string[], out: (line: string) => void) => Promise<number>,
): Promise<number> {
  const target = targetOf(ctx, command.opts());
  const endpoints = endpointsOf(target, ctx.env);
  const args = [
    ...head,
    ...argvOf(command, {
      "dynamodb-endpoint": endpoints.dynamodb,
      // Every keys and proposals body reads AGENT_TABLE_OPTIONS, the Secrets Manager endpoint among them.
      "secrets-endpoint": endpoints.secrets,
    }),
  ];
  return runBody(ctx, (out) => body(args, out));
}

export const keysCommand: RegisterCommand = (program, ctx) => {
  const keys = program
    .command("keys")
    .description(
      "agents' API keys for the MCP tools and GPT Actions (shown once, stored hashed, one connection each)",
    );
  const run = (command: Command, head: string[]) =>
    runAgentTableBody(ctx, command, head, (args, out) => runKeys(args, ctx.env, out, ctx.deps));

  const create = withAgentTableOptions(keys.command("create").description("create a key and print it once"))
    // Checked by the body, which names every missing one at once.
    .option("--name <name>", "who or what uses the key (required)")
    .option(
      "--scopes <scopes>",
      "required; comma-separated: crm.read | crm.read:<Module> | crm.write:<Module> | desk.read | desk.comment | desk.draft | desk.send | jobs.read",
    )
    .option(
      "--allow <patterns>",
      "fields a crm.write module may update: api names or prefixes ending in * (AI_*), <Module>.<pattern> for one module; repeatable",
      collect,
    )
    .option("--write-budget <n/day>", "writes per UTC day, proposals included")
    .option("--rate <n/min>", "tool calls per minute")
    .option("--proposals-only", "every write becomes a proposal a person approves")
    .option("--connection <name>", "the Zoho connection the key uses (default: default)")
    .option("--json", "one JSON document");
  create.action(action(ctx, async () => run(create, ["create"])));

  const list = withAgentTableOptions(keys.command("list").description("list the keys")).option(
    "--json",
    "one JSON document",
  );
  list.action(action(ctx, async () => run(list, ["list"])));

  const revoke = withAgentTableOptions(
    keys
      .command("revoke")
      .argument("<id>", "key id")
      .description("revoke a key: it answers 401 from then on"),
  );
  revoke.action(action(ctx, async (id: string) => run(revoke, ["revoke", id])));

  const calls = withAgentTableOptions(
    keys
      .command("calls")
      .argument("<id>", "key id")
      .description("the key's audited tool calls, newest first"),
  )
    .option("--limit <n>", "how many (1-1000, default 50)")
    .option("--json", "one JSON document");
  calls.action(action(ctx, async (id: string) => run(calls, ["calls", id])));
};
