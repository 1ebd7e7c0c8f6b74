/**
 * `npm run screenshot`: a picture of the status page with something on it, saved to `.bench/status-page.png`
 * (or the path given as the first argument). Starts its own in-memory local stack on free ports against the
 * sandbox and the built-in model server (never a real org, whatever the environment says), sends two leads as
 * `send lead` does (the second meets two malformed model answers, so it is dead-lettered), waits until the page
 * shows both, and takes a full-page screenshot in Debian's headless Chromium (playwright-core).
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

// The structured logs would bury this script's few lines.
process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
const { launchChromium } = await import("./browser.js");
const { SAMPLE_LEADS } = await import("../../cli/samples/records.js");
const { FREE_PORTS, LocalEnvSchema, startLocalStack } = await import("../stack.js");

const out = resolve(process.argv[2] ?? ".bench/status-page.png");
const WAIT_MS = 30_000;

const stack = await startLocalStack(LocalEnvSchema.parse({ ...FREE_PORTS }), {});
const browser = await launchChromium();
try {
  const sendLead = async (lead: Record<string, unknown>) => {
    const res = await fetch(`${stack.sandbox?.url}/_sandbox/crm/Leads`, {
      method: "POST",
      body: JSON.stringify(lead),
    });
    if (!res.ok) throw new Error(`the sandbox refused the lead: ${res.status}`);
  };
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(stack.statusUrl);

  await sendLead(SAMPLE_LEADS[0] as Record<string, unknown>);
  await page.locator('article.job[data-status="done"]').first().waitFor({ timeout: WAIT_MS });

  stack.model?.inject({ kind: "malformed", variant: "schema", count: 2 });
  await sendLead({
    First_Name: "Kari",
    Last_Name: "Nordmann",
    Company: "Fjellvegen Bygg",
    Email: "kari@fjellvegen.example",
    Lead_Source: "Trade Show",
  });
  await page.locator("#dead-letters tbody tr[data-job-id]").first().waitFor({ timeout: WAIT_MS });
  await page.locator('article.job[data-status="dead-lettered"]').first().waitFor({ timeout: WAIT_MS });

  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`status page screenshot: ${out}`);
} finally {
  await browser.close();
  await stack.stop();
}
