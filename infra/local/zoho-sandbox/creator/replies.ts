/**
 * Creator's answers: `{code, message}` with Creator's numeric codes (notes §1.4), the success envelope (code 3000),
 * and record IDs written as JSON numbers when `creatorNumericIds` is on (checklist item 30).
 */
import { json, type Reply } from "../state.js";

/** A Creator error or status answer: `{code, message, ...extra}`. */
export const creatorError = (
  status: number,
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
): Reply => json(status, { code, message, ...extra });

export const INVALID_URL = () => creatorError(404, 1000, "Invalid API URL format.");
export const NOT_AUTHORIZED = () =>
  creatorError(401, 1030, "Authorization Failure. The access token is either invalid or has expired.");
/** Official: HTTP 401, code 1060, for a parameter Creator cannot use (the sandbox's answer for any bad one). */
export const INVALID_PARAM = (name: string) =>
  creatorError(401, 1060, `Invalid request parameter found - ${name}`);
export const MISSING_BODY = () =>
  creatorError(400, 3020, "API request's body is either missing or incomplete.");
export const METHOD_NOT_ALLOWED = (method: string) =>
  creatorError(405, 1020, `${method} is not a valid method for this request.`);
export const NO_RECORDS = (status: number) =>
  creatorError(status, 3100, "No records found for the given criteria.");
export const NO_RECORD = (status: number, id: string) =>
  creatorError(status, 3190, `No record with ID ${id} found.`);
export const DAILY_LIMIT = () =>
  creatorError(
    200,
    4000,
    "Account's Developer API limit has been reached. Please upgrade to execute more REST API calls.",
  );
/** Per-minute and concurrency limits: 429 with no Retry-After (Creator documents none). */
export const MINUTE_LIMIT = () =>
  creatorError(
    429,
    2955,
    "You have reached your API call limit for a minute. Please try again after sometime.",
  );

/** Tells a reply from the other things a step may return (a list of fields, a parsed body, an app). */
export const isReply = (v: unknown): v is Reply =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "status" in v;

/** The JSON text of a reply body with every `"ID":"<digits>"` written as a bare number (lossy for doubles). */
export function numericIds(body: unknown): string {
  return JSON.stringify(body).replace(/"ID":"(\d+)"/g, '"ID":$1');
}
