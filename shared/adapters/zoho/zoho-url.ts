/**
 * Where a Zoho request goes: the service root per product, path segments re-encoded, and a URL that cannot leave
 * its service's origin and root (ZohoUrlRefusedError), with Books' `organization_id`. Apart from the HTTP client so
 * the client stays about answers, retries and concurrency.
 */
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import { UpstreamRejectedError, UpstreamScopeError } from "../../errors.js";
import type { ZohoRequest, ZohoService, ZohoUpstream } from "./zoho-http-types.js";

/**
 * A request whose URL would leave the service root it was built for (`/crm/`, `/creator/v2.1/` or `/books/v3/` on
 * the api domain, `/api/` on the Desk base), or whose path holds a dot segment or an unencodable segment. Never
 * sent; never retried: the same path is refused every time. Typically a caller-supplied module or id that was not
 * validated upstream.
 */
export class ZohoUrlRefusedError extends UpstreamRejectedError {
  constructor(upstream: ZohoUpstream, reason: string) {
    super(upstream, `refused to call Zoho: ${reason}`, "URL_OUTSIDE_SERVICE_ROOT", undefined);
  }
}

/** Path prefix every request of a service must stay under. */
const SERVICE_ROOTS: Readonly<Record<ZohoService, string>> = {
  crm: "/crm/",
  desk: "/api/",
  creator: "/creator/v2.1/",
  books: "/books/v3/",
};

export const UPSTREAMS: Readonly<Record<ZohoService, ZohoUpstream>> = {
  crm: "zoho-crm",
  desk: "zoho-desk",
  creator: "zoho-creator",
  books: "zoho-books",
};

/** The one Books call that takes no `organization_id`: it is how the organization ids are found. */
const BOOKS_ORGANIZATIONS_PATH = "/books/v3/organizations";

/**
 * Re-encodes every path segment: each is decoded then percent-encoded, so an unencoded space or `?` in a value
 * cannot change the URL's shape, and a `%2F` stays inside its segment. Dot segments (also percent-encoded ones),
 * backslashes and malformed escapes are refused.
 */
export function encodePath(path: string, upstream: ZohoUpstream): string {
  if (!path.startsWith("/")) throw new ZohoUrlRefusedError(upstream, "path must start with /");
  return path
    .split("/")
    .map((segment, i) => {
      if (i === 0) return "";
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw new ZohoUrlRefusedError(upstream, "path has a malformed percent escape");
      }
      if (decoded === "." || decoded === ".." || decoded.includes("\\"))
        throw new ZohoUrlRefusedError(upstream, "path has a dot segment or backslash");
      return encodeURIComponent(decoded);
    })
    .join("/");
}

/**
 * The final URL, every path segment encoded; refused (ZohoUrlRefusedError) unless it stays on the service's
 * origin and under its root, so no caller-chosen value can point the org's token elsewhere.
 */
export function zohoUrl(req: ZohoRequest, connection: ZohoConnection): string {
  const upstream = UPSTREAMS[req.service];
  if (req.service === "desk" && !connection.desk)
    throw new UpstreamScopeError(upstream, `connection "${connection.name}" has no Desk org configured`);
  const base = new URL(req.service === "desk" ? (connection.desk?.base ?? "") : connection.apiDomain);
  const basePath = base.pathname.replace(/\/+$/, "");
  const root = `${basePath}${SERVICE_ROOTS[req.service]}`;
  const url = new URL(`${base.origin}${basePath}${encodePath(req.path, upstream)}`);
  for (const [k, v] of Object.entries(req.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  if (url.origin !== base.origin || !url.pathname.startsWith(root))
    throw new ZohoUrlRefusedError(upstream, `${req.method} path leaves the ${req.service} service root`);
  // Books needs the organization on every call but the one that lists organizations; set last, so a caller's
  // query can never name another organization.
  if (req.service === "books" && !(req.method === "GET" && req.path === BOOKS_ORGANIZATIONS_PATH)) {
    if (!connection.books)
      throw new UpstreamScopeError(
        upstream,
        `connection "${connection.name}" has no Books organization configured`,
      );
    url.searchParams.set("organization_id", connection.books.organizationId);
  }
  return url.toString();
}
