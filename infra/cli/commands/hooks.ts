/**
 * `zoho-gpt-mediator hooks`: the target's webhook URLs and how to set each in Zoho (CRM workflow webhook with the
 * X-Mediator-Token header, Desk webhook, Zoho Flow / n8n). The token is a secret: it is printed only with
 * `--show-token` (the operator pastes it into Zoho); otherwise the lines name where it is kept.
 */
import { targetOf, withTargetOptions } from "../command-kit.js";
import { apiUrlOf, openWithEnv, webhookTokenOf } from "../ingest-target.js";
import { failure } from "../keys.js";
import { action, EXIT, type RegisterCommand } from "../program.js";

export const hooksCommand: RegisterCommand = (program, ctx) => {
  const command = withTargetOptions(
    program
      .command("hooks")
      .description("print the webhook URLs of the target and how to set each in Zoho (CRM, Desk, Flow/n8n)"),
  )
    .option(
      "--api-url <url>",
      "the API URL (default: the local stack's, or the stage's CloudFormation output ApiUrl)",
    )
    .option("--use-case <name>", "the CRM use case the workflow webhook triggers", "lead-enrichment")
    .option(
      "--show-token",
      "print the X-Mediator-Token value (a secret: it goes into Zoho's webhook settings)",
    )
    .option("--json", "one JSON document");
  command.action(
    action(ctx, async () => {
      const o = command.opts<{
        stage?: string;
        region?: string;
        verbose?: boolean;
        apiUrl?: string;
        useCase: string;
        showToken?: boolean;
        json?: boolean;
      }>();
      const target = targetOf(ctx, o);
      const opened = openWithEnv(target, ctx.env);
      try {
        const api = await apiUrlOf(target, o.apiUrl, ctx.env);
        const token = await webhookTokenOf(opened);
        const shown = o.showToken
          ? token
          : `<the "token" of secret ${target.names.webhookSecret}; --show-token prints it>`;
        const hooks = {
          crm: `${api}/v1/hooks/crm/${o.useCase}`,
          desk: `${api}/v1/hooks/desk?token=${shown}`,
          flow: `${api}/v1/hooks/flow/{useCase}`,
        };
        if (o.json) {
          ctx.io.out(
            JSON.stringify(
              { api, header: "X-Mediator-Token", token: o.showToken ? token : null, hooks },
              null,
              2,
            ),
          );
          return EXIT.ok;
        }
        for (const line of [
          `Webhooks of ${target.kind === "local" ? "the local stack" : `stage ${target.stage}`} (${api})`,
          "",
          "CRM workflow webhook (Setup > Automation > Actions > Webhooks, then a Workflow Rule on the module):",
          `  URL     POST ${hooks.crm}`,
          `  header  X-Mediator-Token: ${shown}`,
          "  body    form-data or JSON with the record id, e.g. module=Leads and ids=${Leads.Lead Id}",
          "",
          "Desk webhook (Setup > Developer Space > Webhooks; subscribe to Ticket_Add, Ticket_Thread_Add):",
          `  URL     POST ${hooks.desk}`,
          "  Desk cannot send custom headers, so the token rides in the query string; set the webhook's",
          "  ignoreSourceId on the connection (auth --desk-source-id) so the mediator's own writes do not loop.",
          "",
          "Zoho Flow, n8n or a Deluge invokeUrl (one URL per use case, e.g. email-triage):",
          `  URL     POST ${hooks.flow}`,
          `  header  X-Mediator-Token: ${shown}`,
          "  body    the use case's JSON (README, use-case tables)",
        ])
          ctx.io.out(line);
        return EXIT.ok;
      } catch (error) {
        ctx.io.err(`hooks failed: ${failure(error)}`);
        return EXIT.failure;
      } finally {
        opened.close();
      }
    }),
  );
};
