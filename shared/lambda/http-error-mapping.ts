/**
 * The one place errors become HTTP answers (the other mapping is the SQS record loop). Clients get a status and
 * a short JSON reason naming fields; internals and secrets never reach them.
 */
import { AppError, UpstreamError, ValidationError, WebhookAuthError } from "../errors.js";
import { type HttpResponse, json } from "../ingest/http.js";
import type { AppLogger } from "../observability/logger.js";

export function toHttpResponse(error: unknown, logger: AppLogger): HttpResponse {
  if (error instanceof ValidationError) {
    return json(error.httpStatus, {
      error:
        error.httpStatus === 404
          ? "not_found"
          : error.httpStatus === 405
            ? "method_not_allowed"
            : "invalid_request",
      message: error.message,
      issues: error.issues,
    });
  }
  if (error instanceof WebhookAuthError)
    return json(401, { error: "unauthorized", message: "missing or invalid credentials" });
  if (error instanceof UpstreamError && error.retryable) {
    logger.warn("dependency unavailable while accepting a trigger", { error });
    return json(503, { error: "unavailable", message: "try again shortly" }, { "retry-after": "5" });
  }
  logger.error(error instanceof AppError ? "request failed" : "unexpected error", { error });
  return json(500, { error: "internal_error", message: "internal error" });
}
