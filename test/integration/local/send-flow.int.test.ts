/**
 * `send email|transcript|document` against the local stack: the sample goes to the local ingest's Flow route with
 * the token of the workflow rule `npm start` registered in the sandbox, after the sample's setup.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localIngest, sendFlowSample } from "../../../infra/cli/samples/index.js";
import type { LocalStack } from "../../../infra/local/stack.js";
import { startTestStack } from "../../helpers/local-stack.js";

let stack: LocalStack & { events: string[] };
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

describe("send: Flow samples", () => {
  it("finds the local ingest and its token through the sandbox's mediator workflow rule", async () => {
    const sandboxUrl = stack.sandbox?.url ?? "";

    const ingest = await localIngest(sandboxUrl);

    expect(ingest).toEqual({ base: stack.api?.url, token: stack.webhookToken });
  });

  it("runs the sample's setup, posts its body with the token and answers the job id (202)", async () => {
    const sandboxUrl = stack.sandbox?.url ?? "";
    const steps: string[] = [];
    const leadId = [...(stack.sandbox?.state.crm.table("Leads").keys() ?? [])][0] as string;

    const sent = await sendFlowSample("email", sandboxUrl, {
      setup: async (url) => {
        steps.push(`setup ${url === sandboxUrl}`);
      },
      sample: () => {
        steps.push("sample");
        // A Flow body every build accepts (lead enrichment's), standing in for the e-mail sample.
        return { path: "/v1/hooks/flow/lead-enrichment", body: { module: "Leads", id: leadId } };
      },
    });

    expect(steps).toEqual(["setup true", "sample"]);
    expect(sent).toMatchObject({ ok: true, status: 202, path: "/v1/hooks/flow/lead-enrichment" });
    expect(sent.jobId).toMatch(/\S+/);
  });

  it("reports the ingest's refusal of a bad body with its status (a 4xx, never a crash)", async () => {
    const sent = await sendFlowSample("email", stack.sandbox?.url ?? "", {
      sample: () => ({ path: "/v1/hooks/flow/lead-enrichment", body: { id: "not an id" } }),
    });

    expect(sent.ok).toBe(false);
    expect(sent.status).toBeGreaterThanOrEqual(400);
    expect(sent.status).toBeLessThan(500);
  });
});
