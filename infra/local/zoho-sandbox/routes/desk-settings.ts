/** Desk org settings: ticket field metadata (`organizationFields`), mail reply addresses, agents. */
import { json } from "../state.js";
import type { DeskSurface } from "./desk.js";

export const deskSettingsRoutes: DeskSurface = ({
  resource,
  method,
  id,
  query,
  desk,
  need,
  scope,
  scopeError,
}) => {
  if (method !== "GET") return undefined;
  if (resource === "organizationFields") return need("Desk.settings.READ") ?? desk.fields(query.module);
  if (resource === "mailReplyAddress" && !id)
    return scope("Desk.settings.READ") || scope("Desk.basic.READ")
      ? desk.listMailReplyAddresses(query)
      : scopeError();
  if (resource === "agents") return need("Desk.basic.READ") ?? json(200, { data: desk.agents });
  return undefined;
};
