/**
 * CDK entry point (`npx cdk synth`, `npx cdk deploy`). The only infra file that reads the environment.
 * Synthesis needs no network and no AWS credentials.
 */
import { App, Tags } from "aws-cdk-lib";
import { USE_CASE_CATALOG } from "../shared/use-cases/catalog.js";
import { loadStage } from "./config/stages.js";
import { MediatorStack } from "./stacks/mediator-stack.js";

const app = new App();
/** Every stage setting that can be given as CDK context (`-c key=value`); see infra/config/stages.ts. */
const CONTEXT_KEYS = [
  "stage",
  "region",
  "connections",
  "logRetentionDays",
  "notificationEvents",
  "workerSettings",
  "tools",
];
const stage = loadStage(
  Object.fromEntries(
    CONTEXT_KEYS.flatMap((key) => {
      const value = app.node.tryGetContext(key);
      return value === undefined ? [] : [[key, value]];
    }),
  ),
  process.env,
);
new MediatorStack(app, `ZohoGptMediator-${stage.name}`, {
  stage,
  // The use cases this deployment serves: routes, alarms and the loop guard derive from the list.
  useCases: USE_CASE_CATALOG,
  env: { region: stage.region, ...(stage.account ? { account: stage.account } : {}) },
  description: "zoho-gpt-mediator: Zoho triggers -> SQS -> GPT (structured) -> validated write-back",
});
Tags.of(app).add("app", "zoho-gpt-mediator");
Tags.of(app).add("stage", stage.name);
app.synth();
