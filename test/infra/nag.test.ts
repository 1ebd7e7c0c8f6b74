/**
 * cdk-nag's AwsSolutions pack over the whole stack (every optional part on): synthesis fails on any finding not
 * accepted with a reason in infra/config/nag.ts.
 */
import { readFileSync } from "node:fs";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { applyNagSuppressions } from "../../infra/config/nag.js";
import { StageSchema } from "../../infra/config/stages.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";

const stack = (accept: boolean) => {
  // With cdk.json's feature flags, as `cdk synth` runs it.
  const flags = (JSON.parse(readFileSync("cdk.json", "utf8")) as { context: Record<string, unknown> })
    .context;
  const app = new App({ context: { ...flags, "aws:cdk:bundling-stacks": [] } });
  const s = new MediatorStack(app, "Nag", {
    stage: StageSchema.parse({
      name: "nag",
      connections: ["acme", "beta"],
      notifications: { events: ["Leads.create"] },
      alarms: { email: "ops@acme.example" },
    }),
    env: { region: "us-east-1" },
  });
  if (accept) applyNagSuppressions(s);
  // The Aspect form fails with this aws-cdk-lib (toolchain.md); the validation plugin is cdk-nag 3's way.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
};

describe("cdk-nag AwsSolutions", () => {
  it("passes with each accepted finding acknowledged with its reason", () => {
    expect(() => stack(true).synth()).not.toThrow();
  });

  it("fails without the acknowledgements, naming the rules (so the pack really runs)", () => {
    let message = "";
    try {
      stack(false).synth();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const rule of ["APIG4", "IAM4", "IAM5", "L1", "SMG4"])
      expect(message).toContain(`AwsSolutions-${rule}`);
  });
});
