/**
 * CRM metadata (fact sheet §2.10): `GET /settings/fields?module=` (also `/settings/fields/{id}`), the Create Custom
 * Field API `POST /settings/fields?module=` (custom-fields.ts), and `GET /settings/modules`. The fields served here
 * are exactly the ones record writes are validated against.
 */
import type { Crm } from "../crm.js";
import { createFields, moduleParam } from "../custom-fields.js";
import type { Router } from "../router.js";
import { json, type Reply } from "../state.js";
import type { CrmRoute } from "./crm.js";

/** `GET /crm/v8/settings/fields?module=`. */
function fields(crm: Crm, query: Record<string, string>): Reply {
  const named = moduleParam(crm, query);
  return "error" in named ? named.error : json(200, { fields: named.module.fields });
}

/** `GET /crm/v8/settings/modules`. */
function moduleList(crm: Crm): Reply {
  return json(200, {
    modules: [...crm.modules.values()].map((m) => ({
      api_name: m.api_name,
      module_name: m.api_name,
      singular_label: m.singular_label,
      plural_label: m.plural_label,
      id: m.id,
      api_supported: true,
    })),
  });
}

/** Registers this surface's routes with the CRM router (routes/crm.ts), in the order they must be tried. */
export function registerMetadataRoutes(router: Router<CrmRoute>): void {
  const readFields: CrmRoute = ({ query, state }) => ({
    required: ["ZohoCRM.settings.fields.READ"],
    run: () => fields(state.crm, query),
  });
  const readModules: CrmRoute = ({ state }) => ({
    required: ["ZohoCRM.settings.modules.READ"],
    run: () => moduleList(state.crm),
  });
  router
    .on("GET", "settings/fields", readFields)
    .on("GET", "settings/fields/:field", readFields)
    // Create Custom Field: ZohoCRM.settings.fields.CREATE, .ALL or ZohoCRM.settings.ALL (hasScope covers prefixes).
    .on("POST", "settings/fields", ({ query, body, state }) => ({
      required: ["ZohoCRM.settings.fields.CREATE"],
      run: () => createFields(state.crm, query, body),
    }))
    .on("GET", "settings/modules", readModules)
    .on("GET", "settings/modules/:module", readModules);
}
