/**
 * Books' answers: every body is `{code, message, ...}` with code 0 for success (notes §2.4, checklist items 16-19,
 * 28). Codes the notes only saw in secondary sources are settings (config.ts); the ones below are fixed.
 */
import { json, type Reply } from "../state.js";
import { BOOKS_MODULES, type BooksModule } from "./types.js";

export const booksError = (status: number, code: number, message: string): Reply =>
  json(status, { code, message });

/** Success envelope: `{code: 0, message, ...rest}`. */
export const booksOk = (message: string, rest: Record<string, unknown> = {}, status = 200): Reply =>
  json(status, { code: 0, message, ...rest });

/**
 * An unknown URL. The notes give HTTP 404 "URL Not Found" but no body code; 5 "Invalid URL Passed" is what Zoho's
 * finance APIs are commonly reported to answer (the sandbox's choice).
 */
export const invalidUrl = (): Reply => booksError(404, 5, "Invalid URL Passed");

/** A known path with another method (HTTP 405, notes §2.4; the body code is the sandbox's choice). */
export const methodNotAllowed = (): Reply => booksError(405, 5, "Method Not Allowed");

/** `{code: 1000, message: "Internal error"}` with HTTP 500 (the official example). */
export const internalError = (): Reply => booksError(500, 1000, "Internal error");

const LABEL: Record<BooksModule, string> = {
  contacts: "Contact",
  invoices: "Invoice",
  estimates: "Estimate",
  salesorders: "Sales Order",
};

export const entityLabel = (module: BooksModule): string => LABEL[module];

/** HTTP 404 code 1002 in the entity's words (`Invoice does not exist.`, the official example). */
export const notFound = (module: BooksModule): Reply =>
  booksError(404, 1002, `${LABEL[module]} does not exist.`);

export const commentNotFound = (): Reply => booksError(404, 1002, "Comment does not exist.");

/** The id key of a module's entity (`invoice_id`). */
export const idKey = (module: BooksModule): string => `${BOOKS_MODULES[module]}_id`;

/** The 429 bodies (UNCONFIRMED codes and wording, notes §2.8); never a `Retry-After` header. */
export const LIMIT_MESSAGES = {
  44: "For security reasons your organization has been blocked as it have exceeded the maximum number of requests per minute that can originate from an organization.",
  45: (limit: number) =>
    `The API call for this organization has exceeded the maximum call rate limit of ${limit}.`,
  1070: "You have reached the maximum number of in process requests allowed. Kindly try again after some time.",
} as const;

export const limitReply = (code: 44 | 45 | 1070, dailyLimit: number): Reply =>
  booksError(429, code, code === 45 ? LIMIT_MESSAGES[45](dailyLimit) : LIMIT_MESSAGES[code]);
