/**
 * A use case defined only in a configuration file (`test/fixtures/use-cases/defined/account-profile.yaml`, no code)
 * runs end to end against CRM on the local stack: routed at `/v1/hooks/crm/account-profile`, its output schema built
 * from the org's live Accounts fields, guarded, written with `"trigger": []`, only into empty fields, once per
 * event, with its audit trail. Runs on both seed profiles (the `e2e-alt` project): nothing names an org's value.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USE_CASE_CATALOG } from "../../../shared/use-cases/catalog.js";
import { definedUseCase } from "../../../shared/use-cases/defined/index.js";
import { parseDefinition } from "../../../shared/use-cases/defined/parse.js";
import { deadLetters, org, post, startTestStack, until } from "../../helpers/local-stack.js";

const FILE = join(import.meta.dirname, "../../fixtures/use-cases/defined/account-profile.yaml");
const definition = parseDefinition(readFileSync(FILE, "utf8"), FILE);

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({ useCases: [...USE_CASE_CATALOG, definedUseCase(definition)] });
});
afterAll(() => stack?.stop());

type Write = { module: string; ids: string[]; source: string; trigger: string[] | null; fields: string[][] };
const accountWrites = (id: string) =>
  ((stack.sandbox?.inspect().writes ?? []) as Write[]).filter(
    (w) => w.source === "api" && w.module === "Accounts" && w.ids.includes(id),
  );
const account = (id: string) => stack.sandbox?.state.crm.table("Accounts").get(id) as Record<string, unknown>;
const accountIds = () => [...(stack.sandbox?.state.crm.table("Accounts").keys() ?? [])];
const notesOf = (id: string) =>
  [...(stack.sandbox?.state.crm.table("Notes").values() ?? [])].filter(
    (n) => (n.Parent_Id as { id?: string } | undefined)?.id === id,
  );
const trigger = (id: string, modified: string) =>
  post(
    `${stack.api?.url}/v1/hooks/crm/account-profile`,
    JSON.stringify({ module: "Accounts", id, modified_time: modified }),
    { "x-mediator-token": stack.webhookToken },
  );

describe("a use case defined only in a configuration file", () => {
  it("writes the org's own picklist value and the profile into empty fields, once, with trigger []", async () => {
    const id = accountIds()[0] as string;
    const industries = org(stack).crmPicklist("Accounts", "Industry");
    const industryBefore = account(id).Industry;

    const first = await trigger(id, "2026-11-30T10:00:00+00:00");
    const again = await trigger(id, "2026-11-30T10:00:00+00:00");

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    await until(() => expect(String(account(id).Description ?? "").length).toBeGreaterThan(0), 30_000);
    const audit = () => notesOf(id).map((n) => String(n.Note_Content));
    await until(
      () => expect(audit().some((c) => c.includes("AI account-profile by zoho-gpt-mediator"))).toBe(true),
      30_000,
    );
    const writes = accountWrites(id);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.trigger).toEqual([]);
    const after = account(id);
    if (industryBefore && industryBefore !== "-None-") expect(after.Industry).toBe(industryBefore);
    else expect(industries).toContain(after.Industry);
    expect(audit().some((c) => c.includes(String(after.Description)))).toBe(true);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("writes nothing when every target is filled already (fill-empty), and refuses a bad trigger with a 422", async () => {
    const id = accountIds()[0] as string;
    await until(() => expect(accountWrites(id).length).toBe(1), 30_000);

    const later = await trigger(id, "2026-11-30T11:00:00+00:00");
    const bad = await post(
      `${stack.api?.url}/v1/hooks/crm/account-profile`,
      JSON.stringify({ module: "Accounts", id: "not-an-id" }),
      { "x-mediator-token": stack.webhookToken },
    );

    expect(later.status).toBe(202);
    expect(bad.status).toBe(422);
    // The second event ends as "written" with nothing to write: still one write to the account.
    const jobId = ((await later.json()) as { jobIds: string[] }).jobIds[0] as string;
    await until(
      () =>
        expect(stack.events.some((e) => e.startsWith("written") && e.includes(jobId.slice(0, 8)))).toBe(true),
      30_000,
    );
    expect(accountWrites(id)).toHaveLength(1);
  }, 60_000);
});
