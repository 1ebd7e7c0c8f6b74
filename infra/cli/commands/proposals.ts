/** `zoho-gpt-mediator proposals list|approve|reject`: writes agents proposed, waiting for a person (infra/cli/proposals.ts). */
import type { Command } from "commander";
import { action, type RegisterCommand } from "../program.js";
import { proposalsCommand as runProposals } from "../proposals.js";
import { runAgentTableBody, withAgentTableOptions } from "./keys.js";

export const proposalsCommand: RegisterCommand = (program, ctx) => {
  const proposals = program
    .command("proposals")
    .description("writes that proposals-only keys (and crm_propose_update) asked for, waiting for a person");
  const run = (command: Command, head: string[]) =>
    runAgentTableBody(ctx, command, head, (args, out) => runProposals(args, ctx.env, out, ctx.deps));

  const list = withAgentTableOptions(proposals.command("list").description("list proposals"))
    .option("--status <status>", "pending | approving | written | failed | rejected")
    .option("--json", "one JSON document");
  list.action(action(ctx, async () => run(list, ["list"])));

  for (const verb of ["approve", "reject"] as const) {
    const decide = withAgentTableOptions(
      proposals
        .command(verb)
        .argument("<id>", "proposal id")
        .description(
          verb === "approve"
            ? "carry the write out now, checked against live metadata and the key's scopes (exit 0 when written, else 1 with the reason)"
            : "reject the proposal",
        ),
    )
      .option("--by <name>", "who decided (default: USER)")
      .option(
        "--desk-from-address <addr>",
        "the deployment's DESK_FROM_ADDRESS (default: that environment variable)",
      );
    decide.action(action(ctx, async (id: string) => run(decide, [verb, id])));
  }
};
