/** CRM metadata: `GET /settings/fields`, Create Custom Field `POST /settings/fields`, `GET /settings/modules`. */
import type { CrmSurface } from "./crm.js";

export const metadataRoutes: CrmSurface = ({ method, first, second, third, query, body, state }) => {
  if (first !== "settings") return undefined;
  if (second === "fields" && method === "GET")
    return { required: ["ZohoCRM.settings.fields.READ"], run: () => state.crm.fields(query) };
  if (second === "fields" && !third && method === "POST")
    // Create Custom Field: ZohoCRM.settings.fields.CREATE, .ALL or ZohoCRM.settings.ALL (hasScope covers prefixes).
    return { required: ["ZohoCRM.settings.fields.CREATE"], run: () => state.crm.createFields(query, body) };
  if (second === "modules" && method === "GET")
    return { required: ["ZohoCRM.settings.modules.READ"], run: () => state.crm.moduleList() };
  return undefined;
};
