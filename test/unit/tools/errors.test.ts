/** toToolError: the taxonomy's declared status decides the agent's answer; 500s and bugs say nothing inside. */
import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  ApiKeyError,
  ConfigError,
  ConnectionBrokenError,
  NotFoundError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamScopeError,
  UpstreamUnavailableError,
  ValidationError,
  WorkMustWaitError,
} from "../../../shared/errors.js";
import { INTERNAL_MESSAGE, outcomeOf, toToolError } from "../../../shared/tools/errors.js";

describe("toToolError", () => {
  it.each([
    [new ValidationError("bad", [{ path: "id", message: "19 digits" }]), 400, "invalid_arguments", false],
    [new ApiKeyError("unknown API key"), 401, "unauthorized", false],
    [new AccessDeniedError("this key lacks the scope crm.write"), 403, "forbidden", false],
    [new NotFoundError("zoho-crm", "no Leads record 1"), 404, "not_found", false],
    [new ValidationError("too big", [], { httpStatus: 413 }), 413, "rejected", false],
    [new UpstreamRejectedError("zoho-crm", "refused", "INVALID_DATA", {}), 422, "rejected", false],
    [new WorkMustWaitError("budget spent", { retryAfterMs: 1_500 }), 429, "rate_limited", true],
    [new UpstreamRateLimitError("zoho-crm", "429"), 503, "unavailable", true],
    [new UpstreamUnavailableError("zoho-desk", "502"), 503, "unavailable", true],
    [new ConnectionBrokenError("default", "refresh token revoked"), 503, "unavailable", true],
  ])("%s -> %i %s", (error, status, code, retryable) => {
    const info = toToolError(error);

    expect(info).toMatchObject({ status, code, retryable });
    expect(info.retryAfterSeconds !== undefined).toBe(retryable);
  });

  it("says how long to wait: the error's own delay rounded up, else 60 s for Zoho's 429", () => {
    expect(toToolError(new WorkMustWaitError("x", { retryAfterMs: 1_500 })).retryAfterSeconds).toBe(2);
    expect(toToolError(new UpstreamRateLimitError("zoho-crm", "429")).retryAfterSeconds).toBe(60);
    expect(toToolError(new ConnectionBrokenError("default", "x")).retryAfterSeconds).toBe(900);
  });

  it("names Zoho's code and field of a refused item", () => {
    const info = toToolError(
      new UpstreamRejectedError("zoho-crm", "Zoho refused it", "INVALID_DATA", {}, { field: "AI_Rating" }),
    );

    expect(info.message).toBe("Zoho refused it (code INVALID_DATA, field AI_Rating)");
  });

  it.each([
    new Error("TypeError at secret.ts:12 token=abc"),
    new ConfigError("ZOHO_CONNECTION_SECRETS is malformed"),
    new UpstreamScopeError("zoho-crm", "the token lacks ZohoCRM.modules.ALL"),
    "a thrown string",
  ])("a bug or a deployment fault is a generic 500: %s", (error) => {
    expect(toToolError(error)).toEqual({
      status: 500,
      code: "internal_error",
      message: INTERNAL_MESSAGE,
      retryable: false,
    });
  });

  it("counts 4xx as refused and 5xx as error in the call log", () => {
    expect(outcomeOf(toToolError(new WorkMustWaitError("x")))).toBe("refused");
    expect(outcomeOf(toToolError(new AccessDeniedError("x")))).toBe("refused");
    expect(outcomeOf(toToolError(new UpstreamUnavailableError("zoho-crm", "x")))).toBe("error");
    expect(outcomeOf(toToolError(new Error("x")))).toBe("error");
  });
});
