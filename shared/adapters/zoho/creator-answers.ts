/**
 * What a Zoho Creator v2.1 answer means. Creator answers `{code: <number>, message}` and puts its meaning in the
 * code at least as much as in the HTTP status: the daily limit comes back as HTTP 200 (code 4000), and a missing
 * record may come back with any status (code 3190). So the code is read first. Sources: the Creator v2 and v2.1
 * status-code pages and Zoho's Creator OAS, summarised in the project's Creator/Books notes (section 1).
 *
 * | code                                  | HTTP     | verdict                                                      |
 * |---------------------------------------|----------|--------------------------------------------------------------|
 * | 4000 (daily Developer API limit)      | 200 (!)  | rate-limit                                                   |
 * | 2955 (per-minute limit), any code     | 429      | rate-limit                                                   |
 * | 1030 (token invalid or expired)       | 401      | refresh-token: refresh once and retry, then auth             |
 * | 2945 (invalid OAuth scope)            | 401      | scope                                                        |
 * | 1130 (API access off for the user's permission set) | any | scope, saying what the admin must switch on        |
 * | 1060, 2933, 2896-2899, 1080 (permission denied, app disabled) | 403 | scope                                     |
 * | 3190 (no record with the ID), 3100 (no records match), 1040 (owner), 2892 (app), 2893 (form), 2894 (report) | any, 404 | not-found with the code |
 * | anything else                         | 2xx      | result: 3000 success, or a record-level refusal (8011, 8012, 3002, ...) the adapter reads |
 * | 1000 / 1060 (missing or invalid parameter) | 401 | rejected (our request, not the token)                       |
 * | no code                               | 401      | auth                                                         |
 * | any                                   | 5xx      | server                                                       |
 * | any                                   | other 4xx | rejected, with Creator's `message` and `error` as details   |
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

/** Creator's success code. */
export const CREATOR_OK = 3000;

/** Codes that say the thing asked for is not there (the adapter tells a record, 3190/3100, from the rest). */
export const CREATOR_NOT_FOUND_CODES: ReadonlySet<number> = new Set([3190, 3100, 1040, 2892, 2893, 2894]);

const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([2955]);
/** The daily Developer API limit, answered as HTTP 200. */
const DAILY_LIMIT_CODE = 4000;

export function classifyCreatorAnswer({ req, status, body }: ZohoAnswer): Verdict {
  const err = errorBody(body);
  const code = numericCode(err.code);
  const text = codeText(err.code);
  const what = `Zoho Creator refused ${req.method} ${req.path} (code ${text ?? status})`;

  if (code === DAILY_LIMIT_CODE) return { kind: "daily-limit", code: text };
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code)))
    return { kind: "rate-limit", code: text };
  if (code === 1030) return { kind: "refresh-token", code: text };
  if (code === 2945)
    return {
      kind: "scope",
      message: `${what}: the token lacks the Creator scope this call needs (ZohoCreator.report.READ, .report.UPDATE, .form.CREATE, .meta.form.READ); re-run auth with it`,
    };
  if (code === 1130)
    return {
      kind: "scope",
      message: `${what}: API access is turned off for the token user's permission set in this Creator app; an app admin must enable "API access" for it`,
    };
  if (status === 403)
    return {
      kind: "scope",
      message: `${what}: the token user has no permission for this in the Creator app (or the app is disabled)`,
    };
  if (status === 404 || (code !== undefined && CREATOR_NOT_FOUND_CODES.has(code)))
    return { kind: "not-found", code: text };
  if (status >= 200 && status < 300) return RESULT;
  if (status === 401 && text === undefined) return { kind: "auth", code: text };
  if (status >= 500) return { kind: "server", code: text };
  return { kind: "rejected", code: text, details: refusalDetails(err) };
}
