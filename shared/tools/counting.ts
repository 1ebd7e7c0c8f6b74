/**
 * A connection's Zoho ports that count the API calls a tool makes: the call log's `zohoCalls`, so an operator sees
 * what each agent call cost in Zoho credits. A call counts when it is made, whether Zoho answered or failed.
 */

import type { ZohoPorts } from "../ports/zoho.js";
import type { ZohoBooks } from "../ports/zoho-books.js";
import type { ZohoCreator } from "../ports/zoho-creator.js";
import type { ZohoCrm } from "../ports/zoho-crm.js";
import type { ZohoDesk } from "../ports/zoho-desk.js";

/** Port methods that read local state, not Zoho. */
const LOCAL = new Set<PropertyKey>(["creditsRemaining"]);

export interface CountingPorts {
  zoho: ZohoPorts;
  /** Zoho API calls made through `zoho` so far. */
  calls(): number;
}

function counting<T extends object>(port: T, count: () => void): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || LOCAL.has(prop)) return value;
      return (...args: unknown[]) => {
        count();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Wraps every port of `zoho`; the wrapped methods behave exactly as the originals. */
export function countingPorts(zoho: ZohoPorts): CountingPorts {
  let n = 0;
  const count = () => {
    n += 1;
  };
  return {
    zoho: {
      crm: counting<ZohoCrm>(zoho.crm, count),
      desk: counting<ZohoDesk>(zoho.desk, count),
      creator: counting<ZohoCreator>(zoho.creator, count),
      books: counting<ZohoBooks>(zoho.books, count),
    },
    calls: () => n,
  };
}
