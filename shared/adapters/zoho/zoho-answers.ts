/**
 * What a Zoho answer means, per product, before the client acts on it (zoho-http-client.ts turns each verdict into
 * a return, a retry or a typed error, following retry-policy.ts). CRM and Desk are here; Creator
 * (creator-answers.ts) and Books (books-answers.ts) put their meaning in a numeric body `code` as much as in the
 * HTTP status, so each has its own table.
 */
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import type { ZohoRequest } from "./zoho-http-types.js";

/** One Zoho answer, parsed (`body` is undefined when it was empty or not JSON). */
export interface ZohoAnswer {
  req: Pick<ZohoRequest, "service" | "method" | "path">;
  status: number;
  body: unknown;
  connection: ZohoConnection;
}

/** What the client does with an answer. `code` is Zoho's, as a string, when the body carried one. */
export type Verdict =
  /** The body is the answer: a success, or a per-record result the adapter reads (CRM 400 with `data[]`). */
  | { kind: "result" }
  /** The access token was refused as invalid or expired: refresh once and retry, then UpstreamAuthError. */
  | { kind: "refresh-token"; code: string | undefined }
  /** The token was refused for another reason: UpstreamAuthError, no refresh. */
  | { kind: "auth"; code: string | undefined }
  /** Configuration (a scope, a permission, an organization): UpstreamScopeError with this message. */
  | { kind: "scope"; message: string }
  /** A rate or concurrency limit: retried per the policy, then UpstreamRateLimitError. */
  | { kind: "rate-limit"; code: string | undefined }
  /**
   * The account's or organization's calls for the day are spent (Creator 4000, Books 45): no retry helps today, so
   * WorkMustWaitError: the event waits on the queue (deferred, not dead-lettered) until calls are available again.
   */
  | { kind: "daily-limit"; code: string | undefined }
  /** Zoho failed: reads retried per the policy, then UpstreamUnavailableError. */
  | { kind: "server"; code: string | undefined }
  /** NotFoundError carrying the code, so an adapter can tell a missing record from a misnamed container. */
  | { kind: "not-found"; code: string | undefined }
  /** The request itself was refused: UpstreamRejectedError with Zoho's code and details. */
  | { kind: "rejected"; code: string | undefined; details: unknown };

export const RESULT: Verdict = { kind: "result" };

/** The body as an object with the keys Zoho's error answers use (all optional: any of them may be missing). */
export function errorBody(body: unknown): {
  code?: unknown;
  errorCode?: unknown;
  message?: unknown;
  details?: unknown;
  errors?: unknown;
  error?: unknown;
  data?: unknown;
  fields?: unknown;
} {
  return body && typeof body === "object" && !Array.isArray(body) ? body : {};
}

/**
 * The details of a Creator or Books refusal: Zoho's `message` and Creator's `error` list or map, as the adapters read
 * them back into an ItemResult (`{ ok: false, message, field }`).
 */
export function refusalDetails(err: ReturnType<typeof errorBody>): { message?: string; error?: unknown } {
  return {
    ...(typeof err.message === "string" ? { message: err.message } : {}),
    ...(err.error !== undefined ? { error: err.error } : {}),
  };
}

/** A body code (number or string) as a string; undefined when absent. */
export const codeText = (code: unknown): string | undefined =>
  typeof code === "string" || typeof code === "number" ? String(code) : undefined;

/** A numeric body code (Creator, Books), also when sent as a digit string; undefined otherwise. */
export const numericCode = (code: unknown): number | undefined =>
  typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : undefined;

const SCOPE_CODES = new Set(["OAUTH_SCOPE_MISMATCH", "SCOPE_MISMATCH", "OAUTH_ORG_MISMATCH"]);

/** CRM and Desk: string codes (`code` / `errorCode`), meaning mostly in the HTTP status. */
export function classifyCrmDeskAnswer({ req, status, body }: ZohoAnswer): Verdict {
  if (status >= 200 && status < 300) return RESULT;
  const err = errorBody(body);
  const code = codeText(err.code ?? err.errorCode);
  // CRM record writes answer 400 with a per-record data[] when every record failed, and settings writes (Create
  // Custom Field) with a per-field fields[]: that is a result, not an error.
  if (req.service === "crm" && status === 400 && (Array.isArray(err.data) || Array.isArray(err.fields)))
    return RESULT;
  if (code !== undefined && SCOPE_CODES.has(code))
    return { kind: "scope", message: `Zoho refused ${req.method} ${req.path}: ${code}` };
  if (status === 401)
    return code === "INVALID_TOKEN" || code === "INVALID_OAUTH"
      ? { kind: "refresh-token", code }
      : { kind: "auth", code };
  if (status === 429) return { kind: "rate-limit", code };
  if (status >= 500) return { kind: "server", code };
  if (status === 404) return { kind: "not-found", code };
  return { kind: "rejected", code, details: err.details ?? err.errors };
}
