/**
 * `doctor` through the CLI against the Zoho sandbox and the Secrets Manager emulator: the stored token is used while
 * valid (no token-endpoint call), an expired one is refreshed once, a broken connection names the auth command, and
 * `auth --refresh-token` repairs it. The field-mapping check is a test double bound to the sandbox's live metadata
 * (the real one is wp-mapping's, wired by the integrator).
 */
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import type { MappingCheck, TargetCheck } from "../../../shared/domain/field-mapping.js";
import type { DoctorReport, MappingCheckFn } from "../../../shared/use-cases/doctor/index.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";
import { connect as exchange } from "../../helpers/zoho.js";

let h: ConnectionHarness;
const WEBHOOK_SECRET = "zoho-gpt-mediator/test/webhooks";
const WEBHOOK_TOKEN = "wh-0123456789abcdef0123456789abcdef";

beforeAll(async () => {
  h = await startConnectionHarness();
  await h.sm.send(
    new CreateSecretCommand({
      Name: WEBHOOK_SECRET,
      SecretString: JSON.stringify({
        token: WEBHOOK_TOKEN,
        previousToken: null,
        hmacKeys: [],
        notificationTokens: [],
      }),
    }),
  );
});
afterAll(() => h.close());

/** Lead enrichment's ICP fit (required) and buying stage (optional), bound to the org's live Leads fields. */
const mappingDouble: MappingCheckFn = async ({ crmFields }) => {
  const fields = await crmFields("Leads");
  const target = (key: string, field: string, required: boolean): TargetCheck => {
    const found = fields.find((f) => f.name === field);
    return {
      key,
      field,
      required,
      expected: "picklist",
      status: !found ? "missing" : found.type === "picklist" ? "ok" : "wrong-type",
      ...(found ? { found: `${found.type}: ${(found.picklist ?? []).join(", ")}` } : {}),
    };
  };
  const targets = [target("icp_fit", "AI_ICP_Fit", true), target("buying_stage", "AI_Buying_Stage", false)];
  const check: MappingCheck = {
    useCase: "lead-enrichment",
    service: "crm",
    module: "Leads",
    targets,
    runnable: targets.every((t) => !t.required || t.status === "ok"),
  };
  return [check];
};

const doctor = async (extra: string[] = []) => {
  const lines: string[] = [];
  const code = await main(
    [
      "doctor",
      "--stage",
      "test",
      "--secret-name",
      h.secretName,
      "--secrets-endpoint",
      h.secretsEmulator.url,
      ...extra,
    ],
    {},
    (l) => lines.push(l),
    { checkMappings: mappingDouble, clock: h.clock },
  );
  return { code, out: lines.join("\n") };
};
const report = async (extra: string[] = []) => {
  const { code, out } = await doctor(["--json", ...extra]);
  return { code, report: JSON.parse(out) as DoctorReport };
};
const check = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id);

describe("doctor against the sandbox", () => {
  it("checks the connection with the stored token, calling Zoho's token endpoint not once", async () => {
    await h.connect();
    const before = h.tokenCalls();

    const { report: r } = await report();

    expect(h.tokenCalls()).toBe(before);
    expect(check(r, "token")).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/no refresh spent/),
    });
    expect(check(r, "crm-api")).toMatchObject({
      status: "ok",
      detail: expect.stringContaining(h.sandbox.demo().apiDomain),
    });
    expect(check(r, "scopes")?.status).toBe("ok");
    expect(check(r, "desk")).toMatchObject({
      status: "ok",
      detail: expect.stringContaining(h.sandbox.demo().orgId),
    });
    expect(check(r, "mapping:lead-enrichment")).toMatchObject({
      status: "ok",
      detail: "crm Leads: 2 of 2 targets bound",
    });
    expect(check(r, "webhook-secret")?.status).toBe("ok");
    // A loopback secrets endpoint is the local stack, which reads no model key secret.
    expect(check(r, "model-key")?.status).toBe("ok");
  });

  it("refreshes an expired token once, stores it, and the next run spends none", async () => {
    await h.connect();
    h.clock.advance(61 * 60_000);
    const before = h.tokenCalls();

    const first = await report();
    const second = await report();

    expect(h.tokenCalls()).toBe(before + 1);
    expect(check(first.report, "token")?.detail).toMatch(/refreshed once/);
    expect(check(second.report, "token")?.detail).toMatch(/no refresh spent/);
  });

  it("names the auth command for a broken connection, and passes the token check once auth --refresh-token repairs it", async () => {
    await h.connect();
    const { accessToken, refreshToken } = JSON.parse(
      (await h.store.get(h.secretName, { fresh: true })).value,
    ) as { accessToken: string; refreshToken: string };
    await fetch(`${h.sandbox.url}/_sandbox/tokens/revoke`, {
      method: "POST",
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    expect((await h.refresh({ secretName: h.secretName, staleToken: accessToken })).outcome).toBe("broken");

    const broken = await doctor();
    const demo = h.sandbox.demo();
    const repaired = await main(
      [
        "auth",
        "--secret-name",
        h.secretName,
        "--client-id",
        demo.clientId,
        "--dc",
        "us",
        "--accounts-server",
        demo.accountsUrl,
        "--desk-url",
        demo.deskUrl,
        "--desk-org-id",
        demo.orgId,
        "--secrets-endpoint",
        h.secretsEmulator.url,
      ],
      { ZOHO_CLIENT_SECRET: demo.clientSecret, ZOHO_REFRESH_TOKEN: (await exchange(h.sandbox)).refreshToken },
      () => {},
    );
    const after = await report();

    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(
      /FAIL {2}access token +the connection is broken \(refresh rejected by Zoho \(invalid_code\)\)/,
    );
    expect(broken.out).toMatch(
      /fix: npx zoho-gpt-mediator auth --stage test --secret-name \S+ --secrets-endpoint \S+ --client-id \S+ --dc us --accounts-server http:\S+ --desk-url http:\S+ --desk-org-id \d+ --refresh-token <refresh token>/,
    );
    expect(repaired).toBe(0);
    expect(check(after.report, "token")?.status).toBe("ok");
    expect(check(after.report, "mapping:lead-enrichment")?.status).toBe("ok");
  });

  it("prints one line per check with its fix, and no secret", async () => {
    await h.connect();
    const stored = (await h.store.get(h.secretName, { fresh: true })).value;
    const { clientSecret, refreshToken, accessToken } = JSON.parse(stored) as Record<string, string>;

    const { out } = await doctor(["--desk-from-address", "nobody@nowhere.example"]);

    expect(out).toMatch(/^zoho-gpt-mediator doctor: stage test, connection default$/m);
    expect(out).toMatch(/^ {2}ok {4}access token/m);
    expect(out).toMatch(/^ {2}FAIL {2}Desk from address/m);
    expect(out).toMatch(/^doctor: \d+ problem\(s\)/m);
    for (const secret of [clientSecret, refreshToken, accessToken, WEBHOOK_TOKEN])
      expect(out).not.toContain(secret);
  });

  it("requires channel tokens when notifications are on, and checks none when they are off (the default without NOTIFICATION_EVENTS)", async () => {
    await h.connect();

    const on = await report(["--notifications", "on"]);
    const off = await doctor(["--json", "--notifications", "off"]);
    const byDefault = await doctor(["--json"]);
    const bad = await doctor(["--notifications", "maybe"]);

    expect(check(on.report, "notification-tokens")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/holds no channel token: every callback gets 401/),
    });
    expect(check(JSON.parse(off.out) as DoctorReport, "notification-tokens")).toBeUndefined();
    expect(check(JSON.parse(byDefault.out) as DoctorReport, "notification-tokens")).toBeUndefined();
    expect(bad.code).toBe(2);
  });

  it("exits 2 on an unknown flag", async () => {
    const { code, out } = await doctor(["--nonsense"]);

    expect(code).toBe(2);
    // Issue 13: commander names the flag and points at --help instead of printing the whole usage text.
    expect(out).toContain("unknown option '--nonsense'");
    expect(out).toContain("(add --help for usage)");
  });
});
