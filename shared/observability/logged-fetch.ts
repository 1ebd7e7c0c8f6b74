/**
 * A `fetch` that logs each outbound call once it answers: method, host, path (never the query, headers or body:
 * those hold tokens, search criteria and customer text), status and duration. The Zoho clients take it, so each Zoho
 * call is a log line, and inside a unit's scope (log-context.ts) that line names the unit's correlation and job ids.
 */
import type { AppLogger } from "./logger.js";

/** `inner` defaults to the global `fetch`, looked up at each call (as a test's stub replaces it). */
export function loggedFetch(logger: AppLogger, what: string, inner?: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const call = { method, host: url.host, path: url.pathname };
    const started = performance.now();
    try {
      const res = await (inner ?? globalThis.fetch)(input, init);
      logger.info(`${what} call`, {
        ...call,
        status: res.status,
        ms: Math.round(performance.now() - started),
      });
      return res;
    } catch (error) {
      logger.warn(`${what} call failed`, { ...call, error, ms: Math.round(performance.now() - started) });
      throw error;
    }
  };
}
