/** `zoho-gpt-mediator fields create <use-case>`: the CRM custom fields a use case's mapping lacks (infra/cli/fields.ts). */

import { argvOf, endpointsOf, runBody, targetOf, withTargetOptions } from "../command-kit.js";
import { fieldsCommand as runFields } from "../fields.js";
import { action, type RegisterCommand } from "../program.js";

export const fieldsCommand: RegisterCommand = (program, ctx) => {
  const fields = program.command("fields").description("CRM custom fields of the use cases' mappings");
  const create = withTargetOptions(
    fields
      .command("create")
      .argument("<use-case>", "the use case whose missing fields to create (e.g. lead-enrichment)")
      .description(
        "create the use case's missing CRM fields (needs ZohoCRM.settings.fields.CREATE) and print the Desk setup steps for missing Desk fields",
      ),
  )
    .option("--connection <name>", "connection name", "default")
    .option(
      "--secret-name <name>",
      "connection secret (default: zoho-gpt-mediator/<stage>/zoho/<connection>)",
    )
    .option("--secrets-endpoint <url>", "Secrets Manager endpoint (default: the target's)")
    .option("--dry-run", "print the Create Custom Field requests instead of sending them")
    .option("--json", "the results as one JSON document");
  create.action(
    action(ctx, async (useCase: string) => {
      const target = targetOf(ctx, create.opts());
      const args = [
        "create",
        useCase,
        ...argvOf(create, { "secrets-endpoint": endpointsOf(target, ctx.env).secrets }),
      ];
      return runBody(ctx, (out) => runFields(args, ctx.env, out, ctx.deps, "fields create <use-case>"));
    }),
  );
};
