/** `zoho-gpt-mediator doctor`: checks a connection end to end and prints the fix for each problem (infra/cli/doctor.ts). */

import { argvOf, endpointsOf, runBody, targetOf, withTargetOptions } from "../command-kit.js";
import { doctorCommand as runDoctor } from "../doctor.js";
import { action, type RegisterCommand } from "../program.js";

export const doctorCommand: RegisterCommand = (program, ctx) => {
  const command = withTargetOptions(
    program
      .command("doctor")
      .description(
        "check a connection end to end (secret, token, API domain, scopes, Desk org, field mappings, webhook secret, model key) and print the fix for each problem; exit 0 when nothing failed, else 1",
      ),
  )
    .option("--connection <name>", "connection name", "default")
    .option(
      "--secret-name <name>",
      "connection secret (default: zoho-gpt-mediator/<stage>/zoho/<connection>)",
    )
    .option("--secrets-endpoint <url>", "Secrets Manager endpoint (default: the target's)")
    .option(
      "--desk-from-address <addr>",
      "the configured DESK_FROM_ADDRESS (default: that environment variable)",
    )
    .option(
      "--notifications <on|off>",
      "whether the product manages Notification API channels (default: on when NOTIFICATION_EVENTS is set)",
    )
    .option("--webhook-secret-name <name>", "webhook secret (default: zoho-gpt-mediator/<stage>/webhooks)")
    .option(
      "--model-secret-name <name>",
      'model key secret (default: zoho-gpt-mediator/<stage>/openai; none on the local stack; "none" for a keyless server)',
    )
    .option("--json", "the report as one JSON document");
  command.action(
    action(ctx, async () => {
      const target = targetOf(ctx, command.opts());
      const args = argvOf(command, { "secrets-endpoint": endpointsOf(target, ctx.env).secrets });
      return runBody(ctx, (out) => runDoctor(args, ctx.env, out, ctx.deps));
    }),
  );
};
