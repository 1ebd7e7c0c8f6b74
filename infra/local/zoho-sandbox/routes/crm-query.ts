/** CRM queries: COQL (`POST /coql`) and the Search API (`GET /{module}/search`); both are heavy calls. */
import type { CrmSurface } from "./crm.js";

export const queryRoutes: CrmSurface = ({ method, first, second, query, body, mod, state }) => {
  if (first === "coql" && method === "POST")
    return {
      required: ["ZohoCRM.coql.READ", "ZohoCRM.modules.ALL"],
      heavy: true,
      run: () => state.crm.coql(body),
    };
  if (first && second === "search" && method === "GET")
    return {
      required: [`ZohoCRM.modules.${mod(first)}.READ`],
      heavy: true,
      run: () => state.crm.search(first, query),
    };
  return undefined;
};
