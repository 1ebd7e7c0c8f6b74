/**
 * CRM records (Leads, Contacts, Accounts, Deals, Notes, Tasks, ...): list, insert, update, upsert, get and update
 * by id. Writes cost one credit per `recordsPerWriteCredit` records and count as heavy above ten records.
 */
import type { CrmSurface } from "./crm.js";

export const recordRoutes: CrmSurface = (call) => {
  const { method, first, second, third, query, body, userId, mod, state } = call;
  if (!first) return undefined;
  const write = { cost: call.writeCost, heavy: call.records > 10 };
  if (!second && (method === "GET" || method === "POST" || method === "PUT")) {
    const kind = method === "GET" ? "READ" : method === "POST" ? "CREATE" : "UPDATE";
    return {
      required: [`ZohoCRM.modules.${mod(first)}.${kind}`],
      ...(method !== "GET" ? write : {}),
      run: () =>
        method === "GET"
          ? state.crm.list(first, query)
          : state.crm.write(first, method === "POST" ? "insert" : "update", body, userId),
    };
  }
  if (second === "upsert" && method === "POST")
    return {
      required: [`ZohoCRM.modules.${mod(first)}.CREATE`],
      ...write,
      run: () => state.crm.write(first, "upsert", body, userId),
    };
  if (second && !third && (method === "GET" || method === "PUT"))
    return {
      required: [`ZohoCRM.modules.${mod(first)}.${method === "GET" ? "READ" : "UPDATE"}`],
      run: () =>
        method === "GET"
          ? state.crm.get(first, second, query)
          : state.crm.write(first, "update", body, userId, "api", second),
    };
  return undefined;
};
