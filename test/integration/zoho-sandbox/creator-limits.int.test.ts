/**
 * Zoho sandbox, Creator v2.1 limits (checklist item 13): the daily Developer API count per account answered HTTP 200
 * code 4000 and reset the next day; the per-minute and concurrency limits answered 429 code 2955 with no
 * Retry-After; each reachable through fault injection (`target: "creator"`) so a client's handling can be forced.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type CreatorClient, connectCreator, control } from "../../helpers/creator.js";

const REPORT = "data/zylker/service-desk/report/All_Service_Requests";
const DAILY = {
  code: 4000,
  message: "Account's Developer API limit has been reached. Please upgrade to execute more REST API calls.",
};
const MINUTE = {
  code: 2955,
  message: "You have reached your API call limit for a minute. Please try again after sometime.",
};

let sandbox: ZohoSandbox;
let creator: CreatorClient;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  creator = await connectCreator(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});

const read = () => creator.call(REPORT);
/** `n` calls, five at a time (within the concurrency limit); their statuses and codes. */
async function calls(n: number) {
  const out: { status: number; code: number; retryAfter: string | null }[] = [];
  for (let i = 0; i < n; i += 5) {
    const batch = await Promise.all(Array.from({ length: Math.min(5, n - i) }, read));
    out.push(
      ...batch.map((r) => ({
        status: r.status,
        code: r.body.code,
        retryAfter: r.headers.get("retry-after"),
      })),
    );
  }
  return out;
}

describe("injected faults", () => {
  it("answers the daily limit as HTTP 200 code 4000 for the next call only", async () => {
    await control(sandbox, "faults", { target: "creator", kind: "daily-limit", count: 1 });

    const limited = await read();
    const next = await read();

    expect([limited.status, limited.body]).toEqual([200, DAILY]);
    expect(next.body.code).toBe(3000);
  });

  it("answers the next N calls 429 code 2955 with no Retry-After", async () => {
    sandbox.inject({ target: "creator", kind: 429, count: 2 });

    const results = await calls(3);

    expect(results).toEqual([
      { status: 429, code: 2955, retryAfter: null },
      { status: 429, code: 2955, retryAfter: null },
      { status: 200, code: 3000, retryAfter: null },
    ]);
  });

  it("injects Creator-shaped 401 and 500 answers, and leaves CRM faults to CRM", async () => {
    sandbox.inject({ target: "crm", kind: 500 });
    sandbox.inject({ target: "creator", kind: 401 });
    sandbox.inject({ target: "creator", kind: 500 });

    const unauthorized = await read();
    const failed = await read();

    expect([unauthorized.status, unauthorized.body.code]).toEqual([401, 1030]);
    expect([failed.status, failed.body.code]).toEqual([500, 2930]);
    expect(sandbox.state.faults).toEqual([expect.objectContaining({ target: "crm" })]);
  });
});

describe("counted limits", () => {
  it("allows the plan's daily calls per account, then code 4000 until the account's next day", async () => {
    Object.assign(sandbox.options, { creatorPlan: "free", creatorPerMinuteLimit: 10_000 });

    const day = await calls(251);
    const summary = await control(sandbox, "creator", undefined, "GET");
    sandbox.advanceClock(86_400);
    creator = await connectCreator(sandbox); // yesterday's access token has expired
    const tomorrow = await read();

    expect(day.slice(0, 250).every((r) => r.code === 3000)).toBe(true);
    expect(day[250]).toEqual({ status: 200, code: 4000, retryAfter: null });
    expect(summary.daily_limit).toBe(250);
    expect(Object.values(summary.usage)).toEqual([expect.objectContaining({ calls: 250 })]);
    expect(tomorrow.body.code).toBe(3000);
  });

  it("multiplies the per-user daily figure by the account's users on paid plans", async () => {
    Object.assign(sandbox.options, { creatorPlan: "professional", creatorUsers: 3 });

    expect((await control(sandbox, "creator", undefined, "GET")).daily_limit).toBe(1500);
  });

  it("answers 429 code 2955 beyond the per-minute limit, with no Retry-After, until the minute has passed", async () => {
    sandbox.options.creatorPerMinuteLimit = 3;

    const minute = await calls(4);
    sandbox.advanceClock(61);
    const later = await read();

    expect(minute.map((r) => r.code)).toEqual([3000, 3000, 3000, 2955]);
    expect(minute[3]).toEqual({ status: 429, code: 2955, retryAfter: null });
    expect(later.body.code).toBe(3000);
  });

  it("counts per endpoint when configured so", async () => {
    Object.assign(sandbox.options, { creatorPerMinuteLimit: 1, creatorPerMinuteKey: "user-endpoint" });

    const report = await read();
    const meta = await creator.call("meta/zylker/service-desk/form/Service_Request/fields");
    const again = await read();

    expect([report.body.code, meta.body.code, again.body.code]).toEqual([3000, 3000, 2955]);
  });

  it("answers 429 code 2955 to calls beyond the account's concurrency limit", async () => {
    Object.assign(sandbox.options, { creatorConcurrencyLimit: 2, latencyMs: 200 });

    const results = await Promise.all(Array.from({ length: 5 }, read));
    const statuses = results.map((r) => r.status).sort();

    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.code === 2955)).toBe(true);
    expect(results.every((r) => r.headers.get("retry-after") === null)).toBe(true);
    expect(MINUTE).toEqual({ code: 2955, message: results.find((r) => r.status === 429)?.body.message });
  });
});
