/** Desk webhooks: create (with Desk's GET check of the URL), list, get, delete. */
import { json } from "../state.js";
import type { DeskSurface } from "./desk.js";
import { DESK_NOT_FOUND } from "./gateway.js";

export const deskWebhookRoutes: DeskSurface = ({ resource, method, id, body, desk, need }) => {
  if (resource !== "webhooks") return undefined;
  if (!id && method === "POST")
    return need("Desk.settings.CREATE", "Desk.events.CREATE") ?? desk.createWebhook(body);
  if (!id && method === "GET")
    return need("Desk.settings.READ") ?? json(200, { data: [...desk.webhooks.values()] });
  if (id && method === "GET") {
    const hook = desk.webhooks.get(id);
    return need("Desk.settings.READ") ?? (hook ? json(200, hook) : DESK_NOT_FOUND());
  }
  if (id && method === "DELETE")
    return need("Desk.settings.DELETE") ?? (desk.webhooks.delete(id) ? { status: 204 } : DESK_NOT_FOUND());
  return undefined;
};
