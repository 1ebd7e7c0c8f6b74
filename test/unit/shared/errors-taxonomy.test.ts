/**
 * The one error taxonomy, held to one rule: every error exported from shared/errors.ts declares an HTTP status,
 * and it is retryable exactly when that status says "send it again later" (429 or 503). A non-retryable error is a
 * 4xx (the request is at fault) or, for the deployment's own faults, a 500; never a 503 that would make a sender
 * retry what cannot succeed. The HTTP error mapping is checked against the declared statuses too.
 */
import { describe, expect, it } from "vitest";
import * as errors from "../../../shared/errors.js";
import {
  AccessDeniedError,
  ApiKeyError,
  type AppError,
  ConfigError,
  ConnectionBrokenError,
  LlmOutputError,
  MappingIncompleteError,
  NotFoundError,
  RefreshThrottledError,
  UpstreamAuthError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamScopeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  ValidationError,
  WebhookAuthError,
  WorkMustWaitError,
  WriteOutcomeUnknownError,
} from "../../../shared/errors.js";
import { toHttpResponse } from "../../../shared/lambda/http-error-mapping.js";
import { createLogger } from "../../../shared/observability/logger.js";

/** Bases that only subclasses instantiate. */
const ABSTRACT = new Set<unknown>([errors.AppError, errors.UpstreamError]);

/** One or more instances of every concrete error, as the code raises them. A new error class needs a line here. */
const SAMPLES: Record<string, AppError[]> = {
  ValidationError: ([400, 404, 405, 413, 415, 422] as const).map(
    (httpStatus) => new ValidationError("bad request", [{ path: "body", message: "x" }], { httpStatus }),
  ),
  ConfigError: [new ConfigError('secret "s" is malformed')],
  WebhookAuthError: [new WebhookAuthError("bad token")],
  ApiKeyError: [new ApiKeyError("unknown API key")],
  AccessDeniedError: [new AccessDeniedError("the key may not write Deals")],
  UpstreamRateLimitError: [
    new UpstreamRateLimitError("zoho-crm", "rate limited", { status: 429 }),
    new UpstreamRateLimitError("openai", "rate limited", { status: 429, retryAfterMs: 2_000 }),
  ],
  UpstreamUnavailableError: [
    new UpstreamUnavailableError("aws", "queue unavailable"),
    new UpstreamUnavailableError("zoho-desk", "500", { status: 500 }),
  ],
  UpstreamTimeoutError: [new UpstreamTimeoutError("zoho-crm", "timed out")],
  UpstreamRejectedError: [
    new UpstreamRejectedError("zoho-crm", "refused", "INVALID_DATA", [], { status: 400, field: "AI_Score" }),
    new UpstreamRejectedError("aws", "queue refused", "InvalidMessageContents", undefined),
  ],
  UpstreamAuthError: [new UpstreamAuthError("zoho-crm", "token refused", { status: 401 })],
  UpstreamScopeError: [new UpstreamScopeError("zoho-desk", "scope missing", { status: 403 })],
  NotFoundError: [new NotFoundError("zoho-crm", "no such record", { status: 404 })],
  ConnectionBrokenError: [new ConnectionBrokenError("default", "invalid_code")],
  RefreshThrottledError: [new RefreshThrottledError("refresh guard", { retryAfterMs: 60_000 })],
  WorkMustWaitError: [new WorkMustWaitError("token budget spent", { retryAfterMs: 3_600_000 })],
  MappingIncompleteError: [
    new MappingIncompleteError("lead-enrichment", "default", ["score -> AI_Score (missing)"]),
  ],
  LlmOutputError: [new LlmOutputError("model output failed the schema")],
  WriteOutcomeUnknownError: [
    new WriteOutcomeUnknownError("Zoho failed while making the note: it may have been made"),
  ],
};

/** 500 is for faults a person must fix in the deployment, never for anything the sender did. */
const DEPLOYMENT_FAULTS = new Set(["config", "upstream-scope"]);

const concreteErrorClasses = () =>
  Object.entries(errors).filter(
    ([, value]) =>
      typeof value === "function" &&
      !ABSTRACT.has(value) &&
      (value as { prototype: unknown }).prototype instanceof errors.AppError,
  );

const all = Object.entries(SAMPLES).flatMap(([name, samples]) => samples.map((error) => ({ name, error })));

describe("error taxonomy", () => {
  it("has a sample of every concrete error class shared/errors.ts exports", () => {
    const exported = concreteErrorClasses().map(([name]) => name);

    expect(exported.length).toBeGreaterThanOrEqual(14);
    expect(new Set(Object.keys(SAMPLES))).toEqual(new Set(exported));
    for (const [name, cls] of concreteErrorClasses()) {
      for (const sample of SAMPLES[name] ?? []) {
        expect(sample.constructor, `${name} sample`).toBe(cls);
        expect(sample.name).toBe(name);
      }
    }
  });

  it.each(all)("$name declares an HTTP status and a kind", ({ error }) => {
    expect(Number.isInteger(error.httpStatus)).toBe(true);
    expect(error.httpStatus).toBeGreaterThanOrEqual(400);
    expect(error.httpStatus).toBeLessThan(600);
    expect(error.kind).toMatch(/^[a-z-]+$/);
    expect(typeof error.retryable).toBe("boolean");
  });

  it.each(all)(
    "$name: retryable exactly when the status says send it again later (429, 503)",
    ({ error }) => {
      expect([429, 503].includes(error.httpStatus)).toBe(error.retryable);
    },
  );

  it.each(all.filter(({ error }) => !error.retryable))(
    "$name is not retryable: a 4xx, or a 500 only for a fault of the deployment; never 503",
    ({ error }) => {
      expect(error.httpStatus).not.toBe(503);
      if (error.httpStatus === 502) {
        // A write Zoho may have made: not the sender's fault, and sending it again could make it twice.
        expect(error.kind).toBe("outcome-unknown");
      } else if (error.httpStatus >= 500) {
        expect(error.httpStatus).toBe(500);
        expect(DEPLOYMENT_FAULTS.has(error.kind)).toBe(true);
      } else {
        expect(error.httpStatus).not.toBe(429);
      }
    },
  );

  it("bad input is never a 5xx", () => {
    for (const { error } of all.filter(({ error }) => error instanceof ValidationError))
      expect(error.httpStatus).toBeLessThan(500);
  });

  it("every wait carries the status that asks for a later attempt", () => {
    for (const { error } of all.filter(
      ({ error }) =>
        error instanceof WorkMustWaitError ||
        error instanceof ConnectionBrokenError ||
        error instanceof RefreshThrottledError,
    )) {
      expect(error.retryable).toBe(true);
      expect([429, 503]).toContain(error.httpStatus);
    }
  });
});

describe("the HTTP error mapping answers the declared status", () => {
  const logger = createLogger("errors-taxonomy-test");

  it.each(all)("$name", ({ error }) => {
    const response = toHttpResponse(error, logger);
    expect(response.statusCode).toBe(error.httpStatus);
    if (error.retryable) expect(response.headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("refines a queue's too-long refusal to 413", () => {
    const tooLong = new UpstreamRejectedError(
      "aws",
      "message must be shorter than 262144",
      "MessageTooLong",
      {},
    );

    expect(tooLong.httpStatus).toBe(422);
    expect(toHttpResponse(tooLong, logger).statusCode).toBe(413);
  });
});
