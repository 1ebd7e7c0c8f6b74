/**
 * The cli package's commands as an operator runs them (issue 13): against the local stack found through npm start's
 * state file with no flags, and against the same emulators as a deployed stage (`--stage dev` with
 * AWS_ENDPOINT_URL_* in the CLI's env, the way the SDK would reach AWS). Assertions are on what a person sees:
 * exit codes, stdout and stderr.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { localStackState, writeLocalState } from "../../../infra/local/state-file.js";
import { stageResources } from "../../../shared/config/resource-names.js";
import type { DoctorReport } from "../../../shared/use-cases/doctor/index.js";
import { startTestStack } from "../../helpers/local-stack.js";

let stack: Awaited<ReturnType<typeof startTestStack>>;
let stateDir: string;
beforeAll(async () => {
  stack = await startTestStack();
  stateDir = mkdtempSync(join(tmpdir(), "zgm-cli-state-"));
  writeLocalState(stateDir, localStackState(stack));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const names = stageResources("dev");

/** The CLI with the state file (local) or, for `--stage`, the emulators as the stage's AWS endpoints. */
const cli = async (args: string[], options: { stage?: boolean; stdin?: string } = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const env: NodeJS.ProcessEnv = options.stage
    ? {
        LOCAL_STATE_DIR: stateDir,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.secrets.url,
        AWS_ENDPOINT_URL_SQS: stack.sqs.url,
        AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodb?.url ?? "",
        // No CloudFormation here: a closed loopback port, so a lookup fails at once and never leaves the machine.
        AWS_ENDPOINT_URL_CLOUDFORMATION: "http://127.0.0.1:9",
      }
    : { LOCAL_STATE_DIR: stateDir };
  const code = await main([...args, ...(options.stage ? ["--stage", "dev"] : [])], env, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin: Readable.from([options.stdin ?? ""]),
    interactive: false,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
};

const secretOf = async (name: string) => {
  const client = new SecretsManagerClient({
    region: "us-east-1",
    endpoint: stack.secrets.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? "";
  } finally {
    client.destroy();
  }
};

describe("CLI commands against the local stack (state file, no flags)", () => {
  it("--verbose names the local stack as the target on stderr", async () => {
    const { code, err } = await cli(["hooks", "--verbose"]);
    expect(code).toBe(0);
    expect(err).toContain(`target: the local stack (${stack.api?.url})`);
  });

  it("hooks prints each webhook URL and how to set it, the token only when asked", async () => {
    const { code, out, err } = await cli(["hooks"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(out).toContain(`POST ${stack.hooks.crm}`);
    expect(out).toContain(`POST ${stack.api?.url}/v1/hooks/flow/{useCase}`);
    expect(out).toContain('X-Mediator-Token: <the "token" of secret');
    expect(out).not.toContain(stack.webhookToken);
    const shown = await cli(["hooks", "--show-token", "--json"]);
    expect(JSON.parse(shown.out)).toMatchObject({
      token: stack.webhookToken,
      hooks: { crm: stack.hooks.crm },
    });
  });

  it("send lead creates the lead in the sandbox and the mediator receives it", async () => {
    const { code, out } = await cli(["send", "lead"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^sent: lead \S+ created in the Zoho sandbox/);
    const deadline = Date.now() + 30_000;
    while (!stack.events.some((e) => /received/.test(e)) && Date.now() < deadline)
      await new Promise((r) => setImmediate(r));
    expect(stack.events.some((e) => /received/.test(e))).toBe(true);
  });

  it("send email posts the Flow sample to the local ingest", async () => {
    const { code, out } = await cli(["send", "email"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^sent: email to \/v1\/hooks\/flow\/\S+ \(job \S+\)/);
  });

  it("doctor finds the stack's secrets", async () => {
    const { out } = await cli(["doctor", "--json"]);
    const report = JSON.parse(out) as DoctorReport;
    const status = (id: string) => report.checks.find((c) => c.id === id)?.status;
    expect(status("connection-secret")).toBe("ok");
    expect(status("token")).toBe("ok");
    expect(status("webhook-secret")).toBe("ok");
  });

  it("set-model-key stores the key from stdin and never prints it", async () => {
    const { code, out, err } = await cli(["set-model-key"], { stdin: "sk-local-test-key-1\n" });
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^(created|updated) ${names.modelKeySecret}`));
    expect(`${out}${err}`).not.toContain("sk-local-test-key-1");
    expect(JSON.parse(await secretOf(names.modelKeySecret))).toEqual({ apiKey: "sk-local-test-key-1" });
    const empty = await cli(["set-model-key"], { stdin: "" });
    expect(empty.code).toBe(1);
    expect(empty.err).toContain("set-model-key failed: give exactly one key on stdin");
  });

  it("keys create, list and revoke, and proposals list, on the stack's agents table", async () => {
    const created = await cli(["keys", "create", "--name", "cli-test", "--scopes", "crm.read", "--json"]);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.out) as { id: string };
    const listed = await cli(["keys", "list", "--json"]);
    expect((JSON.parse(listed.out) as { id: string }[]).map((k) => k.id)).toContain(id);
    const revoked = await cli(["keys", "revoke", id]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`revoked ${id}`);
    const again = await cli(["keys", "revoke", id]);
    expect(again.code).toBe(1);
    expect((await cli(["proposals", "list", "--json"])).code).toBe(0);
    expect((await cli(["keys", "calls", id, "--json"])).code).toBe(0);
  });

  it("fields create --dry-run plans against the live metadata", async () => {
    const { code, out, err } = await cli(["fields", "create", "lead-enrichment", "--dry-run"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.length).toBeGreaterThan(0);
  });

  it("auth with missing credentials is a usage error", async () => {
    const { code, err } = await cli(["auth", "--client-id", "x"]);
    expect(code).toBe(2);
    expect(err).toContain("auth: missing ZOHO_CLIENT_SECRET, --code (or --refresh-token)");
  });
});

describe("CLI commands with --stage against the emulators (AWS_ENDPOINT_URL_*)", () => {
  it("--verbose names the stage", async () => {
    const { err } = await cli(["hooks", "--api-url", stack.api?.url ?? "", "--verbose"], { stage: true });
    expect(err).toMatch(/^target: stage dev \(/m);
  });

  it("hooks reads the stage's webhook secret and prints the URLs under --api-url", async () => {
    const { code, out } = await cli(["hooks", "--api-url", stack.api?.url ?? "", "--show-token"], {
      stage: true,
    });
    expect(code).toBe(0);
    expect(out).toContain(`POST ${stack.hooks.crm}`);
    expect(out).toContain(`X-Mediator-Token: ${stack.webhookToken}`);
  });

  it("without --api-url, when the stage's stack cannot be read, hooks fails with the fix", async () => {
    const { code, out, err } = await cli(["hooks"], { stage: true });
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(/^hooks failed: .*cannot find the API URL of stage dev .*give --api-url/);
  }, 60_000);

  it("send email reaches the stage's ingest with its webhook token", async () => {
    const { code, out } = await cli(["send", "email", "--api-url", stack.api?.url ?? ""], { stage: true });
    expect(code).toBe(0);
    expect(out).toMatch(/^sent: email to \/v1\/hooks\/flow\//);
  });

  it("send lead on a stage says a real org is needed", async () => {
    const { code, err } = await cli(["send", "lead"], { stage: true });
    expect(code).toBe(1);
    expect(err).toContain("send failed: lead creates a record in the local Zoho sandbox");
  });

  it("set-model-key then doctor: the stage's model key secret is found", async () => {
    expect((await cli(["set-model-key"], { stage: true, stdin: "sk-stage-test-key-2" })).code).toBe(0);
    expect(JSON.parse(await secretOf(names.modelKeySecret))).toEqual({ apiKey: "sk-stage-test-key-2" });
    const { out } = await cli(["doctor", "--json"], { stage: true });
    const report = JSON.parse(out) as DoctorReport;
    const status = (id: string) => report.checks.find((c) => c.id === id)?.status;
    expect(status("connection-secret")).toBe("ok");
    expect(status("model-key")).toBe("ok");
  });

  it("keys list and proposals list read the stage's agents table", async () => {
    expect((await cli(["keys", "list", "--json"], { stage: true })).code).toBe(0);
    expect((await cli(["proposals", "list", "--json"], { stage: true })).code).toBe(0);
  });
});
