/**
 * `npm start`: the whole system locally on embedded defaults. Prints every URL, the webhook URLs with their secret,
 * and a line per event as it moves (received, queued, model, written or quarantined). Ctrl-C stops everything.
 */
// The SDK warns about Node 20 at client creation; the local stack runs on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// Structured logs stay at WARN here so the event lines are readable; POWERTOOLS_LOG_LEVEL=INFO shows them all.
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const { LocalEnvSchema, startLocalStack } = await import("./stack.js");

const env = LocalEnvSchema.parse(process.env);
const stamp = () => new Date().toISOString().slice(11, 19);
const stack = await startLocalStack(env, { onEvent: (line) => console.log(`${stamp()} ${line}`) });
const demo = stack.sandbox?.demo();

const lines = [
  "zoho-gpt-mediator local stack is up (all services on loopback; Ctrl-C stops everything)",
  "",
  `  Mediator API      ${stack.api?.url}`,
  `    CRM webhook      POST ${stack.hooks.crm}   header X-Mediator-Token: ${stack.webhookToken}`,
  `    Desk webhook     POST ${stack.hooks.desk}`,
  `    Flow / custom    POST ${stack.hooks.flow}   header X-Mediator-Token: ${stack.webhookToken}`,
  stack.sandbox
    ? [
        `  Zoho sandbox      ${stack.sandbox.url}   (its workflow rule and Desk webhook call the URLs above)`,
        `    accounts (OAuth) ${demo?.accountsUrl}`,
        `    CRM api_domain   ${demo?.apiDomain}`,
        `    Desk             ${demo?.deskUrl}   (orgId ${demo?.orgId})`,
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
  `  DynamoDB Local    ${stack.dynamodb?.url ?? "off (LOCAL_DYNAMODB=off): the worker does not run"}`,
  "",
  stack.sandbox
    ? "Fire sample triggers from another terminal: npm run send -- lead   |   npm run send -- ticket"
    : "",
];
console.log(lines.join("\n"));

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received: stopping the local stack...`);
  await stack.stop();
  console.log("stopped.");
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
