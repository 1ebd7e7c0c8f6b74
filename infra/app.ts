/**
 * CDK entry point (`npx cdk synth`, `npx cdk deploy`). The only infra file that reads the environment.
 * Synthesis needs no network and no AWS credentials.
 */
import { App, Tags } from "aws-cdk-lib";
import { loadStage } from "./config/stages.js";
import { MediatorStack } from "./stacks/mediator-stack.js";

const app = new App();
const stage = loadStage(
  app.node.tryGetContext("stage")
    ? { stage: app.node.tryGetContext("stage"), region: app.node.tryGetContext("region") }
    : {},
  process.env,
);
new MediatorStack(app, `ZohoGptMediator-${stage.name}`, {
  stage,
  env: { region: stage.region, ...(stage.account ? { account: stage.account } : {}) },
  description: "zoho-gpt-mediator: Zoho triggers -> SQS -> GPT (structured) -> validated write-back",
});
Tags.of(app).add("app", "zoho-gpt-mediator");
Tags.of(app).add("stage", stage.name);
app.synth();
