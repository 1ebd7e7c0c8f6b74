/**
 * The per-invocation bound on Zoho calls (`ZOHO_CONCURRENCY`): every call a batch's units make through their Zoho
 * ports waits for a slot of one limiter, so invocations x ZOHO_CONCURRENCY stays within the org's concurrency limit
 * however many units a batch holds. Applied under `batchedReads`, so a coalesced read takes one slot.
 */
import type { LimitFunction } from "p-limit";
import type { ZohoPorts } from "../ports/zoho.js";

/** Methods that answer at once from what the client already knows: no Zoho call, so no slot. */
const SYNC_METHODS: ReadonlySet<PropertyKey> = new Set(["creditsRemaining"]);

/**
 * The port with each of its methods run through `limit`. A generic wrapper (a Proxy) rather than one per method, so
 * a method added to a port is bounded too; the adapters' methods call Zoho directly, never each other through the
 * wrapper, so a slot is never held while waiting for another.
 */
function limitedPort<T extends object>(port: T, limit: LimitFunction): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || SYNC_METHODS.has(name)) return value;
      let fn = wrapped.get(name);
      if (!fn) {
        fn = (...args: unknown[]) => limit(() => value.apply(target, args));
        wrapped.set(name, fn);
      }
      return fn;
    },
  });
}

/** A connection's ports with every Zoho call bounded by `limit` (shared by all of an invocation's connections). */
export const limitedZoho = (ports: ZohoPorts, limit: LimitFunction): ZohoPorts => ({
  crm: limitedPort(ports.crm, limit),
  desk: limitedPort(ports.desk, limit),
  creator: limitedPort(ports.creator, limit),
  books: limitedPort(ports.books, limit),
});

/** Zoho calls of one invocation at once unless `ZOHO_CONCURRENCY` says otherwise (the worker's setting's default). */
export const DEFAULT_ZOHO_CONCURRENCY = 2;
