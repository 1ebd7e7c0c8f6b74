/**
 * Batched Zoho reads for one invocation (issue 14): the ports a batch's units load through. The units' `load`
 * stages run concurrently, so their `crm.getRecord` calls arrive together; here they are coalesced (DataLoader)
 * into one `crm.getRecords(module, ids, fields)` per module per up to 100 ids: Zoho's list call
 * `GET /crm/v8/{module}?ids=` reads up to 100 records for one API call (and one credit) where a `GET
 * /{module}/{id}` each would cost one call and one credit per record. Everything else passes through.
 *
 * Desk cannot read several tickets in one call (its OAS has no ids= list of tickets with their threads), so
 * nothing of Desk is coalesced: ticket triage itself keeps its own reads few (see its `load`).
 *
 * The pipeline builds these once per invocation per connection: nothing is cached across invocations (a loader
 * per module lives only as long as the returned ports, and `cache: false` makes even two reads of the same id in
 * one invocation two loads, coalesced into the same call when they land together).
 */
import DataLoader from "dataloader";
import { NotFoundError } from "../errors.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { CrmRecord, ZohoCrm } from "../ports/zoho-crm.js";

/** Zoho's list call reads at most 100 ids per call (the adapter's `getRecords` chunks by the same number). */
export const MAX_IDS_PER_READ = 100;

/** One waiting `getRecord`: its id and the fields its caller needs (undefined: all of the record, as a GET by id). */
interface RecordKey {
  id: string;
  fields: readonly string[] | undefined;
}

/**
 * The fields the coalesced call asks for: the union of what its callers need, or undefined (the adapter then reads
 * every field of the module, as `GET /{module}/{id}` answers) when any caller named none.
 */
function unionOf(keys: readonly RecordKey[]): string[] | undefined {
  const union = new Set<string>();
  for (const key of keys) {
    if (!key.fields) return undefined;
    for (const f of key.fields) union.add(f);
  }
  return [...union];
}

function recordLoader(crm: ZohoCrm, module: string) {
  return new DataLoader<RecordKey, CrmRecord | null>(
    async (keys) => {
      const ids = [...new Set(keys.map((k) => k.id))];
      const fields = unionOf(keys);
      // One record with all its fields: a GET by id is one call, where the list call must name every field (in
      // groups of 50 field names, after a metadata read) and would cost more calls than it saves.
      const [only] = ids;
      if (ids.length === 1 && fields === undefined && only !== undefined) {
        const record = await crm.getRecord(module, only);
        return keys.map(() => (record ? { ...record } : null));
      }
      let records: CrmRecord[];
      try {
        records = await crm.getRecords(module, ids, fields);
      } catch (error) {
        // A not-found answer to the list call must not turn the other ids' records into "does not exist": each is
        // then read alone (getRecord answers null for its own missing id, exactly as before batching).
        if (error instanceof NotFoundError && ids.length > 1)
          return Promise.all(keys.map((k) => crm.getRecord(module, k.id, k.fields)));
        if (error instanceof NotFoundError) return keys.map(() => null);
        // Any other failure of the one call is every waiter's: DataLoader rejects each load with it.
        throw error;
      }
      const byId = new Map(records.map((r) => [r.id, r]));
      // An id Zoho did not answer (deleted, never existed) is null, as getRecord answers it: not an error.
      return keys.map((k) => {
        const record = byId.get(k.id);
        return record ? { ...record } : null;
      });
    },
    {
      cache: false,
      maxBatchSize: MAX_IDS_PER_READ,
      // After every promise job and nextTick of the current turn: the units' loads that became ready together
      // (their binding and metadata come from the same cache) land in one batch.
      batchScheduleFn: (callback) => setImmediate(callback),
    },
  );
}

/** The ports with `crm.getRecord` coalesced per module; every other call goes straight to `ports`. */
export function batchedReads(ports: ZohoPorts): ZohoPorts {
  const loaders = new Map<string, ReturnType<typeof recordLoader>>();
  const loaderOf = (module: string) => {
    let loader = loaders.get(module);
    if (!loader) {
      loader = recordLoader(ports.crm, module);
      loaders.set(module, loader);
    }
    return loader;
  };
  const getRecord = (module: string, id: string, fields?: readonly string[]) =>
    loaderOf(module).load({ id, fields: fields?.length ? fields : undefined });
  // Every other method runs on the adapter itself (bound to it, so its own state stays its own).
  const crm = new Proxy(ports.crm, {
    get(target, prop) {
      if (prop === "getRecord") return getRecord;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...ports, crm };
}
