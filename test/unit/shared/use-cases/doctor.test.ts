/** doctor: each check's verdict and fix, from a fake Zoho (injected fetch), in-memory secrets and a mapping double. */
import { describe, expect, it, vi } from "vitest";
import { doctorZohoFor } from "../../../../infra/cli/doctor-zoho.js";
import type { MappingCheck, TargetCheck } from "../../../../shared/domain/field-mapping.js";
import { serializeConnection, type ZohoConnection } from "../../../../shared/domain/zoho-connection.js";
import type { ZohoField } from "../../../../shared/domain/zoho-field.js";
import { ConfigError, UpstreamUnavailableError } from "../../../../shared/errors.js";
import type { RefreshOutcome } from "../../../../shared/ports/refresh-coordinator.js";
import type { SecretStore } from "../../../../shared/ports/secret-store.js";
import {
  type DoctorCheck,
  type DoctorInput,
  type MappingCheckFn,
  makeDoctor,
} from "../../../../shared/use-cases/doctor/index.js";

const NOW = Date.parse("2026-11-30T10:00:00Z");
const clock = { now: () => NOW };
const SECRETS = {
  clientSecret: "cs-0123456789abcdef0123456789abcdef01",
  refreshToken: "1000.refresh0123456789abcdef0123456789.abcdef0123456789abcdef0123456789",
  accessToken: "1000.access0123456789abcdef0123456789a.abcdef0123456789abcdef0123456789",
  webhookToken: "wh-token-0123456789abcdef0123456789",
  notificationToken: "nt-0123456789abcdef",
  apiKey: "model-key-for-tests-0123456789abcdef",
};

class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(name: string) {
    const value = this.values.get(name);
    if (value === undefined)
      throw new ConfigError(`secret "${name}" does not exist; deploy the stack and run the auth command`, {
        cause: Object.assign(new Error("not found"), { name: "ResourceNotFoundException" }),
      });
    return { value, versionId: "v1" };
  }
  async put(name: string, value: string) {
    this.values.set(name, value);
    return { versionId: "v2" };
  }
  async upsert(name: string, value: string) {
    const created = !this.values.has(name);
    this.values.set(name, value);
    return { versionId: "v2", created };
  }
}

const connection = (over: Partial<ZohoConnection> = {}): ZohoConnection => ({
  schemaVersion: 1,
  name: "default",
  dc: "us",
  accountsServer: "https://accounts.zoho.test",
  apiDomain: "https://crm.zoho.test",
  desk: { base: "https://desk.zoho.test", orgId: "7001", sourceId: null },
  clientId: "1000.CLIENTID",
  clientSecret: SECRETS.clientSecret,
  refreshToken: SECRETS.refreshToken,
  scopes: [
    "ZohoCRM.modules.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.notifications.ALL",
    "Desk.tickets.ALL",
    "Desk.settings.READ",
    "Desk.basic.READ",
  ],
  accessToken: SECRETS.accessToken,
  accessTokenExpiresAt: NOW + 30 * 60_000,
  status: "active",
  brokenReason: null,
  refreshLog: [],
  throttledUntil: null,
  updatedAt: new Date(NOW).toISOString(),
  ...over,
});

const LEAD_FIELDS = [
  {
    api_name: "AI_ICP_Fit",
    data_type: "picklist",
    pick_list_values: [{ actual_value: "A - Ideal" }, { actual_value: "B - Good" }],
  },
  { api_name: "AI_Score", data_type: "integer" },
];

interface FakeZoho {
  leadFields?: unknown[];
  replyAddresses?: unknown;
  orgs?: string[];
  crmStatus?: number;
}

/** Zoho's answers for the paths doctor calls; anything else is a 404. */
function fakeZoho(z: FakeZoho = {}) {
  const calls: string[] = [];
  const fetchFn = vi.fn(async (input: string | URL | Request) => {
    const url = new URL(String(input));
    calls.push(`${url.host}${url.pathname}`);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (url.pathname === "/crm/v8/settings/modules")
      return z.crmStatus
        ? json(z.crmStatus, { code: "OAUTH_SCOPE_MISMATCH" })
        : json(200, { modules: [{ api_name: "Leads" }] });
    if (url.pathname === "/crm/v8/settings/fields") return json(200, { fields: z.leadFields ?? LEAD_FIELDS });
    if (url.pathname === "/api/v1/organizations")
      return json(200, { data: (z.orgs ?? ["7001"]).map((id) => ({ id })) });
    if (url.pathname === "/api/v1/mailReplyAddress")
      return json(
        200,
        z.replyAddresses ?? {
          data: [
            { id: "1", address: "support@acme.test", isActive: true, isVerified: true, isDefault: true },
          ],
        },
      );
    return json(404, { errorCode: "URL_NOT_FOUND" });
  });
  return { fetch: fetchFn as unknown as typeof fetch, calls };
}

/** A mapping double: lead enrichment's two targets, bound against the live Leads fields it is handed. */
const leadMapping: MappingCheckFn = async ({ crmFields }) => {
  const fields = await crmFields("Leads");
  const target = (key: string, field: string, required: boolean, type: ZohoField["type"]): TargetCheck => {
    const found = fields.find((f) => f.name === field);
    return {
      key,
      field,
      required,
      status: !found ? "missing" : found.type === type ? "ok" : "wrong-type",
      expected: type,
      ...(found ? { found: found.type } : {}),
      create: {
        module: "Leads",
        apiName: field,
        label: field.replaceAll("_", " "),
        dataType: "picklist",
        picklistValues: ["Awareness", "Purchase"],
      },
    };
  };
  const targets = [
    target("icp_fit", "AI_ICP_Fit", true, "picklist"),
    target("buying_stage", "AI_Buying_Stage", false, "picklist"),
  ];
  const check: MappingCheck = {
    useCase: "lead-enrichment",
    service: "crm",
    module: "Leads",
    targets,
    runnable: targets.every((t) => !t.required || t.status === "ok"),
  };
  return [check];
};

const INPUT: DoctorInput = {
  stage: "dev",
  connection: "default",
  connectionSecretName: "zoho-gpt-mediator/dev/zoho/default",
  webhookSecretName: "zoho-gpt-mediator/dev/webhooks",
  modelSecretName: "zoho-gpt-mediator/dev/openai",
  notifications: true,
  commandFlags: "",
};

function setup(
  opts: {
    conn?: ZohoConnection | null;
    zoho?: FakeZoho;
    mapping?: MappingCheckFn | null;
    webhook?: object;
  } = {},
) {
  const secrets = new MemorySecrets();
  if (opts.conn !== null)
    secrets.values.set(INPUT.connectionSecretName, serializeConnection(opts.conn ?? connection()));
  secrets.values.set(
    INPUT.webhookSecretName,
    JSON.stringify(
      opts.webhook ?? {
        token: SECRETS.webhookToken,
        hmacKeys: [],
        notificationTokens: [SECRETS.notificationToken],
      },
    ),
  );
  secrets.values.set(INPUT.modelSecretName as string, JSON.stringify({ apiKey: SECRETS.apiKey }));
  const zoho = fakeZoho(opts.zoho);
  const refresh = vi.fn(async (): Promise<RefreshOutcome> => {
    const conn = connection({ accessToken: "1000.newaccess", accessTokenExpiresAt: NOW + 3_600_000 });
    secrets.values.set(INPUT.connectionSecretName, serializeConnection(conn));
    return { outcome: "refreshed", expiresAt: NOW + 3_600_000 };
  });
  const doctor = makeDoctor({
    secrets,
    clock,
    zohoFor: doctorZohoFor({ secrets, refresh, clock, fetch: zoho.fetch }),
    ...(opts.mapping === null ? {} : { checkMappings: opts.mapping ?? leadMapping }),
  });
  return { doctor, refresh, zoho, secrets };
}

const byId = (checks: DoctorCheck[], id: string) => checks.find((c) => c.id === id);

describe("doctor", () => {
  it("passes a complete setup using the stored token, spending no refresh", async () => {
    const { doctor, refresh } = setup({
      zoho: { leadFields: [...LEAD_FIELDS, { api_name: "AI_Buying_Stage", data_type: "picklist" }] },
    });

    const report = await doctor(INPUT);

    expect(report.checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(refresh).not.toHaveBeenCalled();
    expect(byId(report.checks, "token")?.detail).toMatch(/no refresh spent/);
    expect(report.checks.map((c) => c.id)).toEqual([
      "connection-secret",
      "token",
      "crm-api",
      "scopes",
      "desk",
      "desk-from-address",
      "mapping:lead-enrichment",
      "webhook-secret",
      "notification-tokens",
      "model-key",
    ]);
  });

  it("names a missing optional field, labels it optional and gives the fields create command", async () => {
    const { doctor } = setup();

    const report = await doctor({ ...INPUT, commandFlags: "--secrets-endpoint http://127.0.0.1:4030" });
    const target = byId(report.checks, "mapping:lead-enrichment:buying_stage");

    expect(report.ok).toBe(false);
    expect(byId(report.checks, "mapping:lead-enrichment")?.status).toBe("ok");
    expect(target).toMatchObject({
      status: "fail",
      optional: true,
      detail: expect.stringMatching(
        /Leads has no field AI_Buying_Stage.*optional: the use case runs without it/,
      ),
      fix: "npx zoho-gpt-mediator fields create lead-enrichment --secrets-endpoint http://127.0.0.1:4030",
    });
  });

  it("fails the use case when a required target has the wrong type", async () => {
    const { doctor } = setup({
      zoho: { leadFields: [{ api_name: "AI_ICP_Fit", data_type: "text", length: 255 }] },
    });

    const report = await doctor(INPUT);

    expect(byId(report.checks, "mapping:lead-enrichment")?.status).toBe("fail");
    expect(byId(report.checks, "mapping:lead-enrichment:icp_fit")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/Leads\.AI_ICP_Fit is text/),
    });
    expect(byId(report.checks, "mapping:lead-enrichment:icp_fit")?.optional).toBeUndefined();
  });

  it("refreshes once through the refresh use case when the stored token has expired", async () => {
    const { doctor, refresh } = setup({ conn: connection({ accessTokenExpiresAt: NOW - 1 }) });

    const report = await doctor(INPUT);

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(byId(report.checks, "token")).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/refreshed once/),
    });
  });

  it("reports a broken connection with the auth command and calls no Zoho API", async () => {
    const { doctor, refresh, zoho } = setup({
      conn: connection({ status: "broken", brokenReason: "refresh rejected by Zoho (invalid_code)" }),
    });

    const report = await doctor(INPUT);

    expect(byId(report.checks, "token")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/broken \(refresh rejected by Zoho \(invalid_code\)\)/),
      fix: expect.stringMatching(/^npx zoho-gpt-mediator auth --client-id 1000\.CLIENTID .*--refresh-token/),
    });
    expect(refresh).not.toHaveBeenCalled();
    expect(zoho.calls).toEqual([]);
  });

  it("reports a missing connection secret with how to create it, and still checks the other secrets", async () => {
    const { doctor } = setup({ conn: null });

    const report = await doctor({ ...INPUT, stage: "prod" });

    expect(byId(report.checks, "connection-secret")).toMatchObject({
      status: "fail",
      detail: "zoho-gpt-mediator/dev/zoho/default does not exist",
      fix: expect.stringMatching(/npx cdk deploy -c stage=prod.*npx zoho-gpt-mediator auth/),
    });
    expect(byId(report.checks, "webhook-secret")?.status).toBe("ok");
    expect(byId(report.checks, "model-key")?.status).toBe("ok");
  });

  it("says to check the endpoint and credentials when Secrets Manager cannot be asked", async () => {
    const { doctor, secrets } = setup();
    secrets.get = async (name: string) => {
      throw new UpstreamUnavailableError("aws", `Secrets Manager call for "${name}" failed (Error)`);
    };

    const report = await doctor(INPUT);

    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["connection-secret", "fail"],
      ["webhook-secret", "fail"],
      ["model-key", "fail"],
    ]);
    for (const c of report.checks)
      expect(c.fix).toMatch(/^Secrets Manager could not be reached: check --region/);
  });

  it("names missing scopes and the grant to make; a missing fields.CREATE scope is only a warning", async () => {
    const { doctor } = setup({
      conn: connection({
        scopes: [
          "ZohoCRM.modules.leads.ALL",
          "ZohoCRM.settings.fields.READ",
          "ZohoCRM.settings.modules.READ",
          "ZohoCRM.notifications.ALL",
          "Desk.tickets.ALL",
          "Desk.settings.READ",
          "Desk.basic.READ",
        ],
      }),
      zoho: { leadFields: [...LEAD_FIELDS, { api_name: "AI_Buying_Stage", data_type: "picklist" }] },
    });

    const report = await doctor(INPUT);

    expect(byId(report.checks, "scopes")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(
        /missing ZohoCRM\.modules\.notes\.CREATE \(audit and quarantine notes\)$/,
      ),
      fix: expect.stringMatching(
        /ZohoCRM\.modules\.notes\.CREATE added .*auth --client-id 1000\.CLIENTID --code/,
      ),
    });
    expect(byId(report.checks, "scopes:fields-create")).toMatchObject({
      status: "warn",
      fix: expect.stringMatching(/ZohoCRM\.settings\.fields\.CREATE added/),
    });
  });

  it("passes with a missing fields.CREATE scope alone (warning only)", async () => {
    const { doctor } = setup({
      conn: connection({
        scopes: [
          "ZohoCRM.modules.ALL",
          "ZohoCRM.settings.fields.READ",
          "ZohoCRM.settings.modules.READ",
          "ZohoCRM.notifications.ALL",
          "Desk.tickets.ALL",
          "Desk.settings.READ",
          "Desk.basic.READ",
        ],
      }),
      zoho: { leadFields: [...LEAD_FIELDS, { api_name: "AI_Buying_Stage", data_type: "picklist" }] },
    });

    const report = await doctor(INPUT);

    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status === "warn").map((c) => c.id)).toEqual([
      "scopes:fields-create",
    ]);
  });

  it("checks DESK_FROM_ADDRESS against the org's active reply addresses", async () => {
    const replyAddresses = {
      data: [
        { id: "1", address: "help@acme.test", isActive: true, isDefault: true },
        { id: "2", address: "old@acme.test", isActive: false },
      ],
    };
    const { doctor } = setup({ zoho: { replyAddresses } });

    const wrong = await doctor({ ...INPUT, deskFromAddress: "old@acme.test" });
    const right = await doctor({ ...INPUT, deskFromAddress: "Help@acme.test" });
    const unset = await doctor(INPUT);

    expect(byId(wrong.checks, "desk-from-address")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(
        /old@acme\.test is not one of the org's active reply addresses \(help@acme\.test\)/,
      ),
      fix: expect.stringMatching(
        /set DESK_FROM_ADDRESS to one of help@acme\.test, or add .* Mail Reply Address/,
      ),
    });
    expect(byId(right.checks, "desk-from-address")?.status).toBe("ok");
    expect(byId(unset.checks, "desk-from-address")).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/help@acme\.test/),
    });
  });

  it("fails when the org has no active reply address and none is configured", async () => {
    const { doctor } = setup({ zoho: { replyAddresses: { data: [] } } });

    const report = await doctor(INPUT);

    expect(byId(report.checks, "desk-from-address")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/Setup > Channels > Email > Mail Reply Address/),
    });
  });

  it("refuses a Desk org the token does not belong to", async () => {
    const { doctor } = setup({ zoho: { orgs: ["8002"] } });

    const report = await doctor(INPUT);

    expect(byId(report.checks, "desk")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/org 7001 is not one of this token's organizations \(8002\)/),
      fix: expect.stringMatching(/--desk-org-id <one of: 8002>/),
    });
    expect(byId(report.checks, "desk-from-address")).toBeUndefined();
  });

  it("fails when the build has no mapping check, rather than passing unchecked", async () => {
    const { doctor } = setup({ mapping: null });

    const report = await doctor(INPUT);

    expect(report.ok).toBe(false);
    expect(byId(report.checks, "mapping")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/not checked/),
    });
  });

  it("requires notification tokens only when channels are configured", async () => {
    const webhook = { token: SECRETS.webhookToken, hmacKeys: [], notificationTokens: [] };
    const { doctor } = setup({ webhook });

    const withChannels = await doctor(INPUT);
    const without = await doctor({ ...INPUT, notifications: false });

    expect(byId(withChannels.checks, "notification-tokens")).toMatchObject({
      status: "fail",
      fix: expect.any(String),
    });
    expect(byId(without.checks, "notification-tokens")).toBeUndefined();
  });

  it("fails a model secret still holding the generated placeholder, and needs none for the local stack", async () => {
    const { doctor, secrets } = setup();
    secrets.values.set(INPUT.modelSecretName as string, JSON.stringify({ placeholder: "x".repeat(32) }));

    const placeholder = await doctor(INPUT);
    const local = await doctor({ ...INPUT, modelSecretName: null });

    expect(byId(placeholder.checks, "model-key")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(
        /aws secretsmanager put-secret-value --secret-id zoho-gpt-mediator\/dev\/openai/,
      ),
    });
    expect(byId(local.checks, "model-key")?.status).toBe("ok");
  });

  it("reports a scope refusal at the API with the scope to add", async () => {
    const { doctor } = setup({ zoho: { crmStatus: 401 } });

    const report = await doctor(INPUT);

    expect(byId(report.checks, "crm-api")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/ZohoCRM\.settings\.modules\.READ added/),
    });
  });

  it("never puts a secret value in the report", async () => {
    const { doctor } = setup({
      conn: connection({ accessTokenExpiresAt: NOW - 1 }),
      zoho: { orgs: ["8002"] },
    });

    const text = JSON.stringify(await doctor({ ...INPUT, deskFromAddress: "x@y.test" }));

    for (const value of [...Object.values(SECRETS), "1000.newaccess"]) expect(text).not.toContain(value);
  });
});
