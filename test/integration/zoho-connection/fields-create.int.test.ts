/**
 * Acceptance (issue 8): with the sandbox's `alt` profile, `doctor` names the missing AI_Buying_Stage and the fix, and
 * `fields create lead-enrichment` makes `doctor` pass. Runs the CLI as shipped: the mapping check is the build's own
 * (infra/cli/mapping-check.ts), nothing injected.
 */
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import type { DoctorReport } from "../../../shared/use-cases/doctor/index.js";
import { startConnectionHarness } from "../../helpers/connection.js";

const h = await startConnectionHarness({ sandbox: { profile: "alt" } });
afterAll(() => h.close());

const run = async (args: string[]) => {
  const lines: string[] = [];
  const code = await main(
    [...args, "--stage", "test", "--secret-name", h.secretName, "--secrets-endpoint", h.secretsEmulator.url],
    {},
    (l) => lines.push(l),
  );
  return { code, out: lines.join("\n") };
};
const doctor = async () => {
  const { code, out } = await run(["doctor", "--json"]);
  return { code, report: JSON.parse(out) as DoctorReport };
};

describe("doctor and fields create on the alt org", () => {
  it("doctor names the missing AI_Buying_Stage and its fix; fields create makes doctor pass", async () => {
    expect(h.sandbox.demo().profile).toBe("alt");
    await h.connect();
    await h.sm.send(
      new CreateSecretCommand({
        Name: "zoho-gpt-mediator/test/webhooks",
        SecretString: JSON.stringify({
          token: "wh-0123456789abcdef0123456789abcdef",
          notificationTokens: ["nt-0123456789abcdef"],
        }),
      }),
    );

    const before = await doctor();
    const missing = before.report.checks.find(
      (c) => c.id.startsWith("mapping:lead-enrichment:") && c.detail.includes("AI_Buying_Stage"),
    );
    const dryRun = await run(["fields", "create", "lead-enrichment", "--dry-run"]);
    const stillMissing = await doctor();
    const created = await run(["fields", "create", "lead-enrichment"]);
    // Document extraction's optional AI_ fields on Deals: doctor passes only when every use case's are in place.
    const documents = await run(["fields", "create", "document-extraction"]);
    // The alt org has no Next_Step on Deals (call transcripts' optional next step): fields create adds it.
    const transcripts = await run(["fields", "create", "call-transcript"]);
    const after = await doctor();

    expect(before.code).toBe(1);
    expect(missing).toMatchObject({
      status: "fail",
      optional: true,
      fix: expect.stringContaining("npx zoho-gpt-mediator fields create lead-enrichment"),
    });
    expect(dryRun.code).toBe(0);
    expect(dryRun.out).toMatch(/would POST \/crm\/v8\/settings\/fields\?module=Leads .*AI Buying Stage/);
    expect(stillMissing.code).toBe(1);
    expect(created.out).toMatch(/created +Leads\.AI_Buying_Stage: created/);
    expect(created.code).toBe(0);
    expect(documents.out).toMatch(/created +Deals\.AI_Contract_Start: created/);
    expect(documents.code).toBe(0);
    expect(transcripts.out).toMatch(/created +Deals\.Next_Step: created/);
    expect(transcripts.code).toBe(0);
    expect(after.report.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(after.code).toBe(0);
  });
});
