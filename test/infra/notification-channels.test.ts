import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { StageSchema } from "../../infra/config/stages.js";
import { MediatorStack } from "../../infra/stacks/mediator-stack.js";
import { METRICS_NAMESPACE } from "../../shared/adapters/metrics/powertools-metrics.js";

const stage = StageSchema.parse({ name: "test", notifications: { events: ["Leads.create", "Leads.edit"] } });

function synth(): Template {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  return Template.fromStack(new MediatorStack(app, "Test", { stage, env: { region: "us-east-1" } }));
}

describe("NotificationChannels", () => {
  const template = synth();
  const fn = () => {
    const found = Object.entries(template.findResources("AWS::Lambda::Function")).filter(([id]) =>
      id.startsWith("NotificationsFunction"),
    );
    expect(found).toHaveLength(1);
    return found[0] as [string, { Properties: Record<string, unknown> }];
  };

  it("runs the channel manager one at a time, hourly, with names and numbers only in its environment", () => {
    const [, f] = fn();
    expect(f.Properties.ReservedConcurrentExecutions).toBe(1);
    const vars = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars).toMatchObject({
      ZOHO_CONNECTION_SECRETS: "zoho-gpt-mediator/test/zoho/default",
      WEBHOOK_SECRET_NAME: "zoho-gpt-mediator/test/webhooks",
      NOTIFICATION_EVENTS: "Leads.create,Leads.edit",
      NOTIFICATION_CHANNEL_TTL_MINUTES: "720",
      NOTIFICATION_RENEW_MARGIN_MINUTES: "180",
      NOTIFICATION_TOKEN_PROPAGATION_SECONDS: "65",
      NOTIFICATION_CHANNEL_SEED: "test",
    });
    // The notify URL is the deployed API's notifications route.
    expect(JSON.stringify(vars.NOTIFY_URL)).toContain("/v1/hooks/crm/notifications");
    expect(JSON.stringify(vars.NOTIFY_URL)).toContain("Api");
    expect(Number(f.Properties.Timeout)).toBeGreaterThan(65);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 hour)",
      Targets: Match.arrayWith([Match.objectLike({ Arn: { "Fn::GetAtt": [fn()[0], "Arn"] } })]),
    });
  });

  it("may read the connections, invoke the refresher, and read and write the webhook secret: nothing else", () => {
    const statements = Object.entries(template.findResources("AWS::IAM::Policy"))
      .filter(([id]) => id.startsWith("NotificationsFunction"))
      .flatMap(
        ([, p]) =>
          (p.Properties?.PolicyDocument?.Statement ?? []) as {
            Action: string | string[];
            Resource: unknown;
          }[],
      );
    const on = (needle: string) =>
      new Set(
        statements.filter((st) => JSON.stringify(st.Resource).includes(needle)).flatMap((st) => st.Action),
      );

    expect(on("HooksSecrets")).toEqual(
      new Set([
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecret",
        "secretsmanager:UpdateSecretVersionStage",
      ]),
    );
    expect(on("ZohoConnection")).toEqual(
      new Set(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]),
    );
    expect(on("ZohoRefresher")).toEqual(new Set(["lambda:InvokeFunction"]));
  });

  it("alarms when a channel cannot be subscribed or renewed", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: METRICS_NAMESPACE,
      MetricName: "NotificationChannelFailed",
      Dimensions: [{ Name: "service", Value: "notification-channels" }],
      Threshold: 1,
    });
  });

  it("deploys no channel function unless the stage watches events (workflow webhooks are the default trigger)", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const plain = Template.fromStack(
      new MediatorStack(app, "Plain", {
        stage: StageSchema.parse({ name: "plain" }),
        env: { region: "us-east-1" },
      }),
    );
    const names = Object.keys(plain.findResources("AWS::Lambda::Function"));
    expect(names.some((id) => id.startsWith("NotificationsFunction"))).toBe(false);
  });

  it("refuses a renewal margin that the schedule could skip past", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const bad = StageSchema.parse({
      name: "bad",
      notifications: { events: ["Leads.edit"], scheduleMinutes: 240, renewMarginMinutes: 180 },
    });
    expect(() => new MediatorStack(app, "Bad", { stage: bad })).toThrow(/renewMargin/);
  });
});
