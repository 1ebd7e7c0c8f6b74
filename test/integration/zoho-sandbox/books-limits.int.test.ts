/**
 * Zoho sandbox, Books limits and faults (checklist item 28): per-org calls per minute (429 code 44), per day (429
 * code 45, the limit in the message) and in progress (429 code 1070), never with a `Retry-After`; the numbers are
 * settings, and a fault forces any of them. Injected 401 and 500 answer in Books' shapes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { booksClient, sandboxControl } from "../../helpers/books.js";
import { connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let books: ReturnType<typeof booksClient>;
let control: ReturnType<typeof sandboxControl>;

const contacts = () => books("contacts", { query: { per_page: "1" } });

beforeAll(async () => {
  sandbox = await startZohoSandbox();
  control = sandboxControl(sandbox);
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  books = booksClient(sandbox, await connect(sandbox));
});
afterAll(async () => {
  await sandbox.close();
});

describe("limits", () => {
  it("answers 429 code 44 past the per-minute limit, with no Retry-After, and serves again a minute on", async () => {
    await control("config", { booksPerMinuteLimit: 3 });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await contacts()).status);
    const blocked = await contacts();
    sandbox.advanceClock(61);
    const later = await contacts();

    expect(statuses).toEqual([200, 200, 200]);
    expect([blocked.status, blocked.body.code]).toEqual([429, 44]);
    expect(blocked.body.message).toMatch(/maximum number of requests per minute/);
    expect(blocked.headers.get("retry-after")).toBeNull();
    expect(later.status).toBe(200);
  });

  it("answers 429 code 45 past the daily limit, naming the limit, until the org's next day", async () => {
    await control("config", { booksDailyLimit: 2 });

    await contacts();
    await contacts();
    const blocked = await contacts();
    sandbox.advanceClock(86_400);
    books = booksClient(sandbox, await connect(sandbox)); // the day-old access token has expired
    const tomorrow = await contacts();

    expect([blocked.status, blocked.body]).toEqual([
      429,
      {
        code: 45,
        message: "The API call for this organization has exceeded the maximum call rate limit of 2.",
      },
    ]);
    expect(blocked.headers.get("retry-after")).toBeNull();
    expect(tomorrow.status).toBe(200);
  });

  it("answers 429 code 1070 to a call beyond the concurrency limit", async () => {
    await control("config", { booksConcurrencyLimit: 1, latencyMs: 300 });

    const answers = await Promise.all([contacts(), contacts()]);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 429]);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.body).toEqual({
      code: 1070,
      message:
        "You have reached the maximum number of in process requests allowed. Kindly try again after some time.",
    });
    expect(refused?.headers.get("retry-after")).toBeNull();
  });

  it("does not count calls refused before the org is known", async () => {
    await control("config", { booksDailyLimit: 1 });

    await books("contacts", { orgId: null });
    await books("contacts", { token: "1000.nope" });
    const first = await contacts();

    expect(first.status).toBe(200);
  });

  it("sends X-Rate-Limit headers only when the setting says so", async () => {
    const plain = await contacts();
    await control("config", { booksRateLimitHeaders: true });
    const counted = await contacts();

    expect(plain.headers.get("x-rate-limit-limit")).toBeNull();
    expect(counted.headers.get("x-rate-limit-limit")).toBe("2000");
    expect(counted.headers.get("x-rate-limit-remaining")).toBe("1998");
    expect(Number(counted.headers.get("x-rate-limit-reset"))).toBeGreaterThan(0);
  });
});

describe("fault injection", () => {
  it("forces each limit by code, 44 by default, then serves normally", async () => {
    for (const code of [45, 1070]) await control("faults", { target: "books", kind: 429, code });
    sandbox.inject({ target: "books", kind: 429 });

    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await contacts());

    expect(answers.map((a) => [a.status, a.body.code])).toEqual([
      [429, 45],
      [429, 1070],
      [429, 44],
      [200, 0],
    ]);
    expect(answers.every((a) => a.headers.get("retry-after") === null)).toBe(true);
  });

  it("injects 401 code 57 and 500 code 1000, and leaves CRM calls alone", async () => {
    sandbox.inject({ target: "books", kind: 401 });
    sandbox.inject({ target: "books", kind: 500 });
    const conn = await connect(sandbox);

    const crm = await conn.crm("Leads?fields=Email&per_page=1");
    const unauthorized = await contacts();
    const broken = await contacts();

    expect(crm.status).toBe(200);
    expect([unauthorized.status, unauthorized.body.code]).toEqual([401, 57]);
    expect([broken.status, broken.body]).toEqual([500, { code: 1000, message: "Internal error" }]);
  });
});
