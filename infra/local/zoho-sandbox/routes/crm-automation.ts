/** CRM automation: the Notifications API (`/actions/watch`), one scope per operation. */
import { crmError } from "../state.js";
import type { CrmSurface } from "./crm.js";

const OPS: Record<string, string> = {
  GET: "READ",
  DELETE: "DELETE",
  POST: "CREATE",
  PUT: "UPDATE",
  PATCH: "UPDATE",
};

export const automationRoutes: CrmSurface = ({ method, first, second, third, query, body, state }) => {
  if (first !== "actions" || second !== "watch" || third) return undefined;
  const op = OPS[method];
  if (!op)
    return {
      reply: crmError(405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"),
    };
  return {
    required: [`ZohoCRM.notifications.${op}`],
    run: () => {
      if (method === "GET") return state.automation.listWatch(query);
      if (method === "DELETE") return state.automation.unwatch((query.channel_ids ?? "").split(","));
      if (method === "POST") return state.automation.watch(body);
      return state.automation.updateWatch(body, method === "PUT" ? "replace" : "patch");
    },
  };
};
