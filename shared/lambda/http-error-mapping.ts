/**
 * The one place errors become HTTP answers (the other mapping is the SQS record loop). Clients get a status and
 * a short JSON reason naming fields; internals and secrets never reach them.
 *
 * Only a passing fault is a 5xx a sender should retry: bad input, including content the queue refuses, is a 4xx
 * (senders that retry on 5xx would otherwise send it again and again, and CRM, which does not retry, would lose
 * it); a rate limit is a 429 with `Retry-After`; a queue that is really unavailable is a 503.
 */
import {
  AppError,
  UpstreamRejectedError,
  ValidationError,
  WebhookAuthError,
  WorkMustWaitError,
} from "../errors.js";
import { type HttpResponse, json } from "../ingest/http.js";
import { WebhookAuthHintError } from "../ingest/webhook-auth.js";
import type { AppLogger } from "../observability/logger.js";

const ERROR_NAMES = new Map<number, string>([
  [401, "unauthorized"],
  [403, "forbidden"],
  [404, "not_found"],
  [405, "method_not_allowed"],
  [413, "payload_too_large"],
  [415, "unsupported_media_type"],
]);

export function toHttpResponse(error: unknown, logger: AppLogger): HttpResponse {
  if (error instanceof ValidationError) {
    return json(error.httpStatus, {
      error: ERROR_NAMES.get(error.httpStatus) ?? "invalid_request",
      message: error.message,
      issues: error.issues,
    });
  }
  if (error instanceof WebhookAuthHintError) return json(401, { error: "unauthorized", message: error.hint });
  if (error instanceof WebhookAuthError)
    return json(401, { error: "unauthorized", message: "missing or invalid credentials" });
  if (error instanceof WorkMustWaitError) {
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1_000) / 1000));
    return json(429, { error: "rate_limited", message: error.message }, { "retry-after": String(seconds) });
  }
  if (error instanceof UpstreamRejectedError && error.upstream === "aws") {
    // The queue refused the message's content: the request is at fault, and sending it again cannot help.
    logger.warn("queue refused a trigger's content", { error });
    const tooLong = /TooLong|shorter than/i.test(`${error.code ?? ""} ${error.message}`);
    return json(tooLong ? 413 : 422, {
      error: tooLong ? "payload_too_large" : "invalid_request",
      message: tooLong
        ? "the trigger is too large for the work queue once serialised: send large text as a Zoho attachment reference"
        : "the work queue refused the trigger's content (characters or attributes it cannot carry)",
      issues: [],
    });
  }
  if (error instanceof AppError && error.retryable) {
    // A fault that can pass (a dependency unavailable, throttled, or waiting for a repair): its declared 429/503
    // with the wait it knows, else a short one.
    logger.warn("dependency unavailable while handling a request", { error });
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000));
    const limited = error.httpStatus === 429;
    return json(
      error.httpStatus,
      {
        error: limited ? "rate_limited" : "unavailable",
        message: limited ? error.message : "try again shortly",
      },
      { "retry-after": String(seconds) },
    );
  }
  if (error instanceof AppError && error.httpStatus < 500) {
    // A refusal that sending again cannot change (a record that does not exist, Zoho refusing the data): its 4xx.
    logger.warn("request refused", { error });
    return json(error.httpStatus, {
      error: ERROR_NAMES.get(error.httpStatus) ?? (error.httpStatus === 422 ? "unprocessable" : "refused"),
      message: error.message,
      issues: [],
    });
  }
  if (error instanceof AppError && error.httpStatus === 502) {
    // A write Zoho may have made: the sender checks before sending it again (not a 503 that invites a retry).
    logger.error("write outcome unknown", { error });
    return json(502, { error: "outcome_unknown", message: error.message, issues: [] });
  }
  logger.error(error instanceof AppError ? "request failed" : "unexpected error", { error });
  return json(500, { error: "internal_error", message: "internal error" });
}
