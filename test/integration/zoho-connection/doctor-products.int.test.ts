/**
 * `doctor` for Creator and Books, through the CLI against the Zoho sandbox, with the real mapping check over the
 * shipped example definitions (`USE_CASE_FILES`): each product's access (the connection's Creator owner and each
 * use case's form, the Books organization), and each definition's outputs against the live fields, with the fix.
 */

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import type { DoctorReport } from "../../../shared/use-cases/doctor/index.js";
import { type ConnectionHarness, startConnectionHarness } from "../../helpers/connection.js";

let h: ConnectionHarness;
const WEBHOOK_SECRET = "zoho-gpt-mediator/test/webhooks";
const EXAMPLES = [
  "config/use-cases/examples/creator-service-triage.yaml",
  "config/use-cases/examples/books-overdue-follow-up.yaml",
];

beforeAll(async () => {
  h = await startConnectionHarness();
  await h.sm.send(
    new CreateSecretCommand({
      Name: WEBHOOK_SECRET,
      SecretString: JSON.stringify({
        token: "wh-0123456789abcdef0123456789abcdef",
        previousToken: null,
        hmacKeys: [],
        notificationTokens: [],
      }),
    }),
  );
});
afterAll(() => h.close());

const report = async (files: string[] = EXAMPLES) => {
  const lines: string[] = [];
  await main(
    [
      "doctor",
      "--stage",
      "test",
      "--secret-name",
      h.secretName,
      "--secrets-endpoint",
      h.secretsEmulator.url,
      "--json",
    ],
    { USE_CASE_FILES: files.join(",") },
    (l) => lines.push(l),
    { clock: h.clock },
  );
  return JSON.parse(lines.join("\n")) as DoctorReport;
};
const check = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id);
/** `auth` with the sandbox org's Creator owner and Books organization. */
const connectAll = () =>
  h.connect({
    creatorOwner: h.sandbox.demo().creatorOwner,
    booksOrganizationId: h.sandbox.demo().booksOrgId,
  });

describe("doctor for Creator and Books use cases", () => {
  it("reports the Creator form, the Books organization and both definitions' mappings as in place", async () => {
    await connectAll();
    const demo = h.sandbox.demo();

    const r = await report();

    expect(check(r, "creator:service-desk/Service_Request")).toMatchObject({
      status: "ok",
      detail: expect.stringContaining(`${demo.creatorOwner}/service-desk`),
    });
    expect(check(r, "books")).toMatchObject({ status: "ok", detail: `organization ${demo.booksOrgId}` });
    expect(check(r, "mapping:creator-service-triage")).toMatchObject({
      status: "ok",
      detail: "creator service-desk/Service_Request: 4 of 4 targets bound",
    });
    expect(check(r, "mapping:books-overdue-follow-up")).toMatchObject({
      status: "ok",
      detail: "books invoices: 3 of 3 targets bound",
    });
    expect(r.checks.filter((c) => c.id.startsWith("scopes:"))).toEqual([]);
  });

  it("names the auth flags when the connection has no Creator owner or Books organization", async () => {
    await h.connect();

    const r = await report();

    expect(check(r, "creator")).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("--creator-owner"),
    });
    expect(check(r, "books")).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("--books-org-id"),
    });
    // The products' mapping checks would only repeat it: left out.
    expect(check(r, "mapping:creator-service-triage")).toBeUndefined();
    expect(check(r, "mapping:books-overdue-follow-up")).toBeUndefined();
    expect(r.ok).toBe(false);
  });

  it("lists the token's organizations when the Books organization is another one", async () => {
    await connectAll();
    const { value } = await h.store.get(h.secretName, { fresh: true });
    await h.store.put(
      h.secretName,
      JSON.stringify({ ...JSON.parse(value), books: { organizationId: "123" } }),
    );

    const r = await report();

    expect(check(r, "books")).toMatchObject({
      status: "fail",
      detail: expect.stringContaining(h.sandbox.demo().booksOrgId),
      fix: expect.stringContaining(`--books-org-id <one of: ${h.sandbox.demo().booksOrgId}`),
    });
  });

  it("says what to fix for an app that is not there and for a target field the form lacks", async () => {
    await connectAll();
    const wrongApp = join(tmpdir(), `creator-wrong-app-${process.pid}.json`);
    const missingField = join(tmpdir(), `creator-missing-field-${process.pid}.json`);
    const base = {
      title: "t",
      read: ["Subject"],
      instructions: "Triage.",
      outputs: [{ key: "mood", field: "AI_Mood", intent: "the customer's mood", accepts: ["picklist"] }],
    };
    writeFileSync(
      wrongApp,
      JSON.stringify({
        ...base,
        name: "wrong-app",
        target: {
          product: "creator",
          app: "no-such-app",
          form: "Service_Request",
          report: "All_Service_Requests",
        },
      }),
    );
    writeFileSync(
      missingField,
      JSON.stringify({
        ...base,
        name: "missing-field",
        target: {
          product: "creator",
          app: "service-desk",
          form: "Service_Request",
          report: "All_Service_Requests",
        },
      }),
    );

    const r = await report([wrongApp, missingField]);

    expect(check(r, "creator:no-such-app/Service_Request")).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("link names in the use-case definition"),
    });
    expect(check(r, "mapping:missing-field")?.status).toBe("fail");
    expect(r.checks.find((c) => c.id.startsWith("mapping:missing-field:"))?.fix).toContain(
      "add the field AI_Mood (picklist) to the form Service_Request of the Creator app service-desk",
    );
  });
});
