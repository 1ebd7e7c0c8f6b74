/**
 * Books' call limits per organization (checklist item 28): calls per day (the plan's, counted per calendar day in
 * the org's zone), calls per minute and calls in progress, each answered HTTP 429 with its own code (45, 44, 1070)
 * and never a `Retry-After`. The numbers are settings; a test can also force any of the three with a fault
 * (`{target: "books", kind: 429, code}`).
 */
import type { SandboxOptions } from "../config.js";
import type { Reply } from "../state.js";
import { limitReply } from "./errors.js";
import { addDays, booksDate } from "./render.js";
import type { Books } from "./store.js";
import type { BooksOrg } from "./types.js";

export interface Admission {
  reply?: Reply;
  release?: () => void;
  headers: Record<string, string>;
}

/** Counts a call against the org's limits, or answers the limit it hits. */
export function admitBooksCall(books: Books, org: BooksOrg, options: SandboxOptions): Admission {
  const now = books.now();
  const id = org.organization_id;
  const day = booksDate(now, org.utc_offset_minutes);
  const usage = books.usage[id] ?? { day, count: 0, recent: [] };
  books.usage[id] = usage;
  if (usage.day !== day) Object.assign(usage, { day, count: 0 });
  usage.recent = usage.recent.filter((t) => t > now - 60_000);
  if (usage.count >= options.booksDailyLimit)
    return { reply: limitReply(45, options.booksDailyLimit), headers: {} };
  if (usage.recent.length >= options.booksPerMinuteLimit)
    return { reply: limitReply(44, options.booksDailyLimit), headers: {} };
  if (books.inflight(id) >= options.booksConcurrencyLimit)
    return { reply: limitReply(1070, options.booksDailyLimit), headers: {} };
  usage.count += 1;
  usage.recent.push(now);
  books.enter(id);
  const headers: Record<string, string> = {};
  if (options.booksRateLimitHeaders) {
    const midnight = Date.parse(`${addDays(day, 1)}T00:00:00Z`) - org.utc_offset_minutes * 60_000;
    headers["X-Rate-Limit-Limit"] = String(options.booksDailyLimit);
    headers["X-Rate-Limit-Remaining"] = String(options.booksDailyLimit - usage.count);
    headers["X-Rate-Limit-Reset"] = String(Math.ceil((midnight - now) / 1000));
  }
  return { headers, release: () => books.leave(id) };
}
