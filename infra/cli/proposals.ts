/**
 * `npx zoho-gpt-mediator proposals list|approve|reject`: a person's decision on the writes agents proposed
 * (shared/use-cases/agent-proposals.ts). Approval carries the write out here, with the proposal's connection wired
 * as the functions wire it (the connection secret, the stored access token, the Zoho ports, live metadata). The
 * CLI refreshes a token only through the stack's refresher (`--refresher-function`), never on its own: Zoho's
 * refresh limits are shared by the whole deployment, and the refresher is the one place that spends them.
 */
import { parseArgs } from "node:util";
import { Logger } from "@aws-lambda-powertools/logger";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { LambdaRefreshCoordinator } from "../../shared/adapters/lambda/lambda-refresh-coordinator.js";
import { SecretsManagerStore } from "../../shared/adapters/secrets/secrets-manager-store.js";
import { createZohoPorts } from "../../shared/adapters/zoho/ports.js";
import { TokenProvider } from "../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../shared/adapters/zoho/zoho-http-client.js";
import { connectionSecretName } from "../../shared/domain/zoho-connection.js";
import { RefreshThrottledError } from "../../shared/errors.js";
import type { AppLogger } from "../../shared/observability/logger.js";
import { FieldMetadataCache } from "../../shared/pipeline/field-metadata-cache.js";
import type { Proposal, ProposalStatus, ToolWrite } from "../../shared/ports/agent-store.js";
import { systemClock } from "../../shared/ports/clock.js";
import type { RefreshCoordinator, RefreshOutcome } from "../../shared/ports/refresh-coordinator.js";
import type { ZohoPorts } from "../../shared/ports/zoho.js";
import { approveProposal, listProposals, rejectProposal } from "../../shared/use-cases/agent-proposals.js";
import { type CliDeps, secretsClient } from "./connection.js";
import { AGENT_TABLE_OPTIONS, failure, openAgentTable, printable, withAgentTable } from "./keys.js";

export const PROPOSALS_USAGE = `proposals: writes that proposals-only keys (and crm_propose_update) asked for, waiting for a person.
  proposals list [--status pending|approving|written|failed|rejected] [--json]
  proposals approve <id> [--by NAME]   carries the write out now, checked against live metadata and the key's
                                       scopes (exit 0 when written, else 1 with the reason)
  proposals reject <id> [--by NAME]
    --by NAME                  who decided (default: USER)
    --secrets-endpoint URL     approve: Secrets Manager endpoint of the connection secret (npm start's emulator)
    --refresher-function NAME  approve in AWS: the stack's token refresher; without it the CLI never refreshes a
                               token, and an expired one answers "the scheduled refresher renews it in a minute;
                               approve again later"
    --desk-from-address ADDR   approve: the deployment's DESK_FROM_ADDRESS (default: that environment variable)`;

const STATUSES: readonly ProposalStatus[] = ["pending", "approving", "written", "failed", "rejected"];

/** The CLI reports through its own output; the use case's structured logs would only interleave with it. */
const silentLogger: AppLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  powertools: new Logger({ serviceName: "cli", logLevel: "SILENT" }),
};

/**
 * The coordinator of a CLI given no refresher: it never refreshes. An expired stored token is a passing fault
 * (the proposal goes back to pending): the scheduled refresher renews every token before it expires.
 */
class NoRefreshCoordinator implements RefreshCoordinator {
  async requestRefresh(secretName: string): Promise<RefreshOutcome> {
    throw new RefreshThrottledError(
      `the stored Zoho access token of ${secretName} has expired and this CLI does not refresh tokens (give --refresher-function to use the stack's refresher): the scheduled refresher renews it in a minute`,
      { retryAfterMs: 60_000 },
    );
  }
}

/** A value of an agent's write, for a person's terminal: JSON, on one line, cut. */
const shown = (value: unknown, max = 80) => printable(JSON.stringify(value) ?? "null", max);

/** What the write does, in a line. */
export function describeWrite(w: ToolWrite): string {
  switch (w.kind) {
    case "crm-update":
      return `update ${w.module} ${w.id}: ${Object.entries(w.fields)
        .map(([field, value]) => `${printable(field, 100)} = ${shown(value)}`)
        .join(", ")}`;
    case "crm-note":
      return `note on ${w.module} ${w.id}${w.title ? ` titled ${shown(w.title)}` : ""}: ${shown(w.content, 200)}`;
    case "crm-task":
      return `task on ${w.module} ${w.id}: ${shown(w.subject)}${w.dueDate ? ` due ${printable(w.dueDate, 10)}` : ""}`;
    case "desk-comment":
      return `private comment on ticket ${w.ticketId}: ${shown(w.content, 200)}`;
    case "desk-draft":
      return `${w.send ? "reply SENT to the customer" : "draft reply"} on ticket ${w.ticketId}: ${shown(w.content, 200)}`;
  }
}

function proposalLines(p: Proposal): string[] {
  return [
    `${p.id}  ${p.status}  ${p.createdAt}  ${p.tool} by key ${p.keyName} (${p.keyId}) on ${p.connection}`,
    `    ${describeWrite(p.write)}`,
    ...(p.reason ? [`    reason (the agent's words): ${shown(p.reason, 200)}`] : []),
    // Back to pending after a passing fault: the attempt's decidedAt/decidedBy stay on the item.
    ...(p.decidedAt && p.status === "pending"
      ? [`    last approval attempt by ${printable(p.decidedBy ?? "?", 64)} at ${p.decidedAt} (not written)`]
      : []),
    ...(p.decidedAt && p.status !== "pending"
      ? [
          `    decided by ${printable(p.decidedBy ?? "?", 64)} at ${p.decidedAt}${p.result ? `: ${printable(p.result.message, 300)}` : ""}`,
        ]
      : []),
  ];
}

/** The Zoho ports of a proposal's connection, as the functions build them (one client per connection). */
function zohoForCli(
  flags: { stage: string; region?: string | undefined; "secrets-endpoint"?: string | undefined },
  refresher: string | undefined,
  env: NodeJS.ProcessEnv,
  deps: CliDeps,
) {
  const secretsAws = secretsClient(flags, env);
  const clock = deps.clock ?? systemClock;
  const secrets = new SecretsManagerStore({ client: secretsAws, clock });
  const lambda = refresher
    ? new LambdaClient({ region: flags.region ?? env.AWS_REGION ?? "us-east-1" })
    : undefined;
  const coordinator: RefreshCoordinator = lambda
    ? new LambdaRefreshCoordinator({ client: lambda, functionName: refresher as string, secrets, clock })
    : new NoRefreshCoordinator();
  const ports = new Map<string, ZohoPorts>();
  return {
    zohoFor: (connection: string): ZohoPorts => {
      const cached = ports.get(connection);
      if (cached) return cached;
      const tokens = new TokenProvider({
        secretName: connectionSecretName(flags.stage, connection),
        secrets,
        coordinator,
        clock,
      });
      const made = createZohoPorts(
        new ZohoHttpClient({
          tokens,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          // A person is waiting: a short retry, then the proposal goes back to pending with the reason.
          retry: { serverErrorRetries: 1, rateLimitRetries: 1 },
        }),
      );
      ports.set(connection, made);
      return made;
    },
    close: () => {
      secretsAws.destroy();
      lambda?.destroy();
    },
  };
}

async function list(rest: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: { ...AGENT_TABLE_OPTIONS, status: { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  const status = values.status as ProposalStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) {
    out(`proposals list: --status is one of ${STATUSES.join(", ")}\n\n${PROPOSALS_USAGE}`);
    return 2;
  }
  return withAgentTable(values, env, out, "proposals list", async (table) => {
    const proposals = await listProposals(table.store.proposals, status);
    if (values.json) {
      out(JSON.stringify(proposals, null, 2));
      return 0;
    }
    if (proposals.length === 0) out(`no ${status ?? ""}${status ? " " : ""}proposals in ${table.table}`);
    for (const p of proposals) for (const line of proposalLines(p)) out(line);
    return 0;
  });
}

async function decide(
  verb: "approve" | "reject",
  rest: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      ...AGENT_TABLE_OPTIONS,
      by: { type: "string" },
      "desk-from-address": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [id, ...extra] = positionals;
  if (!id || extra.length) {
    out(`proposals ${verb}: give one proposal id\n\n${PROPOSALS_USAGE}`);
    return 2;
  }
  const by = printable(values.by ?? env.USER ?? "operator", 64);
  const clock = deps.clock ?? systemClock;
  const table = openAgentTable(values, env);
  const zoho =
    verb === "approve"
      ? zohoForCli({ ...values, stage: table.stage }, values["refresher-function"], env, deps)
      : undefined;
  try {
    if (verb === "reject") {
      const result = await rejectProposal(table.store.proposals, id, by, clock);
      out(result.ok ? `rejected ${id}` : `reject ${id}: already ${result.status}; nothing changed`);
      return result.ok ? 0 : 1;
    }
    const decision = await approveProposal(
      {
        proposals: table.store.proposals,
        keys: table.store.keys,
        zohoFor: (zoho as NonNullable<typeof zoho>).zohoFor,
        metadata: new FieldMetadataCache(clock),
        clock,
        logger: silentLogger,
        deskFromAddress: values["desk-from-address"] ?? env.DESK_FROM_ADDRESS,
      },
      id,
      by,
    );
    out(
      decision.ok
        ? `approved ${id}: written (${printable(decision.message, 300)})`
        : `approve ${id}: ${decision.status} (${printable(decision.message, 300)})`,
    );
    return decision.ok ? 0 : 1;
  } catch (error) {
    out(`proposals ${verb} failed: ${printable(failure(error), 300)}`);
    return 1;
  } finally {
    table.close();
    zoho?.close();
  }
}

/** `proposals <list|approve|reject>`; 2 on a usage error. */
export async function proposalsCommand(
  rest: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  deps: CliDeps,
): Promise<number> {
  const [sub, ...args] = rest;
  if (sub === "list") return list(args, env, out);
  if (sub === "approve" || sub === "reject") return decide(sub, args, env, out, deps);
  out(PROPOSALS_USAGE);
  return 2;
}
