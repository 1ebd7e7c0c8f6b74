/**
 * What a failed tool call tells the agent: the taxonomy's declared `httpStatus` decides the status, the code and
 * whether to call again (only a passing fault, 429 or 503, is retryable, with the seconds to wait). Messages of
 * the taxonomy name fields, scopes and codes, never values or secrets; anything outside the taxonomy (a bug) and a
 * 500 (the deployment's fault) get a generic message, the details go to the log.
 */
import {
  type AppError,
  isAppError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  ValidationError,
} from "../errors.js";
import type { ToolErrorInfo } from "./definition.js";

const CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_arguments",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "invalid_arguments",
  413: "rejected",
  415: "rejected",
  422: "rejected",
  429: "rate_limited",
  502: "outcome_unknown",
  503: "unavailable",
};

/** How long to wait when the fault did not say: Zoho sends no Retry-After on its 429 (its limits are per minute). */
const DEFAULT_RETRY_SECONDS = { rateLimit: 60, unavailable: 30 } as const;

/** Zoho's item code and field of a refused write, when the adapter or the write path named them. */
function rejectedDetail(error: UpstreamRejectedError): string {
  const parts = [
    error.code && !error.message.includes(error.code) ? `code ${error.code}` : "",
    error.field && !error.message.includes(error.field) ? `field ${error.field}` : "",
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function retryAfterSeconds(error: AppError): number {
  if (error.retryAfterMs !== undefined && error.retryAfterMs > 0)
    return Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  return error instanceof UpstreamRateLimitError
    ? DEFAULT_RETRY_SECONDS.rateLimit
    : DEFAULT_RETRY_SECONDS.unavailable;
}

/** The generic answer of a 500: the call id lets an operator find the logged details. */
export const INTERNAL_MESSAGE =
  "the mediator failed on its side (not your arguments); an operator must look at its logs for this call id";

/** Maps any thrown value to the agent's answer. Never throws. */
export function toToolError(error: unknown): ToolErrorInfo {
  // A 502 is a write Zoho may have made (WriteOutcomeUnknownError): its message says to check before asking again.
  if (!isAppError(error) || error.httpStatus === 500)
    return { status: 500, code: "internal_error", message: INTERNAL_MESSAGE, retryable: false };
  const status = error.httpStatus;
  const code = CODE_BY_STATUS[status] ?? "invalid_arguments";
  const info: ToolErrorInfo = { status, code, message: error.message, retryable: error.retryable };
  if (error instanceof UpstreamRejectedError) info.message += rejectedDetail(error);
  if (error instanceof UpstreamRateLimitError)
    info.message = `Zoho's API limit was reached (${error.message}); call again after the retry-after seconds`;
  if (error.retryable) info.retryAfterSeconds = retryAfterSeconds(error);
  if (error instanceof ValidationError && error.issues.length)
    info.issues = error.issues.slice(0, 20).map((i) => ({ path: i.path, message: i.message }));
  return info;
}

/** How the call log counts it: refused (a 4xx: scope, arguments, rate, budget) or error (a 5xx fault). */
export const outcomeOf = (info: ToolErrorInfo): "refused" | "error" =>
  info.status >= 500 ? "error" : "refused";
