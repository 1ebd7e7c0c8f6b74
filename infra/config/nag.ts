/**
 * The cdk-nag AwsSolutions findings this stack accepts, each with its reason. `infra/app.ts` applies them and
 * `test/infra/nag.test.ts` runs the rule pack over the stack, so a new finding fails the infra tests until it is
 * fixed or accepted here with a reason.
 */
import { type CfnElement, Validations } from "aws-cdk-lib";
import type { MediatorStack } from "../stacks/mediator-stack.js";

/** Acknowledges the accepted findings on the stack (rule id, or rule id with its finding, and why). */
export function applyNagSuppressions(stack: MediatorStack): void {
  const refresherArn = `<${stack.getLogicalId(stack.zoho.refresher.node.defaultChild as CfnElement)}.Arn>`;
  const accepted: { id: string; reason: string }[] = [
    {
      id: "AwsSolutions-APIG4",
      reason:
        "Every route authenticates in its function: hooks check the X-Mediator-Token or an HMAC signature (Zoho cannot send SigV4 or JWTs), tools and MCP check the agent's API key and scopes, /v1/health is public by design and says nothing.",
    },
    {
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason:
        "AWSLambdaBasicExecutionRole only lets a function write its own logs; an inline copy would say the same and drift from AWS's.",
    },
    {
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) accept no resource; every other statement names its resource.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::${refresherArn}:*]`,
      reason:
        "Functions invoke the token refresher by its ARN; the :* covers its versions and aliases (CDK's grantInvoke), nothing else.",
    },
    {
      id: "AwsSolutions-L1",
      reason:
        "Functions pin nodejs22.x on purpose: tests, benchmarks and npm start run on the same Node major (issue 13, runtime parity); a move to a newer runtime is a deliberate change.",
    },
    {
      id: "AwsSolutions-SMG4",
      reason:
        "Not rotatable by a Lambda: Zoho connection secrets are renewed by the token refresher and re-issued by `auth`, the model key by its vendor (`set-model-key`), the webhook token by the operator with previousToken for an overlap (README).",
    },
  ];
  for (const finding of accepted) Validations.of(stack).acknowledge(finding);
}
