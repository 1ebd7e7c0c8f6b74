/** The v2 request signature (issue 9, defect 1): the documented test vector, so docs/signing.md and code agree. */
import { describe, expect, it } from "vitest";
import { canonicalString, checkSignature, sign } from "../../../../shared/ingest/webhook-auth.js";

const KEY = "example-hmac-key-0123456789abcdef0123";
const REQUEST = {
  method: "POST",
  path: "/v1/hooks/flow/lead-enrichment",
  connection: "default",
  idempotencyKey: "lead-5545974000001000044-1",
  body: '{"module":"Leads","id":"5545974000001000044"}',
};
const SECRETS = { token: "t".repeat(20), hmacKeys: [KEY], notificationTokens: [] };

describe("v2 request signature", () => {
  it("matches the test vector in docs/signing.md", () => {
    expect(canonicalString(REQUEST, 1764064502)).toBe(
      'v2:1764064502.POST./v1/hooks/flow/lead-enrichment.default.lead-5545974000001000044-1.{"module":"Leads","id":"5545974000001000044"}',
    );
    expect(sign(REQUEST, KEY, 1764064502)).toBe(
      "t=1764064502,v2=7a027db427a9b4f15da74222d2a77cd7f3afddb8cab4b894d8bb6b1888e6ebb5",
    );
  });

  it.each([
    ["idempotency key", { idempotencyKey: "lead-5545974000001000044-2" }],
    ["no idempotency key", { idempotencyKey: undefined }],
    ["connection", { connection: "emea" }],
    ["path", { path: "/v1/hooks/flow/call-transcript" }],
    ["body", { body: '{"module":"Leads","id":"5545974000001000045"}' }],
    ["method", { method: "PUT" }],
  ])("is refused when the %s differs", (_what, change) => {
    const header = sign(REQUEST, KEY, 1764064502);

    expect(() => checkSignature(header, REQUEST, SECRETS, 1764064502)).not.toThrow();
    expect(() => checkSignature(header, { ...REQUEST, ...change }, SECRETS, 1764064502)).toThrow();
  });

  it("keeps the 5-minute window", () => {
    const header = sign(REQUEST, KEY, 1764064502);

    expect(() => checkSignature(header, REQUEST, SECRETS, 1764064502 + 300)).not.toThrow();
    expect(() => checkSignature(header, REQUEST, SECRETS, 1764064502 + 301)).toThrow(/window/);
  });
});
