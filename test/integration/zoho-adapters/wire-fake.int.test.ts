/**
 * What the sandbox does not serve (attachment downloads) and answers it never gives (ids that are not 1-19 digits,
 * fewer results than items), against a tiny node:http server answering Zoho's documented shapes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createZohoPorts } from "../../../shared/adapters/zoho/ports.js";
import type { TokenProvider } from "../../../shared/adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../../../shared/adapters/zoho/zoho-http-client.js";
import { UpstreamRejectedError, ValidationError } from "../../../shared/errors.js";
import type { ZohoPorts } from "../../../shared/ports/zoho.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler;
const seen: { method: string; url: string; body: unknown }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", body: body ? JSON.parse(body) : undefined });
    handler(req, body, res);
  });
});
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

let ports: ZohoPorts;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = {
    get: async () => ({
      token: "fake-access-token",
      connection: { name: "fake", apiDomain: base, desk: { base, orgId: "700001", sourceId: null } },
    }),
    invalidate: async () => {},
  } as unknown as TokenProvider;
  ports = createZohoPorts(new ZohoHttpClient({ tokens, sleep: async () => {} }));
});
beforeEach(() => {
  seen.length = 0;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("Zoho adapters on Zoho's documented shapes", () => {
  it("downloads a record attachment with its name and type", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, {
        "content-type": "application/pdf",
        "content-disposition": 'attachment; filename="quote%20v2.pdf"',
      });
      res.end(Buffer.from("%PDF-1.4 bytes"));
    };

    const file = await ports.crm.downloadAttachment(
      "Deals",
      "5545974000001234001",
      "5545974000009999001",
      1024,
    );

    expect(seen[0]?.url).toBe("/crm/v8/Deals/5545974000001234001/Attachments/5545974000009999001");
    expect(file).toMatchObject({ fileName: "quote v2.pdf", contentType: "application/pdf" });
    expect(Buffer.from(file.bytes).toString()).toBe("%PDF-1.4 bytes");
  });

  it("refuses an attachment larger than the bound, declared or streamed", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
    };

    const error = await ports.crm.downloadAttachment("Deals", "1", "2", 1000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
  });

  it("names a Contact as the task's Who_Id and any other module as What_Id with $se_module", async () => {
    handler = (_req, _body, res) =>
      json(res, 201, {
        data: [
          {
            code: "SUCCESS",
            details: { id: "5545974000000000011" },
            message: "record added",
            status: "success",
          },
          {
            code: "SUCCESS",
            details: { id: "5545974000000000012" },
            message: "record added",
            status: "success",
          },
        ],
      });

    const results = await ports.crm.createTasks([
      { module: "Contacts", recordId: "5545974000000000001", subject: "Call", priority: "High" },
      { module: "Deals", recordId: "5545974000000000002", subject: "Send quote", dueDate: "2026-12-01" },
    ]);

    expect(results).toEqual([
      { ok: true, id: "5545974000000000011" },
      { ok: true, id: "5545974000000000012" },
    ]);
    expect(seen[0]?.body).toEqual({
      data: [
        { Subject: "Call", Priority: "High", Who_Id: { id: "5545974000000000001" } },
        {
          Subject: "Send quote",
          Due_Date: "2026-12-01",
          What_Id: { id: "5545974000000000002" },
          $se_module: "Deals",
        },
      ],
      trigger: [],
    });
  });

  it("answers NO_RESULT for an item Zoho did not answer, and keeps Zoho's refusal with its field", async () => {
    handler = (_req, _body, res) =>
      json(res, 207, {
        data: [
          {
            code: "INVALID_DATA",
            details: { api_name: "AI_Score", json_path: "$.data[0].AI_Score", maximum_length: 3 },
            message: "invalid data",
            status: "error",
          },
        ],
      });

    const results = await ports.crm.updateRecords("Leads", [
      { id: "5545974000000000001", AI_Score: 1234 },
      { id: "5545974000000000002", AI_Score: 12 },
    ]);

    expect(results[0]).toMatchObject({ ok: false, code: "INVALID_DATA", field: "AI_Score" });
    expect(results[1]).toMatchObject({ ok: false, code: "NO_RESULT" });
    expect(seen[0]?.body).toMatchObject({ trigger: [] });
  });

  it("sends search and COQL in Zoho's shapes", async () => {
    handler = (req, _body, res) =>
      req.url?.startsWith("/crm/v8/coql")
        ? json(res, 200, { data: [{ id: "5545974000000000001", Last_Name: "Doe" }], info: { count: 1 } })
        : res.writeHead(204).end();

    const rows = await ports.crm.coql("select Last_Name from Leads where Last_Name = 'Doe' limit 1");
    const none = await ports.crm.search("Leads", { phone: "+1 555 0100" }, 3);

    expect(rows).toEqual([{ id: "5545974000000000001", Last_Name: "Doe" }]);
    expect(none).toEqual([]);
    expect(seen[0]).toMatchObject({
      method: "POST",
      body: { select_query: "select Last_Name from Leads where Last_Name = 'Doe' limit 1" },
    });
    expect(seen[1]?.url).toBe("/crm/v8/Leads/search?phone=%2B1+555+0100&per_page=3");
  });

  it("refuses ids Zoho answers that are not 1-19 digits (INVALID_ID) before they reach a URL", async () => {
    handler = (req, _body, res) => {
      if (req.url?.includes("/threads"))
        return json(res, 200, { data: [{ id: "../../x", direction: "in" }] });
      if (req.url?.startsWith("/api/v1/tickets/")) return json(res, 200, { id: "1/../2", subject: "s" });
      return json(res, 200, { data: [{ id: "12345678901234567890", Last_Name: "Too long" }] });
    };

    const errors = await Promise.all([
      ports.desk.getTicket("1").catch((e: unknown) => e),
      ports.desk.listThreads("1").catch((e: unknown) => e),
      ports.crm.getRecord("Leads", "1").catch((e: unknown) => e),
      ports.crm.listNotes("Leads", "1").catch((e: unknown) => e),
    ]);

    for (const error of errors) {
      expect(error).toBeInstanceOf(UpstreamRejectedError);
      expect(error).toMatchObject({ code: "INVALID_ID" });
    }
  });

  it("sorts Desk threads oldest first whatever order Desk lists them in", async () => {
    handler = (_req, _body, res) =>
      json(res, 200, {
        data: [
          { id: "3", direction: "out", createdTime: "2026-11-30T10:02:00.000Z" },
          { id: "1", direction: "in", createdTime: "2026-11-30T10:00:00.000Z" },
        ],
      });

    expect((await ports.desk.listThreads("7")).map((t) => t.id)).toEqual(["1", "3"]);
  });
});
