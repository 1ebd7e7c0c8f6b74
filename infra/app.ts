/**
 * CDK entry point (`npx cdk synth`, `npx cdk deploy`). The only infra file that reads the environment.
 * Synthesis needs no network and no AWS credentials.
 *
 * The stage's deploy configuration is `config/<stage>.json` (or `-c config=<path>`) with `-c key=value` overrides
 * (infra/config/stages.ts). It is printed on stderr before synthesis; a configuration that does not hold prints one
 * line per problem and exits 1, with no stack trace.
 */
import { fileURLToPath } from "node:url";
import { App, Tags } from "aws-cdk-lib";
import { USE_CASE_CATALOG } from "../shared/use-cases/catalog.js";
import { type DeployConfig, loadDeployConfig } from "./config/deploy-config.js";
import { applyNagSuppressions } from "./config/nag.js";
import { MediatorStack } from "./stacks/mediator-stack.js";

const CONFIG_DIR = fileURLToPath(new URL("../config", import.meta.url));

function main(): void {
  const app = new App();
  let config: DeployConfig;
  let stack: MediatorStack;
  try {
    config = loadDeployConfig({ context: app.node.getAllContext(), env: process.env, configDir: CONFIG_DIR });
    const { stage } = config;
    process.stderr.write(
      `deploy config for stage ${stage.name} (${config.source}):\n${JSON.stringify(stage, null, 2)}\n`,
    );
    stack = new MediatorStack(app, `ZohoGptMediator-${stage.name}`, {
      stage,
      // The use cases this deployment serves: routes, alarms and the loop guard derive from the list.
      useCases: USE_CASE_CATALOG,
      env: { region: stage.region, ...(stage.account ? { account: stage.account } : {}) },
      description: "zoho-gpt-mediator: Zoho triggers -> SQS -> GPT (structured) -> validated write-back",
    });
  } catch (error) {
    // A setting that does not hold is the operator's to fix: say what, in their words, without a stack trace.
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  applyNagSuppressions(stack);
  Tags.of(app).add("app", "zoho-gpt-mediator");
  Tags.of(app).add("stage", config.stage.name);
  app.synth();
}

main();
