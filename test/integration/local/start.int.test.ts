import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { FREE_PORTS } from "../../../infra/local/stack.js";

/**
 * `npm start` as a user runs it: everything comes up and prints its URL; the sample lead and ticket triggers
 * (`npm run send`) are received, queued, sent to the model and written; Ctrl-C (SIGINT) stops everything.
 * Ports are set to 0 so the test never clashes with a running local stack.
 */
describe("npm start", () => {
  it("runs the whole system: sample triggers are processed and written, and SIGINT stops it cleanly", async () => {
    // Its own state directory: a test never touches the user's .local.
    const env = { ...process.env, ...FREE_PORTS, LOCAL_STATE_DIR: mkdtempSync(join(tmpdir(), "zgm-start-")) };
    const child = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const waitFor = async (re: RegExp, ms: number) => {
      const deadline = Date.now() + ms;
      while (!re.test(out) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      return re.test(out);
    };
    await waitFor(/Fire sample triggers/, 40_000);

    const urls = Object.fromEntries(
      ["Mediator API", "Zoho sandbox", "Model server", "Secrets Manager", "SQS", "DynamoDB Local"].map(
        (name) => [name, new RegExp(`${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(out)?.[1]],
      ),
    );
    const sent: string[] = [];
    await main(["send", "lead", "--sandbox", urls["Zoho sandbox"] ?? ""], {}, (l) => sent.push(l));
    await main(["send", "ticket", "--sandbox", urls["Zoho sandbox"] ?? ""], {}, (l) => sent.push(l));
    const leadWritten = await waitFor(/written\s+lead-enrichment Leads \d{19}/, 20_000);
    const ticketWritten = await waitFor(/written\s+ticket-triage tickets \d{19}/, 20_000);
    const probes = await Promise.all([
      fetch(`${urls["Model server"]}/v1/models`).then((r) => r.status),
      fetch(`${urls["Secrets Manager"]}`, {
        method: "POST",
        headers: { "x-amz-target": "secretsmanager.ListSecrets" },
        body: "{}",
      }).then((r) => r.status),
    ]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    const code = await exited;

    expect(Object.values(urls).every(Boolean), out).toBe(true);
    expect(out).toMatch(
      /CRM webhook\s+POST http:\/\/127\.0\.0\.1:\d+\/v1\/hooks\/crm\/lead-enrichment\s+header X-Mediator-Token: [0-9a-f]{48}/,
    );
    expect(
      sent.every((l) => l.startsWith("sent:")),
      sent.join("\n"),
    ).toBe(true);
    expect(out).toMatch(/received\s+POST \/v1\/hooks\/crm\/lead-enrichment -> 202, queued 1/);
    expect(out).toMatch(/model\s+lead-enrichment/);
    expect(leadWritten && ticketWritten, out).toBe(true);
    expect(probes).toEqual([200, 200]);
    expect(code).toBe(0);
    expect(out).toContain("stopped.");
    await expect(fetch(`${urls["Zoho sandbox"]}/_sandbox/inspect`)).rejects.toThrow();
    await expect(fetch(`${urls["DynamoDB Local"]}`, { method: "POST" })).rejects.toThrow();
  }, 90_000);
});
