/** CRM automation: the Notifications API (`/actions/watch`, checklist item 18), one scope per operation. */
import type { Router } from "../router.js";
import { crmError } from "../state.js";
import type { CrmRoute } from "./crm.js";

const OPS: Record<string, string> = {
  GET: "READ",
  DELETE: "DELETE",
  POST: "CREATE",
  PUT: "UPDATE",
  PATCH: "UPDATE",
};

/** Registers this surface's routes with the CRM router (routes/crm.ts), in the order they must be tried. */
export function registerAutomationRoutes(router: Router<CrmRoute>): void {
  router.on("*", "actions/watch", ({ method, query, body, state }) => {
    const op = OPS[method];
    if (!op)
      return {
        reply: crmError(405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"),
      };
    const watch = state.automation.notifications;
    return {
      required: [`ZohoCRM.notifications.${op}`],
      run: () => {
        if (method === "GET") return watch.list(query);
        if (method === "DELETE") return watch.unwatch((query.channel_ids ?? "").split(","));
        if (method === "POST") return watch.watch(body);
        return watch.update(body, method === "PUT" ? "replace" : "patch");
      },
    };
  });
}
