/**
 * README's "Adding a use case" is true: a throwaway use case from one folder (`test/fixtures/use-cases/echo-note/`)
 * plus one entry in the list is routed by the ingest, processed by the pipeline and written to the Zoho sandbox
 * end to end on the local stack, and synthesised into the CDK template, with nothing registered anywhere else.
 *
 * Written against the contract of issue 10: it passes once the pipeline builds its registry from the catalog
 * passed in the worker's extras (`catalog`) and writes `crm-note` plans.
 */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StageSchema } from "../../../infra/config/stages.js";
import { MediatorStack } from "../../../infra/stacks/mediator-stack.js";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { ECHO_NOTE_TITLE, echoNote } from "../../fixtures/use-cases/echo-note/index.js";
import { deadLetters, post, seededLeadIds, startTestStack, until } from "../../helpers/local-stack.js";

/** The one line a new use case adds. */
const useCases = [...USE_CASE_CATALOG, echoNote];

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({ useCases });
});
afterAll(() => stack?.stop());

const notesOf = (id: string) =>
  [...(stack.sandbox?.state.crm.table("Notes").values() ?? [])].filter(
    (n) => (n.Parent_Id as { id?: string } | undefined)?.id === id,
  );

describe("a use case added as a folder plus one line", () => {
  it("is routed, processed and written end to end: a flow call becomes a note on the record", async () => {
    const id = seededLeadIds(stack)[2] as string;

    const res = await post(
      `${stack.api?.url}/v1/hooks/flow/echo-note`,
      JSON.stringify({ module: "Leads", id }),
      { "x-mediator-token": stack.webhookToken },
    );

    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    await until(() => expect(notesOf(id).some((n) => n.Note_Title === ECHO_NOTE_TITLE)).toBe(true), 30_000);
    const note = notesOf(id).find((n) => n.Note_Title === ECHO_NOTE_TITLE);
    expect(String(note?.Note_Content).length).toBeGreaterThan(0);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("is refused on the routes it does not declare, like any unknown use case", async () => {
    const headers = { "x-mediator-token": stack.webhookToken };
    const body = JSON.stringify({ module: "Leads", id: seededLeadIds(stack)[2] });

    const crm = await post(`${stack.api?.url}/v1/hooks/crm/echo-note`, body, headers);

    expect(crm.status).toBe(404);
  });

  it("is synthesised into the CDK template with its route", () => {
    const template = Template.fromStack(
      new MediatorStack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "WithEchoNote", {
        stage: StageSchema.parse({ name: "test" }),
        useCases,
        env: { region: "us-east-1" },
      }),
    );

    template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "POST /v1/hooks/flow/echo-note" });
  }, 60_000);
});
