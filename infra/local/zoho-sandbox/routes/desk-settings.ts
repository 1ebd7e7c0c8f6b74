/**
 * Desk metadata and org settings: the organizations the token reaches (`GET /organizations`, the one call made
 * before an orgId is known, so routes/desk.ts answers it before its orgId check), ticket field metadata
 * (`GET /organizationFields?module=tickets`), the org's mail reply addresses (`GET /mailReplyAddress`), agents and
 * departments (`GET /departments`).
 */
import type { Desk } from "../desk.js";
import { invalid } from "../desk-fields.js";
import type { Router } from "../router.js";
import { json, type Reply } from "../state.js";
import type { DeskRoute } from "./desk.js";

/** `GET /api/v1/organizations`: the org this token belongs to, as the default one. */
export function organizations(desk: Desk): Reply {
  return json(200, {
    data: [
      {
        id: desk.orgId,
        companyName: desk.seed.deskOrg.companyName,
        portalName: desk.seed.deskOrg.portalName,
        isDefault: true,
      },
    ],
  });
}

/** `GET /api/v1/mailReplyAddress` ("List MailReplyAddresses"): `departmentId`, `isActive`, `from`, `limit`. */
function listMailReplyAddresses(desk: Desk, query: Record<string, string>): Reply {
  if (desk.ctx.options.deskMailReplyAddressRequiresDepartment && !query.departmentId)
    return invalid([{ fieldName: "/departmentId", errorType: "missing" }]);
  if (query.departmentId !== undefined && !desk.departments.some((d) => d.id === query.departmentId))
    return invalid([{ fieldName: "/departmentId", errorType: "invalid" }]);
  if (query.isActive !== undefined && query.isActive !== "true" && query.isActive !== "false")
    return invalid([{ fieldName: "/isActive", errorType: "invalid" }]);
  const from = Number(query.from ?? 0);
  const limit = Number(query.limit ?? 50);
  if (!Number.isInteger(from) || from < 0) return invalid([{ fieldName: "/from", errorType: "invalid" }]);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return invalid([{ fieldName: "/limit", errorType: "invalid" }]);
  const data = desk.mailReplyAddresses
    .filter((a) => query.departmentId === undefined || a.departmentId === query.departmentId)
    .filter((a) => query.isActive === undefined || String(a.isActive) === query.isActive)
    .slice(from, from + limit);
  // Desk's OAS answers an empty list with 204 (a setting: the sandbox answers `{data: []}` by default).
  if (data.length === 0 && desk.ctx.options.deskEmptyListNoContent) return { status: 204 };
  return json(200, { data });
}

/** `GET /api/v1/organizationFields?module=tickets`: the ticket fields, standard and custom, in Zoho's shape. */
function ticketFields(desk: Desk, module: string | undefined): Reply {
  if (module !== "tickets")
    return invalid([{ fieldName: "/module", errorType: module ? "invalid" : "missing" }]);
  return json(200, { data: desk.ticketFields });
}

/** Registers this surface's routes with the Desk router (routes/desk.ts). */
export function registerDeskSettingsRoutes(router: Router<DeskRoute>): void {
  router
    .on(
      "GET",
      "organizationFields",
      ({ desk, need, query }) => need("Desk.settings.READ") ?? ticketFields(desk, query.module),
    )
    .on("GET", "mailReplyAddress", ({ desk, scope, scopeError, query }) =>
      scope("Desk.settings.READ") || scope("Desk.basic.READ")
        ? listMailReplyAddresses(desk, query)
        : scopeError(),
    )
    .on("GET", "agents", ({ desk, need }) => need("Desk.basic.READ") ?? json(200, { data: desk.agents }))
    // The org's departments; the first is the default one (where a new ticket goes when none is named).
    .on(
      "GET",
      "departments",
      ({ desk, need }) =>
        need("Desk.basic.READ") ??
        json(200, {
          data: desk.departments.map((d, i) => ({ ...d, isEnabled: true, isDefault: i === 0 })),
        }),
    );
}
