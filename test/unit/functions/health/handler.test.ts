import { describe, expect, it } from "vitest";
import { handler } from "../../../../functions/health/handler.js";

describe("health handler", () => {
  it("answers 200 with the service name and version, uncached", async () => {
    process.env.SERVICE_VERSION = "1.2.3";

    const res = await handler();

    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(JSON.parse(res.body)).toEqual({ status: "ok", service: "zoho-gpt-mediator", version: "1.2.3" });
  });
});
