/**
 * The one HTTP client for Zoho CRM and Desk. It adds `Authorization: Zoho-oauthtoken`, the Desk `orgId` (and
 * source id) headers, explicit timeouts and a concurrency cap; translates every failure into a typed AppError
 * (retry-policy.ts says which are retried here); surfaces `X-API-CREDITS-REMAINING`; treats 204 as "no data";
 * and parses bodies losslessly so 19-digit ids stay exact strings.
 */
import {
  NotFoundError,
  UpstreamAuthError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamScopeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../errors.js";
import { parseJsonLossless } from "../../json/safe-json.js";
import { readBinary } from "./binary-body.js";
import { backoffMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";
import type { TokenProvider } from "./token-provider.js";
import type { ZohoRequest, ZohoResponse, ZohoService } from "./zoho-http-types.js";

export type { ZohoBinary } from "./binary-body.js";
export type { ZohoRequest, ZohoResponse, ZohoService } from "./zoho-http-types.js";

export interface ZohoHttpClientOptions {
  tokens: TokenProvider;
  fetch?: typeof fetch;
  /** Per-request timeout. @default 10_000 */
  timeoutMs?: number;
  /** In-flight calls allowed from this process (Zoho's concurrency limit is per client id). @default 5 */
  maxConcurrent?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  /** Called with every credits reading, so callers can slow down as credits run low. */
  onCredits?: (remaining: number) => void;
  /** Called with the status of every answer Zoho gives (each retry too): the calls and 429s the dashboard counts. */
  onResponse?: (status: number) => void;
}

/**
 * A request whose URL would leave the service root it was built for (`/crm/` on the CRM api domain, `/api/` on
 * the Desk base), or whose path holds a dot segment or an unencodable segment. Never sent; never retried: the
 * same path is refused every time. Typically a caller-supplied module or id that was not validated upstream.
 */
export class ZohoUrlRefusedError extends UpstreamRejectedError {
  constructor(upstream: "zoho-crm" | "zoho-desk", reason: string) {
    super(upstream, `refused to call Zoho: ${reason}`, "URL_OUTSIDE_SERVICE_ROOT", undefined);
  }
}

/** Path prefix every request of a service must stay under. */
const SERVICE_ROOTS = new Map<ZohoService, string>([
  ["crm", "/crm/"],
  ["desk", "/api/"],
]);

/**
 * Re-encodes every path segment: each is decoded then percent-encoded, so an unencoded space or `?` in a value
 * cannot change the URL's shape, and a `%2F` stays inside its segment. Dot segments (also percent-encoded ones),
 * backslashes and malformed escapes are refused.
 */
export function encodePath(path: string, upstream: "zoho-crm" | "zoho-desk"): string {
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

type ErrorBody = {
  code?: string;
  errorCode?: string;
  message?: string;
  details?: unknown;
  errors?: unknown;
  data?: unknown;
  fields?: unknown;
};

const upstreamOf = (service: ZohoService) =>
  (service === "crm" ? "zoho-crm" : "zoho-desk") as "zoho-crm" | "zoho-desk";

export class ZohoHttpClient {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxConcurrent: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** The last credits reading seen, if any. */
  creditsRemaining: number | undefined;

  constructor(private readonly options: ZohoHttpClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.maxConcurrent = options.maxConcurrent ?? 5;
  }

  async request<T = unknown>(req: ZohoRequest): Promise<ZohoResponse<T>> {
    await this.acquire();
    try {
      return await this.attempt<T>(req);
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  private async attempt<T>(req: ZohoRequest): Promise<ZohoResponse<T>> {
    const upstream = upstreamOf(req.service);
    const idempotent = req.idempotent ?? req.method === "GET";
    let refreshed = false;
    let rateLimited = 0;
    let failed = 0;
    for (;;) {
      const { token, connection } = await this.options.tokens.get();
      if (req.service === "desk" && !connection.desk)
        throw new UpstreamScopeError(upstream, `connection "${connection.name}" has no Desk org configured`);
      const url = this.url(req, connection.apiDomain, connection.desk?.base);
      const headers: Record<string, string> = {
        authorization: `Zoho-oauthtoken ${token}`,
        accept: "application/json",
      };
      if (req.body !== undefined) headers["content-type"] = "application/json";
      if (req.service === "desk" && connection.desk) {
        headers.orgId = connection.desk.orgId;
        if (connection.desk.sourceId) headers.sourceId = connection.desk.sourceId;
      }

      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method: req.method,
          headers,
          ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === "TimeoutError";
        if (idempotent && failed < this.policy.serverErrorRetries) {
          await this.sleep(backoffMs(this.policy, failed++));
          continue;
        }
        const what = `${req.method} ${req.path}`;
        throw timedOut
          ? new UpstreamTimeoutError(upstream, `${what} got no answer within ${this.timeoutMs} ms`, {
              cause: error,
            })
          : new UpstreamUnavailableError(upstream, `${what} could not reach Zoho`, { cause: error });
      }

      this.options.onResponse?.(res.status);
      const credits = res.headers.get("x-api-credits-remaining");
      const creditsRemaining = credits !== null && /^\d+$/.test(credits) ? Number(credits) : undefined;
      if (creditsRemaining !== undefined) {
        this.creditsRemaining = creditsRemaining;
        this.options.onCredits?.(creditsRemaining);
      }
      const withCredits = (r: ZohoResponse<T>): ZohoResponse<T> =>
        creditsRemaining !== undefined ? { ...r, creditsRemaining } : r;
      if (req.binary && res.ok && res.status !== 204)
        return withCredits({ status: res.status, data: (await readBinary(res, req.binary.maxBytes)) as T });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? parseJsonLossless(text) : undefined;
      } catch {
        body = undefined;
      }

      if (res.status === 204) return withCredits({ status: 204, data: undefined });
      if (res.ok) return withCredits({ status: res.status, data: body as T });

      const err = (body && typeof body === "object" ? body : {}) as ErrorBody;
      const code = err.code ?? err.errorCode;
      // CRM record writes answer 400 with a per-record data[] when every record failed, and settings writes (Create
      // Custom Field) with a per-field fields[]: that is a result, not an error.
      if (
        req.service === "crm" &&
        res.status === 400 &&
        (Array.isArray(err.data) || Array.isArray(err.fields))
      )
        return withCredits({ status: 400, data: body as T });

      if (code === "OAUTH_SCOPE_MISMATCH" || code === "SCOPE_MISMATCH" || code === "OAUTH_ORG_MISMATCH") {
        throw new UpstreamScopeError(upstream, `Zoho refused ${req.method} ${req.path}: ${code}`, {
          status: res.status,
        });
      }
      if (res.status === 401) {
        if ((code === "INVALID_TOKEN" || code === "INVALID_OAUTH") && !refreshed) {
          refreshed = true;
          await this.options.tokens.invalidate(token);
          continue;
        }
        throw new UpstreamAuthError(
          upstream,
          `Zoho refused the access token for ${req.method} ${req.path} (${code ?? res.status})`,
          { status: 401 },
        );
      }
      if (res.status === 429) {
        if (rateLimited < this.policy.rateLimitRetries) {
          await this.sleep(backoffMs(this.policy, rateLimited++));
          continue;
        }
        throw new UpstreamRateLimitError(
          upstream,
          `Zoho rate limit on ${req.method} ${req.path} (${code ?? "429"})`,
          { status: 429, retryAfterMs: this.policy.rateLimitRetryAfterMs },
        );
      }
      if (res.status >= 500) {
        if (idempotent && failed < this.policy.serverErrorRetries) {
          await this.sleep(backoffMs(this.policy, failed++));
          continue;
        }
        throw new UpstreamUnavailableError(
          upstream,
          `Zoho answered ${res.status} to ${req.method} ${req.path}`,
          { status: res.status },
        );
      }
      if (res.status === 404)
        throw new NotFoundError(upstream, `Zoho has no ${req.path} (${code ?? 404})`, { status: 404 });
      throw new UpstreamRejectedError(
        upstream,
        `Zoho rejected ${req.method} ${req.path}: ${code ?? res.status}`,
        code,
        err.details ?? err.errors,
        { status: res.status },
      );
    }
  }

  /**
   * The final URL, every path segment encoded; refused (ZohoUrlRefusedError) unless it stays on the service's
   * origin and under its root, so no caller-chosen value can point the org's token elsewhere.
   */
  private url(req: ZohoRequest, apiDomain: string, deskBase: string | undefined): string {
    const upstream = upstreamOf(req.service);
    const base = new URL(req.service === "crm" ? apiDomain : (deskBase ?? ""));
    const basePath = base.pathname.replace(/\/+$/, "");
    const root = `${basePath}${SERVICE_ROOTS.get(req.service) ?? "/"}`;
    const url = new URL(`${base.origin}${basePath}${encodePath(req.path, upstream)}`);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    if (url.origin !== base.origin || !url.pathname.startsWith(root))
      throw new ZohoUrlRefusedError(upstream, `${req.method} path leaves the ${req.service} service root`);
    return url.toString();
  }
}
