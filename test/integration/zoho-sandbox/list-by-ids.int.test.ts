/**
 * Zoho sandbox, CRM v8 list by ids (issue 14, batched reads): `GET /crm/v8/{module}?ids=a,b,c&fields=...` answers
 * as Zoho's OAS says: the named records only (missing ids simply absent), Zoho's default order (id descending),
 * `fields` mandatory, `per_page` at most 200, `ids` at most 1024 characters (record.json, parameter `Ids`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../infra/local/zoho-sandbox/config.js";
import { startZohoSandbox, type ZohoSandbox } from "../../../infra/local/zoho-sandbox/server.js";
import { type Connection, connect } from "../../helpers/zoho.js";

let sandbox: ZohoSandbox;
let conn: Connection;

beforeAll(async () => {
  sandbox = await startZohoSandbox();
});
beforeEach(async () => {
  Object.assign(sandbox.options, DEFAULT_OPTIONS, { port: sandbox.port });
  sandbox.reset();
  conn = await connect(sandbox);
});
afterAll(() => sandbox.close());

const leadIds = async (n: number) =>
  ((await conn.crm(`Leads?fields=Last_Name&per_page=${n}`)).body.data as { id: string }[]).map((r) => r.id);

describe("GET /crm/v8/Leads?ids=", () => {
  it("answers the named records with the fields asked for, id descending, a missing id simply absent", async () => {
    const [a, b, c] = await leadIds(3);
    const missing = "5545974999999999999";
    const res = await conn.crm(`Leads?ids=${[c, missing, a, b].join(",")}&fields=Last_Name,Email`);
    expect(res.status).toBe(200);
    const data = res.body.data as Record<string, unknown>[];
    expect(data.map((r) => r.id)).toEqual([a, b, c].sort().reverse());
    for (const r of data) expect(Object.keys(r).sort()).toEqual(["Email", "Last_Name", "id"]);
    expect(res.body.info).toMatchObject({ count: 3, more_records: false });
  });

  it("answers 204 when none of the ids exists", async () => {
    const res = await conn.crm("Leads?ids=5545974999999999998,5545974999999999999&fields=Last_Name");
    expect(res.status).toBe(204);
  });

  it("refuses a list without fields, per_page over 200 and ids over 1024 characters", async () => {
    const [a] = await leadIds(1);
    const noFields = await conn.crm(`Leads?ids=${a}`);
    expect(noFields.status).toBe(400);
    expect(noFields.body).toMatchObject({
      code: "REQUIRED_PARAM_MISSING",
      details: { param_name: "fields" },
    });
    const perPage = await conn.crm(`Leads?ids=${a}&fields=Last_Name&per_page=201`);
    expect(perPage.status).toBe(400);
    expect(perPage.body).toMatchObject({ details: { param_name: "per_page", maximum_value: 200 } });
    const tooMany = Array.from({ length: 52 }, (_, i) => String(5545974000000000000n + BigInt(i)));
    const longIds = await conn.crm(`Leads?ids=${tooMany.join(",")}&fields=Last_Name`);
    expect(longIds.status).toBe(400);
    expect(longIds.body).toMatchObject({
      code: "INVALID_DATA",
      details: { param_name: "ids", maximum_length: 1024 },
    });
    // 51 19-digit ids (1,019 characters) fit.
    const fits = await conn.crm(`Leads?ids=${tooMany.slice(0, 51).join(",")}&fields=Last_Name`);
    expect([200, 204]).toContain(fits.status);
  });
});
