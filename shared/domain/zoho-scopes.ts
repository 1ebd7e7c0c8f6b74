/**
 * Zoho OAuth scopes: which ones the product's calls need, and whether a granted list covers them. Granted scopes
 * look like `ZohoCRM.modules.ALL`, `ZohoCRM.modules.leads.READ`, `Desk.tickets.UPDATE`; a grant on a prefix with
 * `ALL` covers everything below it, and `WRITE` covers CREATE, UPDATE and DELETE (Zoho's scope grammar).
 */

/** A need, met by any one of `anyOf`, and why the product has it (doctor prints it). */
export interface ScopeNeed {
  anyOf: string[];
  why: string;
}

/** True when one granted scope covers `wanted` (e.g. `ZohoCRM.settings.ALL` covers `ZohoCRM.settings.fields.READ`). */
export function scopeCovers(granted: readonly string[], wanted: string): boolean {
  const want = wanted.toLowerCase().split(".");
  const op = want.pop() ?? "";
  return granted.some((g) => {
    const parts = g.toLowerCase().split(".");
    const gOp = parts.pop() ?? "";
    if (parts.length > want.length || parts.some((p, i) => p !== want[i])) return false;
    if (parts.length < want.length && gOp !== "all") return false;
    return gOp === "all" || gOp === op || (gOp === "write" && ["create", "update", "delete"].includes(op));
  });
}

/** The needs no granted scope covers. */
export function missingScopes(granted: readonly string[], needs: readonly ScopeNeed[]): ScopeNeed[] {
  return needs.filter((n) => !n.anyOf.some((s) => scopeCovers(granted, s)));
}

/** What the CRM side needs: reading and updating leads, audit notes, field metadata, the module list. */
export const CRM_SCOPE_NEEDS: readonly ScopeNeed[] = [
  { anyOf: ["ZohoCRM.modules.leads.READ"], why: "read the lead being enriched" },
  { anyOf: ["ZohoCRM.modules.leads.UPDATE"], why: "write the enrichment back" },
  { anyOf: ["ZohoCRM.modules.notes.CREATE"], why: "audit and quarantine notes" },
  { anyOf: ["ZohoCRM.settings.fields.READ"], why: "live field metadata (types, picklist values)" },
  { anyOf: ["ZohoCRM.settings.modules.READ"], why: "the module list (connection check)" },
];

/** Notification API channels (subscribe, renew, unsubscribe). */
export const NOTIFICATION_SCOPE_NEEDS: readonly ScopeNeed[] = [
  {
    anyOf: ["ZohoCRM.notifications.ALL"],
    why: "subscribe and renew Notification API channels",
  },
];

/** What ticket triage needs in Desk. */
export const DESK_SCOPE_NEEDS: readonly ScopeNeed[] = [
  { anyOf: ["Desk.tickets.READ"], why: "read the ticket and its threads" },
  { anyOf: ["Desk.tickets.UPDATE"], why: "write triage fields, comments and drafts" },
  { anyOf: ["Desk.settings.READ"], why: "ticket field metadata and mail reply addresses" },
  { anyOf: ["Desk.basic.READ"], why: "the organization check" },
];

/** Only `fields create` needs it. */
export const FIELDS_CREATE_SCOPE_NEED: ScopeNeed = {
  anyOf: ["ZohoCRM.settings.fields.CREATE"],
  why: "`fields create` makes missing custom fields",
};

/** The scope list to generate a grant code with, for everything the product does. */
export const RECOMMENDED_SCOPES =
  "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.notifications.ALL,Desk.tickets.ALL,Desk.settings.READ,Desk.basic.READ";
