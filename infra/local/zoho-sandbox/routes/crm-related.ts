/** CRM related lists: `GET /{module}/{id}/{related}`, e.g. a lead's Notes or Tasks (written as records of Notes/Tasks). */
import type { CrmSurface } from "./crm.js";

export const relatedRoutes: CrmSurface = ({ method, first, second, third, query, mod, state }) => {
  if (!first || !second || !third || method !== "GET") return undefined;
  return {
    required: [`ZohoCRM.modules.${mod(first)}.READ`],
    run: () => state.crm.related(first, second, third, query),
  };
};
