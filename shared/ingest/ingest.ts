/**
 * Trigger ingestion: authenticate, validate, split into units of work, enqueue, answer. Never calls Zoho or the
 * model, so it answers in milliseconds, long before Zoho's 5-10 second webhook deadline.
 *
 * Routes come from the catalog of use cases (`hookRoutes` in shared/use-cases/derive.ts, the same list the CDK
 * endpoint routes):
 *   POST /v1/hooks/crm/<use case>       CRM workflow webhooks (JSON or form-data), one unit per call (routes/crm-workflow.ts)
 *   POST /v1/hooks/crm/notifications    CRM Notification API callbacks, one unit per record id (routes/crm-notification.ts)
 *   GET  /v1/hooks/desk                 Desk's URL check when a webhook is registered
 *   POST /v1/hooks/desk                 Desk webhooks: a JSON array of events, one unit per ticket (routes/desk.ts)
 *   POST /v1/hooks/flow/<use case>      Zoho Flow, n8n, Deluge invokeUrl, custom code (routes/flow.ts)
 *
 * Order of checks, each for a reason: route and method (no secret needed to say "not found": the routes are the
 * catalog's, public like the API Gateway routes); authentication before anything that depends on caller-chosen
 * names (an unauthenticated caller learns nothing about connections); the body's bounds and schema; rate limits;
 * the serialised message's size and content; only then the queue.
 */
import { jobIdFor } from "../domain/dedup-key.js";
import type { LoopGuardConfig } from "../domain/loop-guard.js";
import { ValidationError, WorkMustWaitError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { Clock } from "../ports/clock.js";
import type { Metrics } from "../ports/metrics.js";
import type { Queue } from "../ports/queue.js";
import type { WorkMessage } from "../schemas/work-message.js";
import { USE_CASE_CATALOG } from "../use-cases/catalog.js";
import { HOOKS_PREFIX } from "../use-cases/derive.js";
import type { UseCaseDescriptor } from "../use-cases/descriptor.js";
import { authenticate, deskToken, requestedConnection } from "./authenticate.js";
import { type HttpRequest, type HttpResponse, json, parseBody } from "./http.js";
import { MAX_BODY_BYTES } from "./inputs.js";
import { checkSerialised } from "./queue-message-check.js";
import {
  DEFAULT_INGEST_LIMITS,
  type IngestLimits,
  type LimitKey,
  type SharedCounter,
  sharedWindowSeconds,
  TokenBucketLimiter,
} from "./rate-limit.js";
import { ingestRoutes } from "./routes/table.js";
import { checkToken, type WebhookSecrets } from "./webhook-auth.js";

export interface IngestDeps {
  queue: Queue;
  /** The webhook secrets, cached by the caller (a TTL'd secret read). */
  webhookSecrets: () => Promise<WebhookSecrets>;
  /** Connection names this stage serves; `?connection=` or `X-Mediator-Connection` picks one. */
  connections: string[];
  loopGuard: LoopGuardConfig;
  clock: Clock;
  logger: AppLogger;
  /** Per-caller and per-record rate limits (in-container token buckets). @default DEFAULT_INGEST_LIMITS */
  limits?: IngestLimits;
  /**
   * Counts a record's repeated triggers across containers (see ingest/rate-limit.ts). Without it the per-record
   * limit is per container. @default none
   */
  sharedCounter?: SharedCounter;
  /** The use cases served: their triggers are the routes. @default USE_CASE_CATALOG */
  catalog?: readonly UseCaseDescriptor[];
  /**
   * Counts `WebhookAccepted {useCase}` per queued unit (here) and `WebhookRejected {reason}` per refused request (in
   * the handler, shared/lambda/ingest.ts), for the dashboard and the 401 alarm. @default none
   */
  metrics?: Metrics;
}

const HOOKS = `${HOOKS_PREFIX}/`;

const notFound = () => new ValidationError("not found", [], { httpStatus: 404 });

export function makeIngest(deps: IngestDeps) {
  const routes = ingestRoutes(deps.catalog ?? USE_CASE_CATALOG);
  const limits = deps.limits ?? DEFAULT_INGEST_LIMITS;
  const limiter = new TokenBucketLimiter(limits, () => deps.clock.now());

  /**
   * Counts the records this container has seen before within their window in the shared store; refuses when any
   * is over its limit across all containers. Fails open when the store cannot be reached.
   */
  async function takeShared(repeated: LimitKey[]): Promise<void> {
    const shared = deps.sharedCounter;
    const records = repeated.filter((k) => k.kind === "record");
    if (!shared || records.length === 0) return;
    const windowSeconds = sharedWindowSeconds(limits.record);
    const nowSeconds = Math.floor(deps.clock.now() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    let allowed: boolean[];
    try {
      allowed = await Promise.all(
        records.map((k) => shared.increment(k.key, windowStart, windowSeconds, limits.record.capacity)),
      );
    } catch (error) {
      deps.logger.warn("shared rate counter unavailable; the per-container limit still applies", { error });
      return;
    }
    if (allowed.includes(false))
      throw new WorkMustWaitError("too many triggers for this record: try again later", {
        retryAfterMs: Math.max(1, windowStart + windowSeconds - nowSeconds) * 1000,
      });
  }
  const connections = new Set(deps.connections);
  const checkConnection = (name: string): string => {
    if (!connections.has(name))
      throw new ValidationError(
        `unknown connection "${name.slice(0, 64)}"`,
        [{ path: "connection", message: "not a connection of this stage" }],
        { httpStatus: 404 },
      );
    return name;
  };

  return async function ingest(req: HttpRequest): Promise<HttpResponse> {
    const route = req.path.startsWith(HOOKS) ? routes.get(req.path.slice(HOOKS.length)) : undefined;
    if (!route) throw notFound();
    if (!route.methods.includes(req.method))
      throw new ValidationError(`method ${req.method.slice(0, 10)} not allowed`, [], { httpStatus: 405 });

    const secrets = await deps.webhookSecrets();
    if (route.label === "desk" && req.method === "GET") {
      checkToken(deskToken(req), secrets);
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body: "OK" };
    }

    // The notification token is in the body, so that route parses first; nothing else is looked at unauthenticated.
    const parsedBody = route.label === "notifications" ? parseBody(req, MAX_BODY_BYTES, false) : undefined;
    const idempotencyKey = route.label === "flow" ? req.headers["idempotency-key"] : undefined;
    // Dots are allowed: a Message-ID (the e-mail triage dedup key) has them; see webhook-auth.ts for why the signed
    // string still splits one way only.
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey))
      throw new ValidationError("invalid Idempotency-Key header", [
        { path: "Idempotency-Key", message: "1-200 visible ASCII characters" },
      ]);
    const caller = authenticate(req, route.label, secrets, {
      body: parsedBody,
      idempotencyKey,
      nowSeconds: Math.floor(deps.clock.now() / 1000),
    });
    const connection = checkConnection(requestedConnection(req));

    const result = route.units(req, { loopGuard: deps.loopGuard, parsedBody, idempotencyKey });

    const limitKeys: LimitKey[] = [
      {
        kind: "caller",
        key: `${connection}:${route.label}:${caller}`,
        cost: Math.max(1, result.units.length),
      },
    ];
    for (const u of result.units)
      if (u.subject)
        limitKeys.push({
          kind: "record",
          key: `${connection}:${u.subject.service}:${u.subject.module}:${u.subject.id}`,
        });
    await takeShared(limiter.take(limitKeys));

    const receivedAt = new Date(deps.clock.now()).toISOString();
    const messages: WorkMessage[] = result.units.map((u) => ({
      v: 1,
      jobId: jobIdFor(`${connection}|${u.dedupKey}`),
      receivedAt,
      connection,
      ...(req.correlationId ? { correlationId: req.correlationId } : {}),
      ...u,
    }));
    checkSerialised(messages);
    if (messages.length > 0) await deps.queue.send(messages);
    for (const m of messages) deps.metrics?.count("WebhookAccepted", 1, { useCase: m.useCase });
    for (const m of messages)
      deps.logger.info("trigger queued", {
        jobId: m.jobId,
        useCase: m.useCase,
        source: m.source,
        connection,
        subject: m.subject,
      });
    if (result.ignored > 0)
      deps.logger.info("trigger events ignored", { route: route.label, ignored: result.ignored });
    return json(route.status, {
      accepted: messages.length,
      ignored: result.ignored,
      jobIds: messages.map((m) => m.jobId),
      ...(req.correlationId ? { correlationId: req.correlationId } : {}),
    });
  };
}
