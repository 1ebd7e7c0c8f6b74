/**
 * The one error taxonomy. Adapters translate SDK and HTTP failures into these; each error says whether a later
 * attempt can succeed (`retryable`) and what an HTTP sender is told (`httpStatus`), and exactly two places act on
 * that: the HTTP error mapping (the answer) and the pipeline's decision (retry, wait or dead-letter).
 * test/unit/shared/errors-taxonomy.test.ts holds every error to one rule: retryable if and only if the status is
 * 429 or 503; otherwise a 4xx (the request is at fault) or a 500 (the deployment is: a person must fix it).
 *
 * Messages never contain secrets: they name fields, codes and statuses, never values.
 */
import { MAX_QUEUE_DELAY_MS } from "./domain/queue-limits.js";

export type ErrorKind =
  | "validation"
  | "config"
  | "webhook-auth"
  | "api-key"
  | "access-denied"
  | "outcome-unknown"
  | "upstream-rate-limit"
  | "upstream-unavailable"
  | "upstream-timeout"
  | "upstream-rejected"
  | "upstream-auth"
  | "upstream-scope"
  | "not-found"
  | "connection-broken"
  | "refresh-throttled"
  | "must-wait"
  | "llm-output";

export type Upstream =
  | "zoho-accounts"
  | "zoho-crm"
  | "zoho-desk"
  | "zoho-creator"
  | "zoho-books"
  | "openai"
  | "aws";

/**
 * What an HTTP sender is told. 4xx: the request is at fault and sending it again cannot help; 429 and 503 (with
 * Retry-After): a passing fault, send it again later; 500: the deployment is at fault (configuration, a missing
 * scope) and a person must fix it.
 */
export type HttpErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422 | 429 | 500 | 502 | 503;

export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;
  /** Whether a later attempt can succeed (SQS redelivery); false means dead-letter with the reason. */
  abstract readonly retryable: boolean;
  /** The HTTP answer to a sender when this error ends a request: 429 or 503 exactly when `retryable`. */
  abstract readonly httpStatus: HttpErrorStatus;
  /** How long to wait before the next attempt, when the upstream or our own guard knows. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * An inbound request or payload is unacceptable. `issues` name paths, never values. `httpStatus` refines the
 * answer where 400 is not the right one (404 unknown use case, 405, 413 too large, 415 content type, 422).
 */
export class ValidationError extends AppError {
  readonly kind = "validation";
  readonly retryable = false;
  readonly httpStatus: 400 | 404 | 405 | 413 | 415 | 422;
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
    options: { cause?: unknown; httpStatus?: 400 | 404 | 405 | 413 | 415 | 422 } = {},
  ) {
    super(message, options);
    this.httpStatus = options.httpStatus ?? 400;
  }
}

/** Configuration or a stored secret is malformed; names the field. */
export class ConfigError extends AppError {
  readonly kind = "config";
  readonly retryable = false;
  /** Not the sender's fault, and not passing: a person must fix the configuration. */
  readonly httpStatus = 500;
}

export class WebhookAuthError extends AppError {
  readonly kind = "webhook-auth";
  readonly retryable = false;
  readonly httpStatus = 401;
}

/**
 * An agent's API key (the tool endpoint's `Authorization: Bearer`) is missing, malformed, unknown or revoked. The
 * message says which, never echoing the key.
 */
export class ApiKeyError extends AppError {
  readonly kind = "api-key";
  readonly retryable = false;
  readonly httpStatus = 401;
}

/**
 * A valid key asked for what it may not do: a tool outside its scopes, a module it may not read or write, a field
 * outside its allow-list. Names the scope or field it lacks; nothing reached Zoho.
 */
export class AccessDeniedError extends AppError {
  readonly kind = "access-denied";
  readonly retryable = false;
  readonly httpStatus = 403;
}

/**
 * A write that is not idempotent (a note, a task, a private comment, a draft or sent reply) got a 5xx or no answer:
 * Zoho may have made it. Sending it again could make it twice (a customer e-mailed twice), so it is never retried
 * automatically: 502, not retryable; whoever asked checks the record first. (An update is idempotent and stays a
 * retryable fault.)
 */
export class WriteOutcomeUnknownError extends AppError {
  readonly kind = "outcome-unknown";
  readonly retryable = false;
  readonly httpStatus = 502;
}

/** Base of every failure reported by an upstream (Zoho, OpenAI, AWS). */
export abstract class UpstreamError extends AppError {
  constructor(
    readonly upstream: Upstream,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; status?: number } = {},
  ) {
    super(message, options);
    if (options.status !== undefined) this.status = options.status;
  }
  readonly status?: number;
}

/** 429 or a credit/concurrency limit; retry later (Zoho sends no Retry-After, OpenAI does). */
export class UpstreamRateLimitError extends UpstreamError {
  readonly kind = "upstream-rate-limit";
  readonly retryable = true;
  readonly httpStatus = 503;
}

/** 5xx or a refused connection. */
export class UpstreamUnavailableError extends UpstreamError {
  readonly kind = "upstream-unavailable";
  readonly retryable = true;
  readonly httpStatus = 503;
}

/** No answer in time. For writes the outcome is unknown; idempotency keys make the retry safe. */
export class UpstreamTimeoutError extends UpstreamError {
  readonly kind = "upstream-timeout";
  readonly retryable = true;
  readonly httpStatus = 503;
}

/** A 4xx the request itself caused (bad data, unknown id): retrying the same request cannot help. */
export class UpstreamRejectedError extends UpstreamError {
  readonly kind = "upstream-rejected";
  readonly retryable = false;
  /** The HTTP error mapping refines it to 413 when the queue refused a message as too long. */
  readonly httpStatus = 422;
  constructor(
    upstream: Upstream,
    message: string,
    /** Zoho's `code` (CRM) or `errorCode` (Desk), e.g. INVALID_DATA, MANDATORY_NOT_FOUND. */
    readonly code: string | undefined,
    /** Zoho's `details` / `errors`: field names and limits, never record values. */
    readonly details: unknown,
    options: { cause?: unknown; status?: number; field?: string } = {},
  ) {
    super(upstream, message, options);
    this.field = options.field;
  }
  /** The field Zoho named as refused (set by the adapter from Zoho's answer), when it named one. */
  readonly field: string | undefined;
}

/** The access token was refused even after one coordinated refresh. The message can wait for a fixed token. */
export class UpstreamAuthError extends UpstreamError {
  readonly kind = "upstream-auth";
  readonly retryable = true;
  readonly httpStatus = 503;
}

/** The token lacks a scope the call needs: a configuration problem; alarm, do not retry. */
export class UpstreamScopeError extends UpstreamError {
  readonly kind = "upstream-scope";
  readonly retryable = false;
  /** A person must re-authorise the connection with the scope: the deployment's fault, not the sender's. */
  readonly httpStatus = 500;
}

/** 404, or 204 where a record was expected. */
export class NotFoundError extends UpstreamError {
  readonly kind = "not-found";
  readonly retryable = false;
  readonly httpStatus = 404;
  constructor(
    upstream: Upstream,
    message: string,
    options: { cause?: unknown; status?: number; code?: string } = {},
  ) {
    super(upstream, message, options);
    this.code = options.code;
  }
  /**
   * What the upstream said is missing, when it said (Creator `3190` a record, `2894` a report; Books `1002`): lets
   * an adapter answer "no such record" as null while a misnamed report or app still fails loudly.
   */
  readonly code: string | undefined;
}

/**
 * The connection's refresh token was revoked or rejected: a person must run `auth` again. Events wait in the
 * queue (retryable, with a long delay) instead of failing, and nothing calls Zoho's token endpoint meanwhile.
 */
export class ConnectionBrokenError extends AppError {
  readonly kind = "connection-broken";
  readonly retryable = true;
  readonly httpStatus = 503;
  constructor(
    readonly connection: string,
    readonly reason: string,
    options: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(`Zoho connection "${connection}" is broken (${reason}); run the auth command to reconnect`, {
      retryAfterMs: MAX_QUEUE_DELAY_MS,
      ...options,
    });
  }
}

/** Our refresh guard, or Zoho's throttle, says no refresh until `retryAfterMs` has passed. */
export class RefreshThrottledError extends AppError {
  readonly kind = "refresh-throttled";
  readonly retryable = true;
  readonly httpStatus = 503;
}

/** A budget says not now: the day's tokens are spent, or Zoho's API credits are low. The work waits, it is not failed. */
export class WorkMustWaitError extends AppError {
  readonly kind = "must-wait";
  readonly retryable = true;
  /** A budget is the mediator's own rate limit: 429 with the budget's Retry-After. */
  readonly httpStatus = 429;
}

/**
 * A use case cannot run for a connection: a required target field is missing in the org, of the wrong type or
 * read-only. Its events wait (re-checked shortly, see WAIT_RECHECK_SECONDS) until the admin fixes the mapping;
 * nothing is written and nothing is dead-lettered meanwhile.
 */
export class MappingIncompleteError extends WorkMustWaitError {
  constructor(
    readonly useCase: string,
    readonly connection: string,
    /** The required targets that are not usable, for people: `icp_fit -> AI_ICP_Fit (missing)`. */
    readonly problems: string[],
    options: { retryAfterMs?: number } = {},
  ) {
    super(
      `${useCase} cannot run on connection "${connection}": required field ${problems.join(", ")}; run doctor for the fix`,
      options,
    );
  }
}

/** The model's output failed the schema or was a refusal. */
export class LlmOutputError extends AppError {
  readonly kind = "llm-output";
  readonly retryable = true;
  /** Another answer can pass: the model is not deterministic, and the pipeline retries with a repair hint. */
  readonly httpStatus = 503;
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
