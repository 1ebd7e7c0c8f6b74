/**
 * doctor's Creator and Books checks, for the products the deployment's use cases write to: the connection names a
 * Creator owner and a Books organization, the token reaches them (the Books organization is one of the token user's,
 * each Creator use case's form is readable under the owner), and the scopes cover them. A product whose access fails
 * is reported once with its fix, and its use cases' mapping checks are left out (they would only repeat it).
 */
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import type { ZohoField } from "../../domain/zoho-field.js";
import type { BooksEntity, ZohoProduct } from "../../domain/zoho-products.js";
import { missingScopes, type ScopeNeed } from "../../domain/zoho-scopes.js";
import { NotFoundError, UpstreamScopeError } from "../../errors.js";
import { CLI, messageOf } from "./fixes.js";
import type { CheckContext, DoctorZoho } from "./types.js";

export const CREATOR_SCOPE_NEEDS: readonly ScopeNeed[] = [
  { anyOf: ["ZohoCreator.report.READ"], why: "read the record being triaged" },
  { anyOf: ["ZohoCreator.report.UPDATE"], why: "write the results back (skip_workflow)" },
  { anyOf: ["ZohoCreator.meta.form.READ"], why: "live field metadata (types, dropdown choices, lengths)" },
  { anyOf: ["ZohoCreator.form.CREATE"], why: "the audit record in the audit form" },
];

/** What a Books use case on `entity` needs (contacts have no comments: no CREATE). */
export const booksScopeNeeds = (entity: string): ScopeNeed[] => [
  { anyOf: ["ZohoBooks.settings.READ"], why: "organizations and custom field metadata" },
  { anyOf: [`ZohoBooks.${entity}.READ`], why: `read the ${entity} record` },
  { anyOf: [`ZohoBooks.${entity}.UPDATE`], why: "write its custom fields" },
  ...(entity === "contacts"
    ? []
    : [{ anyOf: [`ZohoBooks.${entity}.CREATE`], why: "the audit comment (a comment is created)" }]),
];

/**
 * The mapping check's field reads of Creator forms and Books entities, each product's access checked (and reported)
 * on its first read. `usable(check)` says whether a mapping check's product and form were reachable: a mapping check
 * of an unreachable one is left out of the report (its access check already says what to fix).
 */
export function productReaders(ctx: CheckContext, conn: ZohoConnection, zoho: DoctorZoho) {
  const creator = new Map<string, Promise<ZohoField[] | undefined>>();
  let books: Promise<boolean> | undefined;
  let creatorOwnerReported = false;
  let creatorScopesChecked = false;
  const booksScopesChecked = new Set<string>();
  const reachable = new Map<string, boolean>();
  return {
    creatorFields(module: string): Promise<ZohoField[]> {
      let read = creator.get(module);
      if (!read) {
        read = (async () => {
          if (!conn.creator?.owner) {
            if (!creatorOwnerReported) noCreatorOwner(ctx, conn, module);
            creatorOwnerReported = true;
            return undefined;
          }
          if (!creatorScopesChecked) scopeCheck(ctx, conn, "creator", CREATOR_SCOPE_NEEDS);
          creatorScopesChecked = true;
          return creatorForm(ctx, conn, zoho, module);
        })();
        creator.set(module, read);
      }
      return read.then((fields) => {
        reachable.set(`creator|${module}`, fields !== undefined);
        return fields ?? [];
      });
    },
    async booksFields(entity: string): Promise<ZohoField[]> {
      books ??= checkBooks(ctx, conn, zoho);
      const ok = await books;
      if (ok && !booksScopesChecked.has(entity))
        scopeCheck(ctx, conn, `books:${entity}`, booksScopeNeeds(entity));
      booksScopesChecked.add(entity);
      reachable.set(`books|${entity}`, ok);
      return ok ? zoho.books.fields(entity as BooksEntity) : [];
    },
    usable: (check: { service: ZohoProduct; module: string }): boolean =>
      reachable.get(`${check.service}|${check.module}`) ?? true,
  };
}

function scopeCheck(ctx: CheckContext, conn: ZohoConnection, id: string, needs: readonly ScopeNeed[]) {
  // A refresh answer may omit the scopes: then the live calls are the check.
  if (conn.scopes.length === 0) return;
  const missing = missingScopes(conn.scopes, needs);
  if (missing.length === 0) return;
  ctx.add({
    id: `scopes:${id}`,
    title: `${id} scopes`,
    status: "fail",
    detail: `missing ${missing.map((m) => `${m.anyOf[0]} (${m.why})`).join("; ")}`,
    fix: ctx.scopeFix(
      missing.map((m) => m.anyOf[0] as string),
      conn.clientId,
    ),
  });
}

function noCreatorOwner(ctx: CheckContext, conn: ZohoConnection, module: string): void {
  ctx.add({
    id: "creator",
    title: "Creator owner",
    status: "fail",
    detail: `a use case writes to Creator (${module}), but the connection names no Creator account owner`,
    fix: `run ${CLI} auth${ctx.flags} --connection ${conn.name} --client-id ${conn.clientId} --code <grant code> --creator-owner <the owner in your app's URL: creatorapp.zoho.com/<owner>/<app>>`,
  });
}

/** One Creator use case's form, read under the connection's owner: its fields, or undefined (reported). */
async function creatorForm(
  ctx: CheckContext,
  conn: ZohoConnection,
  zoho: DoctorZoho,
  module: string,
): Promise<ZohoField[] | undefined> {
  const owner = conn.creator?.owner ?? "";
  const [app = "", form = ""] = module.split("/");
  try {
    const fields = await zoho.creator.fields({ app }, form);
    ctx.add({
      id: `creator:${module}`,
      title: `Creator ${app}`,
      status: "ok",
      detail: `form ${form} of ${owner}/${app}${conn.creator?.environment ? ` (${conn.creator.environment})` : ""}: ${fields.length} fields`,
    });
    return fields;
  } catch (error) {
    ctx.add({
      id: `creator:${module}`,
      title: `Creator ${app}`,
      status: "fail",
      detail: messageOf(error, `the form ${form} of ${owner}/${app} could not be read`),
      fix:
        error instanceof UpstreamScopeError
          ? `${ctx.scopeFix(
              CREATOR_SCOPE_NEEDS.map((n) => n.anyOf[0] as string),
              conn.clientId,
            )}; and in Creator, allow API access for the integration user's permission set`
          : error instanceof NotFoundError
            ? `check the app (${app}) and form (${form}) link names in the use-case definition and the connection's owner (${owner}; ${CLI} auth --creator-owner)`
            : "run doctor again; if it persists, check the connection checks above",
    });
    return undefined;
  }
}

async function checkBooks(ctx: CheckContext, conn: ZohoConnection, zoho: DoctorZoho): Promise<boolean> {
  const organizationId = conn.books?.organizationId;
  const auth = `${CLI} auth${ctx.flags} --connection ${conn.name} --client-id ${conn.clientId} --code <grant code>`;
  if (!organizationId) {
    ctx.add({
      id: "books",
      title: "Books organization",
      status: "fail",
      detail: "a use case writes to Books, but the connection names no Books organization",
      fix: `run ${auth} --books-org-id <organization_id from Books: Settings > Organization Profile>`,
    });
    return false;
  }
  try {
    const orgs = await zoho.books.organizations();
    const found = orgs.some((o) => o.id === organizationId);
    const list = orgs.map((o) => `${o.id} (${o.name})`).join(", ") || "none";
    ctx.add({
      id: "books",
      title: "Books organization",
      status: found ? "ok" : "fail",
      detail: found
        ? `organization ${organizationId}`
        : `organization ${organizationId} is not one of this token's organizations (${list})`,
      ...(found
        ? {}
        : { fix: `run ${auth} --books-org-id <one of: ${orgs.map((o) => o.id).join(", ") || "none"}>` }),
    });
    return found;
  } catch (error) {
    ctx.add({
      id: "books",
      title: "Books organization",
      status: "fail",
      detail: messageOf(error, "Books did not answer"),
      fix:
        error instanceof UpstreamScopeError
          ? ctx.scopeFix(["ZohoBooks.settings.READ"], conn.clientId)
          : "check the connection's DC (Books must be in the same DC as the token); run doctor again",
    });
    return false;
  }
}
