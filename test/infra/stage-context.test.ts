/** Stage settings given as CDK context (`-c key=value`) reach the stack, and a bad worker setting fails synth. */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadStage } from "../../infra/config/deploy-config.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";

const synth = (context: Record<string, unknown>) => {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stage = loadStage(context, {});
  return {
    stage,
    template: Template.fromStack(new MediatorStack(app, "Ctx", { stage, env: { region: "us-east-1" } })),
  };
};
const workerEnv = (template: Template) => {
  const [fn] = Object.entries(template.findResources("AWS::Lambda::Function")).filter(([id]) =>
    id.startsWith("WorkerFunction"),
  );
  if (!fn) throw new Error("the stack has no worker function");
  return (fn[1] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
    .Environment.Variables;
};

describe("stage context", () => {
  it("reads notificationEvents and workerSettings (as JSON) from context, as `cdk deploy -c` gives them", () => {
    const { stage, template } = synth({
      stage: "ctx",
      notificationEvents: "Leads.create, Leads.edit",
      workerSettings:
        '{"DESK_FROM_ADDRESS":"support@acme.example","LEAD_FIELD_MAP":"{\\"icp_fit\\":\\"Fit__c\\"}"}',
    });

    expect(stage.notifications.events).toEqual(["Leads.create", "Leads.edit"]);
    expect(workerEnv(template)).toMatchObject({
      DESK_FROM_ADDRESS: "support@acme.example",
      LEAD_FIELD_MAP: '{"icp_fit":"Fit__c"}',
    });
    const fns = Object.keys(template.findResources("AWS::Lambda::Function"));
    expect(fns.some((id) => id.startsWith("NotificationsFunction"))).toBe(true);
  });

  it("fails synth on an unknown or invalid worker setting, naming it", () => {
    expect(() => synth({ workerSettings: { DESK_FROM_ADRESS: "x@y.example" } })).toThrow(/DESK_FROM_ADRESS/);
    expect(() => synth({ workerSettings: { WAIT_RECHECK_SECONDS: "1" } })).toThrow(
      /WAIT_RECHECK_SECONDS is invalid/,
    );
  });
});

describe("use-case settings", () => {
  it("accepts a use case's field map variable and the settings it declares, and deploys them to the worker", () => {
    const { template } = synth({
      workerSettings: {
        TRANSCRIPT_TOKEN_BUDGET: "50000",
        TRANSCRIPT_ALLOW_STAGE_BACKWARDS: "true",
        DOCUMENT_FIELD_MAP: '{"contract_effective_date":"Contract_Start__c"}',
      },
    });
    expect(workerEnv(template)).toMatchObject({
      TRANSCRIPT_TOKEN_BUDGET: "50000",
      DOCUMENT_FIELD_MAP: '{"contract_effective_date":"Contract_Start__c"}',
    });
  });

  it("fails synth on a use-case setting the use case refuses, naming it", () => {
    expect(() => synth({ workerSettings: { TRANSCRIPT_TOKEN_BUDGET: "lots" } })).toThrow(
      /TRANSCRIPT_TOKEN_BUDGET is invalid/,
    );
    expect(() => synth({ workerSettings: { DOCUMENT_FIELD_MAP: '{"no_such_target":"X"}' } })).toThrow(
      /DOCUMENT_FIELD_MAP is invalid/,
    );
  });
});
