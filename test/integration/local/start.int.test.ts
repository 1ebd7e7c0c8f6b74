import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * `npm start` as a user runs it: every emulator comes up and prints its URL, and Ctrl-C (SIGINT) stops all of them.
 * Ports are set to 0 so the test never clashes with a running local stack.
 */
describe("npm start", () => {
  it("brings every emulator up, prints their URLs, and shuts down cleanly on SIGINT", async () => {
    const env = {
      ...process.env,
      ZOHO_SANDBOX_PORT: "0",
      MODEL_SERVER_PORT: "0",
      SECRETS_MANAGER_PORT: "0",
      SQS_PORT: "0",
      DYNAMODB_PORT: "0",
    };
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
    const deadline = Date.now() + 40_000;
    while (!out.includes("DynamoDB Local") && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));

    const urls = Object.fromEntries(
      ["Zoho sandbox", "Model server", "Secrets Manager", "SQS", "DynamoDB Local"].map((name) => [
        name,
        new RegExp(`${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(out)?.[1],
      ]),
    );
    const probes = await Promise.all([
      fetch(`${urls["Zoho sandbox"]}/_sandbox/inspect`).then((r) => r.status),
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
    expect(probes).toEqual([200, 200, 200]);
    expect(code).toBe(0);
    expect(out).toContain("stopped.");
    await expect(fetch(`${urls["Zoho sandbox"]}/_sandbox/inspect`)).rejects.toThrow();
    await expect(fetch(`${urls["DynamoDB Local"]}`, { method: "POST" })).rejects.toThrow();
  }, 60_000);
});
