import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { FREE_PORTS } from "../../../infra/local/stack.js";
import { createDynamoDbClient } from "../../../shared/adapters/dynamodb/client.js";

/** `npm start` as a user runs it, in its own state directory (never the user's .local). */
function start(stateDir: string, extra: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts"], {
    env: { ...process.env, ...FREE_PORTS, LOCAL_STATE_DIR: stateDir, ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const waitFor = async (re: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!re.test(out) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    if (!re.test(out)) throw new Error(`no ${re} within ${ms} ms:\n${out}`);
    return re.exec(out) as RegExpExecArray;
  };
  const url = (name: string) => new RegExp(`${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(out)?.[1] ?? "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out: () => out, waitFor, url, exited };
}

describe("npm start keeps its state across a restart", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "zgm-state-"));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const c of running) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("after a SIGKILL, the demo org's records, the webhook token and a pending event survive; --fresh clears them", async () => {
    // 1. A run whose worker is off (no DynamoDB): a new lead's event is accepted and waits in the queue.
    const first = start(stateDir, { LOCAL_DYNAMODB: "off" });
    running.push(first.child);
    await first.waitFor(/Fire sample triggers/, 40_000);
    const token = (await first.waitFor(/X-Mediator-Token: ([0-9a-f]{48})/, 1000))[1];
    const sent: string[] = [];
    await main(["send", "lead", "--sandbox", first.url("Zoho sandbox")], {}, (l) => sent.push(l));
    const id = /(\d{19})/.exec(sent.join("\n"))?.[1] ?? "";
    expect(id, sent.join("\n")).toMatch(/^\d{19}$/);
    await first.waitFor(/received\s+POST \/v1\/hooks\/crm\/lead-enrichment -> 202, queued 1/, 10_000);
    // The sandbox snapshot is written within a quarter second of the change: wait for it, not for a time.
    const deadline = Date.now() + 5_000;
    while (
      !(existsSync(join(stateDir, "sandbox.bin")) && readFileSync(join(stateDir, "sandbox.bin")).includes(id))
    ) {
      if (Date.now() > deadline) throw new Error("the sandbox snapshot never held the new lead");
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill("SIGKILL");
    await first.exited;

    // 2. A crash later, with the worker on: the org, the token and the waiting event are all there.
    const second = start(stateDir);
    running.push(second.child);
    await second.waitFor(/Fire sample triggers/, 40_000);
    expect(second.out()).toMatch(
      /State\s+.*restored: the Zoho sandbox org, secrets, tables, \d+ queued event\(s\)/,
    );
    expect(second.out()).toContain(`X-Mediator-Token: ${token}`);
    const lead = await fetch(`${second.url("Zoho sandbox")}/_sandbox/records/Leads/${id}`);
    expect(lead.status).toBe(200);
    await second.waitFor(new RegExp(`written\\s+lead-enrichment Leads ${id}`), 30_000);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);

    // 3. A clean restart keeps DynamoDB's tables too: the finished job is still recorded.
    const third = start(stateDir);
    running.push(third.child);
    await third.waitFor(/Fire sample triggers/, 40_000);
    const ddb = createDynamoDbClient({
      endpoint: third.url("DynamoDB Local"),
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const jobs = await ddb.send(
      new ScanCommand({ TableName: "zoho-gpt-mediator-dev-jobs", Select: "COUNT" }),
    );
    ddb.destroy();
    expect(jobs.Count).toBeGreaterThanOrEqual(1);
    third.child.kill("SIGINT");
    expect(await third.exited).toBe(0);

    // 4. --fresh starts from a clean slate: a new token and no trace of the lead.
    const fresh = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts", "--fresh"], {
      env: { ...process.env, ...FREE_PORTS, LOCAL_STATE_DIR: stateDir, LOCAL_DYNAMODB: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.push(fresh);
    let out = "";
    fresh.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const until = Date.now() + 40_000;
    while (!/Fire sample triggers/.test(out) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    const sandboxUrl = /Zoho sandbox\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? "";
    expect(out).toMatch(/State\s+.*\(new;/);
    expect(out).not.toContain(`X-Mediator-Token: ${token}`);
    expect((await fetch(`${sandboxUrl}/_sandbox/records/Leads/${id}`)).status).toBe(404);
    const exited = new Promise((r) => fresh.once("exit", r));
    fresh.kill("SIGINT");
    await exited;
  }, 240_000);
});
