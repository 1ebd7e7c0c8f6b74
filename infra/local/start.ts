/**
 * `npm start`: runs the local stack on embedded defaults, prints where everything is, and shuts it all down
 * cleanly on Ctrl-C (SIGINT) or SIGTERM.
 */
// The SDK warns about Node 20 at client creation; the local stack runs on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { LocalEnvSchema, startLocalStack } = await import("./stack.js");

const env = LocalEnvSchema.parse(process.env);
const stack = await startLocalStack(env);
const demo = stack.sandbox.demo();

const lines = [
  "zoho-gpt-mediator local stack is up (all services on loopback; Ctrl-C stops everything)",
  "",
  `  Zoho sandbox      ${stack.sandbox.url}`,
  `    accounts (OAuth) ${demo.accountsUrl}`,
  `    CRM api_domain   ${demo.apiDomain}`,
  `    Desk             ${demo.deskUrl}   (orgId ${demo.orgId})`,
  `    inspect          ${stack.sandbox.url}/_sandbox/inspect`,
  `  Model server      ${stack.model.url}/v1   (built-in stand-in, not a real model)`,
  `  Secrets Manager   ${stack.secrets.url}`,
  `  SQS               ${stack.sqs.url}`,
  `    work queue       ${stack.queues.workUrl}`,
  `    dead letters     ${stack.queues.deadLetterUrl}`,
  `  DynamoDB Local    ${stack.dynamodb?.url ?? "off (LOCAL_DYNAMODB=off)"}`,
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
