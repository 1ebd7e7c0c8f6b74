/**
 * What a Zoho Books v3 answer means. Books answers `{code: <number>, message}` (code 0 is success) with meaningful
 * HTTP statuses; the code refines them. Sources: the Books v3 errors page and OAS, and the error bodies collected in
 * the project's Creator/Books notes (section 2; the limit codes 44/45/1070, 57 and 6041 are UNCONFIRMED there).
 *
 * | code                                           | HTTP | verdict                                               |
 * |------------------------------------------------|------|-------------------------------------------------------|
 * | 44 (per minute), 45 (per day), 1070 (concurrency), any code | 429 | rate-limit (Books sends no Retry-After)      |
 * | 6041 (user not in the organization), or "Invalid value passed for organization_id" (code 2, 14, ...) | 400 | scope: the connection's organization id is wrong |
 * | 57 (not authorized) or any                     | 401  | auth (no refresh: 57 also means a missing scope, and a refresh per event would spend the 10-per-10-minutes refresh budget) |
 * | 1002 (entity does not exist), any code         | 404  | not-found with the code                               |
 * | anything                                       | 2xx  | result                                                |
 * | any                                            | 5xx  | server                                                |
 * | any                                            | other 4xx | rejected (the adapter turns a refused value into `{ok: false}`) |
 *
 * Why a wrong organization is UpstreamScopeError and not ConfigError: Books says so about a live call (an upstream
 * answer, carrying its status), it is the same kind of fault as a connection without a Books organization (which
 * the client also raises as UpstreamScopeError, like a connection without a Desk org), and both kinds are
 * non-retryable with a 500 for the deployment; `upstream-scope` is the kind the alarms watch for "fix the
 * connection".
 */
import {
  codeText,
  errorBody,
  numericCode,
  RESULT,
  refusalDetails,
  type Verdict,
  type ZohoAnswer,
} from "./zoho-answers.js";

/** Books' success code. */
export const BOOKS_OK = 0;

const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([44, 1070]);
/** The organization's daily call limit (by plan). */
const DAILY_LIMIT_CODE = 45;

export function classifyBooksAnswer({ req, status, body, connection }: ZohoAnswer): Verdict {
  const err = errorBody(body);
  const code = numericCode(err.code);
  const text = codeText(err.code);
  const message = typeof err.message === "string" ? err.message : "";

  if (code === DAILY_LIMIT_CODE) return { kind: "daily-limit", code: text };
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code)))
    return { kind: "rate-limit", code: text };
  if (code === 6041 || (status === 400 && /organization_id/i.test(message)))
    return {
      kind: "scope",
      message: `Zoho Books refused ${req.method} ${req.path} for organization ${connection.books?.organizationId ?? "(none)"} (code ${text ?? status}): set connection "${connection.name}"'s books.organizationId to an organization its token's user belongs to (GET /books/v3/organizations lists them)`,
    };
  // Code 57 answers a refused token and a missing scope or role alike, and the token provider refreshes ahead of
  // expiry: retrying cannot help, and refreshing on every failing event would spend Zoho's 10 refreshes per 10 min.
  if (status === 401)
    return {
      kind: "scope",
      message: `Zoho Books refused ${req.method} ${req.path} (code ${text ?? status}): the token lacks the ZohoBooks scope this call needs, or the user's Books role does not allow it; re-run auth with the scope (doctor lists them)`,
    };
  if (status === 404 || code === 1002) return { kind: "not-found", code: text };
  if (status >= 200 && status < 300) return RESULT;
  if (status >= 500) return { kind: "server", code: text };
  return { kind: "rejected", code: text, details: refusalDetails(err) };
}
