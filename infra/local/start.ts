/**
 * `npm start`: the whole system locally on embedded defaults. Prints every URL, the webhook URLs with their secret,
 * the agents' MCP and OpenAPI URLs with a demo key, and a line per event as it moves (received, queued, model,
 * written or quarantined). Ctrl-C stops everything.
 * State survives a restart under `.local/` (LOCAL_STATE_DIR); `npm start -- --fresh` starts from a clean slate.
 */
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { problemLines } from "../../shared/config/problem-lines.js";

// Structured logs stay at WARN here so the event lines are readable; POWERTOOLS_LOG_LEVEL=INFO shows them all.
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const { LocalEnvSchema, startLocalStack } = await import("./stack.js");
const { localStackState, removeLocalState, writeLocalState } = await import("./state-file.js");

// The shipped Creator and Books examples (use cases defined by configuration) run on the sandbox's demo org, whose
// apps and fields they name; with another org or profile, USE_CASE_FILES names the definitions to serve.
const EXAMPLE_USE_CASES = [
  "config/use-cases/examples/creator-service-triage.yaml",
  "config/use-cases/examples/books-overdue-follow-up.yaml",
];
if (!process.env.ZOHO_CLIENT_ID && (process.env.ZOHO_SANDBOX_PROFILE ?? "demo") === "demo")
  process.env.USE_CASE_FILES ??= EXAMPLE_USE_CASES.join(",");

// A bad setting (ZOHO_DC=mars) is one line per problem, never a ZodError dump.
const parsed = LocalEnvSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`npm start: the settings are not valid:\n${problemLines(parsed.error).join("\n")}`);
  process.exit(1);
}
const env = parsed.data;
const stateDir = resolve(process.env.LOCAL_STATE_DIR || ".local");
if (process.argv.includes("--fresh")) rmSync(stateDir, { recursive: true, force: true });
const stamp = () => new Date().toISOString().slice(11, 19);
const stack = await startLocalStack(env, {
  stateDir,
  onEvent: (line) => console.log(`${stamp()} ${line}`),
});
const { restored } = stack;
// The CLI finds this stack through the state file (infra/cli/target.ts); removed again on stop.
mkdirSync(stateDir, { recursive: true });
writeLocalState(stateDir, localStackState(stack));
const demo = stack.sandbox?.demo();

const lines = [
  "zoho-gpt-mediator local stack is up (all services on loopback; Ctrl-C stops everything)",
  "",
  `  Mediator API      ${stack.api?.url}   (GET /v1/health; GET /_local/dead-letters)`,
  `  Status page       ${stack.statusUrl}   (events by stage, last jobs, dead letters with replay, costs)`,
  `    CRM webhook      POST ${stack.hooks.crm}   header X-Mediator-Token: ${stack.webhookToken}`,
  `    Desk webhook     POST ${stack.hooks.desk}`,
  `    Flow / custom    POST ${stack.hooks.flow}   header X-Mediator-Token: ${stack.webhookToken}`,
  ...stack.definedUseCases.map(
    (d) =>
      `    ${d.service === "creator" ? "Creator" : d.service === "books" ? "Books  " : "CRM    "} hook     POST ${stack.api?.url}/v1/hooks/${d.service}/${d.name}   (defined by configuration)`,
  ),
  stack.sandbox
    ? [
        `  Zoho sandbox      ${stack.sandbox.url}   (its workflow rule and Desk webhook call the URLs above)`,
        `    accounts (OAuth) ${demo?.accountsUrl}`,
        `    CRM api_domain   ${demo?.apiDomain}`,
        `    Desk             ${demo?.deskUrl}   (orgId ${demo?.orgId})`,
        `    Creator / Books  owner ${demo?.creatorOwner}, Books organization ${demo?.booksOrgId} (on the api_domain)`,
        `    inspect          ${stack.sandbox.url}/_sandbox/inspect`,
      ].join("\n")
    : "  Zoho              a real org (ZOHO_* settings)",
  stack.model
    ? `  Model server      ${stack.model.url}/v1   (built-in stand-in, not a real model)`
    : `  Model             ${env.OPENAI_BASE_URL ?? "OpenAI"} (${env.MODEL})`,
  `  Secrets Manager   ${stack.secrets.url}`,
  `  SQS               ${stack.sqs.url}`,
  `    work queue       ${stack.queues.workUrl}`,
  `    dead letters     ${stack.queues.deadLetterUrl}`,
  `  DynamoDB Local    ${stack.dynamodb?.url ?? "off (LOCAL_DYNAMODB=off): the worker and the tools do not run"}`,
  stack.tools
    ? [
        `  Agents (MCP)      ${stack.tools.mcpUrl}   (Streamable HTTP; header Authorization: Bearer <key>)`,
        `    GPT Actions      ${stack.tools.openapiUrl}   (REST: POST ${stack.tools.restUrl}/<tool>)`,
        `    demo key         ${stack.tools.demoKey}   (local only; kept in ${stateDir}/demo-key)`,
        `    more keys        npx zoho-gpt-mediator keys create --dynamodb-endpoint ${stack.tools.dynamodbUrl} --name N --scopes S`,
      ].join("\n")
    : "  Agents (MCP)      off (needs DynamoDB Local)",
  `  Notifications     ${stack.notifications ? `channels on (${stack.config.notifications?.NOTIFICATION_EVENTS.join(", ")}), subscribed and renewed by the product` : "channels off (NOTIFICATION_EVENTS=Leads.create,Leads.edit turns them on)"}`,
  `  State             ${stateDir} (${
    restored.secrets
      ? `restored: ${restored.sandbox ? "the Zoho sandbox org, " : ""}secrets, tables, ${restored.work} queued event(s), ${restored.deadLetter} dead letter(s)`
      : "new"
  }; npm start -- --fresh clears it)`,
  "",
  stack.sandbox
    ? `Fire sample triggers from another terminal: npm run send -- lead   |   npm run send -- ticket   (the CLI finds this stack through ${stateDir}/stack.json)`
    : "",
];
console.log(lines.join("\n"));

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received: stopping the local stack...`);
  removeLocalState(stateDir);
  await stack.stop();
  console.log("stopped.");
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
