/**
 * `zoho-gpt-mediator send lead|ticket|email|transcript|document`: fires a sample trigger the way Zoho would. On the
 * local stack (found through its state file), lead and ticket create a record in the Zoho sandbox, whose workflow
 * rule or Desk webhook calls the mediator; email, transcript and document post a sample to
 * `/v1/hooks/flow/<use case>` as Zoho Flow or n8n would. With `--stage`, the Flow kinds go to the stage's API
 * (CloudFormation output `ApiUrl`, or `--api-url`) with its webhook token; lead and ticket need a real org there.
 */

import { targetOf, withTargetOptions } from "../command-kit.js";
import { apiUrlOf, openWithEnv, webhookTokenOf } from "../ingest-target.js";
import { failure } from "../keys.js";
import { action, EXIT, type RegisterCommand, UsageError } from "../program.js";
import { type FlowSampleKind, isFlowSampleKind, sendFlowSample } from "../samples/index.js";
import { SAMPLE_LEADS, SAMPLE_TICKETS } from "../samples/records.js";

const KINDS = ["lead", "ticket", "email", "transcript", "document"] as const;

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)] as T;

export const sendCommand: RegisterCommand = (program, ctx) => {
  const command = withTargetOptions(
    program
      .command("send")
      .argument("<kind>", KINDS.join("|"))
      .description(
        "fire a sample trigger the way Zoho would: lead and ticket create a record in the local Zoho sandbox (its workflow rule or Desk webhook calls the mediator); email, transcript and document post a sample to /v1/hooks/flow/<use case> as Zoho Flow or n8n would",
      ),
  )
    .option("--sandbox <url>", "the Zoho sandbox (default: the local stack's)")
    .option(
      "--api-url <url>",
      "with --stage: the stage's API URL (default: its CloudFormation output ApiUrl)",
    );
  command.action(
    action(ctx, async (kind: string) => {
      if (!(KINDS as readonly string[]).includes(kind))
        throw new UsageError(`send: unknown kind "${kind}" (one of ${KINDS.join(", ")})`);
      const o = command.opts<{
        stage?: string;
        region?: string;
        verbose?: boolean;
        sandbox?: string;
        apiUrl?: string;
      }>();
      const target = targetOf(ctx, o);
      const sandbox = o.sandbox ?? target.local?.urls.sandbox;
      const { io } = ctx;
      try {
        if (isFlowSampleKind(kind)) return await flow(kind, sandbox);
        if (!sandbox) {
          io.err(
            `send failed: ${kind} creates a record in the local Zoho sandbox, and ${target.kind === "local" ? "the local stack runs against a real org" : `stage ${target.stage} has none`}: create the ${kind} in Zoho (its ${kind === "lead" ? "workflow rule" : "Desk webhook"} calls the mediator), or send email|transcript|document`,
          );
          return EXIT.failure;
        }
        const res =
          kind === "lead"
            ? await fetch(`${sandbox}/_sandbox/crm/Leads`, {
                method: "POST",
                body: JSON.stringify(pick(SAMPLE_LEADS)),
              })
            : await fetch(`${sandbox}/_sandbox/desk/tickets`, {
                method: "POST",
                body: JSON.stringify(pick(SAMPLE_TICKETS)),
              });
        const body = (await res.json().catch(() => ({}))) as {
          data?: { details?: { id?: string } }[];
          id?: string;
        };
        const id = body.data?.[0]?.details?.id ?? body.id;
        if (!res.ok) {
          io.err(`send failed: the sandbox answered ${res.status}`);
          return EXIT.failure;
        }
        io.out(`sent: ${kind} ${id} created in the Zoho sandbox; watch the npm start terminal`);
        return EXIT.ok;
      } catch (error) {
        io.err(`send failed: ${failure(error)}`);
        return EXIT.failure;
      }

      async function flow(what: FlowSampleKind, sandboxUrl: string | undefined): Promise<number> {
        let ingest: { base: string; token: string } | undefined;
        if (target.kind === "aws" || !sandboxUrl) {
          const opened = openWithEnv(target, ctx.env);
          try {
            ingest = { base: await apiUrlOf(target, o.apiUrl, ctx.env), token: await webhookTokenOf(opened) };
          } finally {
            opened.close();
          }
        }
        const sent = await sendFlowSample(
          what,
          target.kind === "aws" ? undefined : sandboxUrl,
          undefined,
          ingest,
        );
        if (!sent.ok) {
          io.err(`send failed: the mediator answered ${sent.status}${sent.error ? ` (${sent.error})` : ""}`);
          return EXIT.failure;
        }
        io.out(`sent: ${what} to ${sent.path} (job ${sent.jobId ?? "?"})`);
        return EXIT.ok;
      }
    }),
  );
};
