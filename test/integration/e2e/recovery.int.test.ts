/**
 * Prompt recovery on the whole local stack: work that waits on a broken connection is written within a minute of
 * the repair, without calling Zoho's token endpoint while it waits.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import type { LocalStack } from "../../../infra/local/stack.js";
import { deadLetters, stackPerTest, until } from "../../helpers/local-stack.js";
import { connect as exchange } from "../../helpers/zoho.js";

const { start, get: s, writesFor, leadIds, trigger } = stackPerTest();

/** Token-endpoint calls, as the sandbox's inspection endpoint reports them. */
const tokenCalls = async () => {
  const report = (await (await fetch(`${s().sandbox?.url}/_sandbox/inspect`)).json()) as {
    requests: { path: string }[];
  };
  return report.requests.filter((r) => r.path.endsWith("/oauth/v2/token")).length;
};
/** Deferral lines per lead (`deferred  lead-enrichment Leads <id> ...`). */
const deferrals = (id: string) => s().events.filter((e) => e.startsWith("deferred") && e.includes(id)).length;

describe("recovery after a connection repair", () => {
  it("10 events wait while the refresh token is revoked, nothing is written, and all 10 are written within 60 s of `auth --refresh-token` storing a new token, with at most 3 token-endpoint calls", async () => {
    await start();
    const link = s().connection as NonNullable<LocalStack["connection"]>;
    const ids = leadIds().slice(0, 10);
    expect(ids).toHaveLength(10);
    const before = await tokenCalls();
    const conn = JSON.parse((await link.store.get(link.secretName, { fresh: true })).value) as {
      refreshToken: string;
    };
    await fetch(`${s().sandbox?.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: conn.refreshToken }),
    });

    for (const id of ids) await trigger(id);
    // Each event waits, and is re-checked at least once while the connection is still broken.
    await until(() => expect(ids.filter((id) => deferrals(id) >= 2)).toHaveLength(10), 45_000);
    expect(ids.flatMap((id) => writesFor(id))).toEqual([]);
    expect(await deadLetters(s())).toEqual([]);
    const whileBroken = (await tokenCalls()) - before;

    // The repair, as an admin does it: a new refresh token (the self-client's grant-code exchange), stored with the
    // real CLI, `auth --refresh-token`, which checks it with one refresh and one CRM call.
    const sandbox = s().sandbox;
    if (!sandbox) throw new Error("the stack runs the Zoho sandbox");
    const demo = sandbox.demo();
    const { refreshToken } = await exchange(sandbox);
    const repairedAt = Date.now();
    const auth = await main(
      [
        "auth",
        "--client-id",
        demo.clientId,
        "--dc",
        demo.dc,
        "--accounts-server",
        demo.accountsUrl,
        "--desk-url",
        demo.deskUrl,
        "--desk-org-id",
        demo.orgId,
        "--secrets-endpoint",
        s().secrets.url,
        "--refresh-token",
        refreshToken,
      ],
      { ZOHO_CLIENT_SECRET: demo.clientSecret },
      () => {},
    );
    expect(auth).toBe(0);
    await until(() => expect(ids.filter((id) => writesFor(id).length === 1)).toHaveLength(10), 60_000);
    const recovery = Date.now() - repairedAt;

    expect(recovery).toBeLessThan(60_000);
    // One refresh that found the token revoked; then the new token's grant-code exchange and `auth`'s one check.
    expect(whileBroken).toBeLessThanOrEqual(1);
    expect((await tokenCalls()) - before).toBeLessThanOrEqual(3);
    expect(await deadLetters(s())).toEqual([]);
  }, 150_000);

  it("a missing required field stops lead enrichment without dead-lettering: its event waits, and is written within 60 s of the field being created", async () => {
    await start();
    const leads = s().sandbox?.state.crm.modules.get("Leads");
    const at = leads?.fields.findIndex((f) => f.api_name === "AI_Score") ?? -1;
    expect(at).toBeGreaterThan(-1);
    const [score] = leads?.fields.splice(at, 1) ?? [];
    const id = leadIds()[7] as string;

    await trigger(id);
    await until(() => expect(deferrals(id)).toBeGreaterThanOrEqual(2), 45_000);
    expect(s().events.find((e) => e.startsWith("deferred") && e.includes(id))).toMatch(
      /lead-enrichment cannot run .*score -> AI_Score \(missing\)/,
    );
    expect(writesFor(id)).toEqual([]);
    expect(await deadLetters(s())).toEqual([]);

    // The admin creates the field (what `fields create` does through Zoho's API).
    leads?.fields.push(score as NonNullable<typeof score>);
    const fixedAt = Date.now();
    await until(() => expect(writesFor(id)).toHaveLength(1), 60_000);

    expect(Date.now() - fixedAt).toBeLessThan(60_000);
    expect(writesFor(id)[0]?.fields[0]).toContain("AI_Score");
    expect(await deadLetters(s())).toEqual([]);
  }, 150_000);
});
