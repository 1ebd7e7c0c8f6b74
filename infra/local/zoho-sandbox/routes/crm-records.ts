/**
 * CRM records (Leads, Contacts, Accounts, Deals, Notes, Tasks, ...): list, insert, update, upsert, get and update
 * by id (checklist items 10 and 14). Writes cost one credit per `recordsPerWriteCredit` records and count as heavy
 * above ten records. Registered last: `{module}/{id}` would otherwise shadow `Leads/search` and `settings/fields`.
 */
import type { Crm } from "../crm.js";
import { fieldList, fieldsParam, invalidModule, page, project } from "../crm-reads.js";
import { findModule } from "../metadata.js";
import type { Router } from "../router.js";
import { crmError, json, type Reply } from "../state.js";
import type { CrmCall, CrmRoute } from "./crm.js";

const MAX_IDS_CHARS = 1024;

/** `GET /crm/v8/{module}`: `fields` is required; `per_page` at most 200; 204 when nothing matches. */
function list(crm: Crm, moduleName: string, query: Record<string, string>): Reply {
  const module = findModule(crm.modules, moduleName);
  if (!module) return invalidModule();
  const fields = fieldsParam(module, query);
  if (!Array.isArray(fields)) return fields;
  let rows = [...crm.table(module.api_name).values()];
  if (query.ids) {
    // Zoho's v8 OAS (record.json, parameter `Ids`) caps `ids` at 1024 characters: 51 19-digit ids.
    if (query.ids.length > MAX_IDS_CHARS)
      return crmError(400, "INVALID_DATA", "invalid data", {
        param_name: "ids",
        maximum_length: MAX_IDS_CHARS,
      });
    const ids = new Set(query.ids.split(","));
    rows = rows.filter((r) => ids.has(r.id as string));
  }
  return page(rows, query, fields);
}

/** `GET /crm/v8/{module}/{id}`: `{data:[record]}` (an array of one), or 204 for an unknown id. */
function get(crm: Crm, moduleName: string, id: string, query: Record<string, string>): Reply {
  const module = findModule(crm.modules, moduleName);
  if (!module) return invalidModule();
  const record = crm.table(module.api_name).get(id);
  if (!record) return { status: 204 };
  return json(200, { data: [project(record, fieldList(query))] });
}

const write = (call: CrmCall) => ({ cost: call.writeCost, heavy: call.records > 10 });

/** Registers this surface's routes with the CRM router (routes/crm.ts), in the order they must be tried. */
export function registerRecordRoutes(router: Router<CrmRoute>): void {
  router
    .on("GET", ":module", ({ query, mod, state }, { module }) => ({
      required: [`ZohoCRM.modules.${mod(module as string)}.READ`],
      run: () => list(state.crm, module as string, query),
    }))
    .on("POST", ":module", (call, { module }) => ({
      required: [`ZohoCRM.modules.${call.mod(module as string)}.CREATE`],
      ...write(call),
      run: () => call.state.crm.write(module as string, "insert", call.body, call.userId),
    }))
    .on("PUT", ":module", (call, { module }) => ({
      required: [`ZohoCRM.modules.${call.mod(module as string)}.UPDATE`],
      ...write(call),
      run: () => call.state.crm.write(module as string, "update", call.body, call.userId),
    }))
    // Upsert may insert or update, so it needs both scopes.
    .on("POST", ":module/upsert", (call, { module }) => ({
      required: [`ZohoCRM.modules.${call.mod(module as string)}.CREATE`],
      alsoRequired: [`ZohoCRM.modules.${call.mod(module as string)}.UPDATE`],
      ...write(call),
      run: () => call.state.crm.write(module as string, "upsert", call.body, call.userId),
    }))
    .on("GET", ":module/:id", ({ query, mod, state }, { module, id }) => ({
      required: [`ZohoCRM.modules.${mod(module as string)}.READ`],
      run: () => get(state.crm, module as string, id as string, query),
    }))
    .on("PUT", ":module/:id", ({ body, userId, mod, state }, { module, id }) => ({
      required: [`ZohoCRM.modules.${mod(module as string)}.UPDATE`],
      run: () => state.crm.write(module as string, "update", body, userId, "api", id),
    }));
}
