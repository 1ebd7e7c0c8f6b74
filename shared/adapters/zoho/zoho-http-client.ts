/**
 * The one HTTP client for Zoho CRM, Desk, Creator and Books. It adds `Authorization: Zoho-oauthtoken`, the Desk
 * `orgId` (and source id) headers, Creator's `environment` and `record_cursor` headers, Books' `organization_id`
 * query parameter, explicit timeouts and a concurrency cap; translates every failure into a typed AppError (each
 * product's answers are classified in zoho-answers.ts, creator-answers.ts and books-answers.ts; retry-policy.ts
 * says which are retried here); surfaces `X-API-CREDITS-REMAINING` and Creator's `record_cursor`; treats 204 as
 * "no data"; and parses bodies losslessly so 19-digit ids stay exact strings.
 */

import type { ZohoConnection } from "../../domain/zoho-connection.js";
import {
  NotFoundError,
  UpstreamAuthError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamScopeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  WorkMustWaitError,
} from "../../errors.js";
import { parseJsonLossless } from "../../json/safe-json.js";
import { readBinary } from "./binary-body.js";
import { classifyBooksAnswer } from "./books-answers.js";
import { classifyCreatorAnswer } from "./creator-answers.js";
import { backoffMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";
import type { TokenProvider } from "./token-provider.js";
import { classifyCrmDeskAnswer, type Verdict, type ZohoAnswer } from "./zoho-answers.js";
import type { ZohoRequest, ZohoResponse } from "./zoho-http-types.js";
import { UPSTREAMS, zohoUrl } from "./zoho-url.js";

export type { ZohoBinary } from "./binary-body.js";
export type { ZohoRequest, ZohoResponse, ZohoService, ZohoUpstream } from "./zoho-http-types.js";
export { encodePath, ZohoUrlRefusedError } from "./zoho-url.js";

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

/** The verdict on one answer, by the product that gave it. */
function classify(answer: ZohoAnswer): Verdict {
  switch (answer.req.service) {
    case "creator":
      return classifyCreatorAnswer(answer);
    case "books":
      return classifyBooksAnswer(answer);
    default:
      return classifyCrmDeskAnswer(answer);
  }
}

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

  /**
   * The connection the calls go out with, for what an adapter must put in a path from it (the Creator owner a use
   * case leaves to the connection). Read with the current token, so it costs no call while the token lasts.
   */
  async connection(): Promise<ZohoConnection> {
    return (await this.options.tokens.get()).connection;
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
    const upstream = UPSTREAMS[req.service];
    const idempotent = req.idempotent ?? req.method === "GET";
    const what = `${req.method} ${req.path}`;
    let refreshed = false;
    let rateLimited = 0;
    let failed = 0;
    for (;;) {
      const { token, connection } = await this.options.tokens.get();
      const url = zohoUrl(req, connection);
      const headers = this.headers(req, token, connection);

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
        throw timedOut
          ? new UpstreamTimeoutError(upstream, `${what} got no answer within ${this.timeoutMs} ms`, {
              cause: error,
            })
          : new UpstreamUnavailableError(upstream, `${what} could not reach Zoho`, { cause: error });
      }

      this.options.onResponse?.(res.status);
      const meta = this.responseMeta(req, res);
      const withMeta = (r: ZohoResponse<T>): ZohoResponse<T> => ({ ...r, ...meta });
      if (req.binary && res.ok && res.status !== 204)
        return withMeta({ status: res.status, data: (await readBinary(res, req.binary.maxBytes)) as T });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? parseJsonLossless(text) : undefined;
      } catch {
        body = undefined;
      }

      const { status } = res;
      const verdict = classify({ req, status, body, connection });
      switch (verdict.kind) {
        case "result":
          return withMeta({ status, data: status === 204 ? undefined : (body as T) });
        case "refresh-token":
        case "auth":
          if (verdict.kind === "refresh-token" && !refreshed) {
            refreshed = true;
            await this.options.tokens.invalidate(token);
            continue;
          }
          throw new UpstreamAuthError(
            upstream,
            `Zoho refused the access token for ${what} (${verdict.code ?? status})`,
            { status },
          );
        case "scope":
          throw new UpstreamScopeError(upstream, verdict.message, { status });
        case "rate-limit":
          if (rateLimited < this.policy.rateLimitRetries) {
            await this.sleep(backoffMs(this.policy, rateLimited++));
            continue;
          }
          throw new UpstreamRateLimitError(
            upstream,
            `Zoho rate limit on ${what} (${verdict.code ?? status})`,
            {
              status,
              retryAfterMs: this.policy.rateLimitRetryAfterMs,
            },
          );
        case "daily-limit":
          throw new WorkMustWaitError(
            `Zoho's daily API limit is reached on ${what} (${verdict.code ?? status}): the event waits for calls to be available again`,
            { retryAfterMs: this.policy.dailyLimitWaitMs },
          );
        case "server":
          if (idempotent && failed < this.policy.serverErrorRetries) {
            await this.sleep(backoffMs(this.policy, failed++));
            continue;
          }
          throw new UpstreamUnavailableError(upstream, `Zoho answered ${status} to ${what}`, { status });
        case "not-found":
          throw new NotFoundError(upstream, `Zoho has no ${req.path} (${verdict.code ?? status})`, {
            status,
            ...(verdict.code !== undefined ? { code: verdict.code } : {}),
          });
        case "rejected":
          throw new UpstreamRejectedError(
            upstream,
            `Zoho rejected ${what}: ${verdict.code ?? status}`,
            verdict.code,
            verdict.details,
            { status },
          );
      }
    }
  }

  /** Auth and the per-product headers. Creator wants `accept: application/json` exactly (anything else is a 400). */
  private headers(req: ZohoRequest, token: string, connection: ZohoConnection): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Zoho-oauthtoken ${token}`,
      accept: "application/json",
    };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    if (req.service === "desk" && connection.desk) {
      headers.orgId = connection.desk.orgId;
      if (connection.desk.sourceId) headers.sourceId = connection.desk.sourceId;
    }
    if (req.service === "creator") {
      // Left out, Creator acts on production: a connection set to a development or stage environment must never
      // fall through to production because a caller left the app's environment unset.
      const environment = req.creator?.environment ?? connection.creator?.environment;
      if (environment) headers.environment = environment;
      if (req.creator?.recordCursor) headers.record_cursor = req.creator.recordCursor;
    }
    return headers;
  }

  /** What every answer tells beside its body: API credits (CRM), the next page's cursor (Creator). */
  private responseMeta(
    req: ZohoRequest,
    res: Response,
  ): Pick<ZohoResponse<unknown>, "creditsRemaining" | "recordCursor"> {
    const meta: Pick<ZohoResponse<unknown>, "creditsRemaining" | "recordCursor"> = {};
    const credits = res.headers.get("x-api-credits-remaining");
    if (credits !== null && /^\d+$/.test(credits)) {
      meta.creditsRemaining = Number(credits);
      this.creditsRemaining = meta.creditsRemaining;
      this.options.onCredits?.(meta.creditsRemaining);
    }
    const cursor = req.service === "creator" ? res.headers.get("record_cursor") : null;
    if (cursor) meta.recordCursor = cursor;
    return meta;
  }
}
