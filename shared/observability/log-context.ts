/**
 * Log keys scoped to one unit of work: `withLogKeys({ correlation_id, job_id }, fn)` runs `fn` with the keys in an
 * AsyncLocalStorage, and every line an {@link AppLogger} writes inside it (the adapters' Zoho calls and the write
 * included) carries them. Scoped, not appended to the logger: a Lambda container shares one logger across the units of
 * a batch and across concurrent local invocations, so keys set on the logger would leak from one unit to the next.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Keys every line in the scope carries; snake_case like Powertools' own keys. */
export interface LogKeys {
  correlation_id?: string | string[];
  job_id?: string | string[];
}

const scope = new AsyncLocalStorage<LogKeys>();

/** Runs `fn` with `keys` added to the current scope's (inner keys win). */
export function withLogKeys<T>(keys: LogKeys, fn: () => T): T {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
  return scope.run({ ...scope.getStore(), ...defined }, fn);
}

/** The keys of the current scope (empty outside any). */
export const currentLogKeys = (): LogKeys => scope.getStore() ?? {};
