/**
 * Notes and Tasks as related lists (checklist item 15): `GET /{module}/{id}/Notes` and `/{module}/{id}/Tasks`, a
 * record's notes (by `Parent_Id`) and tasks (by `What_Id`, or `Who_Id` for a contact), oldest first unless
 * `sort_order` says otherwise. They
 * are written as records of Notes and Tasks (`POST /Notes`, `POST /Tasks`: routes/crm-records.ts, crm-activities.ts).
 */
import type { Crm } from "../crm.js";
import { fieldList, invalidModule, page } from "../crm-reads.js";
import { findModule } from "../metadata.js";
import type { Router } from "../router.js";
import { crmError, type Reply } from "../state.js";
import type { CrmRoute } from "./crm.js";

function related(
  crm: Crm,
  moduleName: string,
  id: string,
  relatedName: string,
  query: Record<string, string>,
): Reply {
  const module = findModule(crm.modules, moduleName);
  if (!module) return invalidModule();
  if (!crm.table(module.api_name).has(id))
    return crmError(400, "INVALID_DATA", "the id given seems to be invalid", { id });
  const rel = findModule(crm.modules, relatedName);
  if (!rel || !["Notes", "Tasks"].includes(rel.api_name))
    return crmError(400, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one");
  // A task belongs to the record it is related to (What_Id) and to its contact (Who_Id).
  const keys = rel.api_name === "Notes" ? ["Parent_Id"] : ["What_Id", "Who_Id"];
  const rows = [...crm.table(rel.api_name).values()].filter((r) =>
    keys.some((key) => (r[key] as { id?: string } | undefined)?.id === id),
  );
  return page(rows, { ...query, sort_order: query.sort_order ?? "asc" }, fieldList(query));
}

/** Registers this surface's routes with the CRM router (routes/crm.ts), in the order they must be tried. */
export function registerRelatedRoutes(router: Router<CrmRoute>): void {
  router.on("GET", ":module/:id/:related", ({ query, mod, state }, { module, id, related: rel }) => ({
    required: [`ZohoCRM.modules.${mod(module as string)}.READ`],
    run: () => related(state.crm, module as string, id as string, rel as string, query),
  }));
}
