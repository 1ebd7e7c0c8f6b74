/**
 * Trigger ingestion: authenticate, validate, split into units of work, enqueue, answer. Never calls Zoho or the
 * model, so it answers in milliseconds, long before Zoho's 5-10 second webhook deadline.
 *
 * Routes:
 *   POST /v1/hooks/crm/{useCase}        CRM workflow webhooks (JSON or form-data), one unit per call
 *   POST /v1/hooks/crm/notifications    CRM Notification API callbacks, one unit per record id
 *   GET  /v1/hooks/desk                 Desk's URL check when a webhook is registered
 *   POST /v1/hooks/desk                 Desk webhooks: a JSON array of events, one unit per event
 *   POST /v1/hooks/flow/{useCase}       Zoho Flow, n8n, Deluge invokeUrl, custom code
 *
 * Order of checks, each for a reason: route and method (no secret needed to say "not found"); authentication before
 * anything that depends on caller-chosen names (an unauthenticated caller learns nothing about connections);
 * the body's bounds and schema; rate limits; the serialised message's size and content; only then the queue.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import {
  isOwnCrmUpdate,
  isOwnCrmWorkflowTrigger,
  isOwnDeskEvent,
  type LoopGuardConfig,
} from "../domain/loop-guard.js";
import { ValidationError, WorkMustWaitError } from "../errors.js";
import { type HttpRequest, type HttpResponse, json, parseBody } from "../ingest/http.js";
import {
  CRM_WORKFLOW_USE_CASES,
  CrmNotificationSchema,
  CrmRecordTriggerSchema,
  DESK_TRIAGE_EVENTS,
  DeskEventsSchema,
  FLOW_INPUTS,
  MAX_BODY_BYTES,
} from "../ingest/inputs.js";
import { MAX_PARAMS, uncarriableChar } from "../ingest/payload-bounds.js";
import {
  DEFAULT_INGEST_LIMITS,
  type IngestLimits,
  type LimitKey,
  type SharedCounter,
  sharedWindowSeconds,
  TokenBucketLimiter,
} from "../ingest/rate-limit.js";
import {
  checkNotificationToken,
  checkSignature,
  checkToken,
  SIGNATURE_HEADER,
  WebhookAuthHintError,
  type WebhookSecrets,
} from "../ingest/webhook-auth.js";
import type { AppLogger } from "../observability/logger.js";
import type { Clock } from "../ports/clock.js";
import type { Queue } from "../ports/queue.js";
import { pathFieldIssues, type UseCase, type WorkMessage } from "../schemas/work-message.js";

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
}

type Unit = Omit<WorkMessage, "v" | "jobId" | "receivedAt" | "connection">;

const HOOKS = "/v1/hooks/";

/**
 * SQS's limit for one message, body and attributes together. Checked on the serialised message before sending,
 * so an oversized one is a 413 naming the problem instead of an SQS refusal.
 */
export const MAX_QUEUE_MESSAGE_BYTES = 262_144;
/** Room kept for the message attributes the queue adapter adds (names, types and values). */
const ATTRIBUTE_ALLOWANCE_BYTES = 2_048;

/** Flow use cases by name: a Map, so `constructor` or `__proto__` in the path is simply not there. */
const FLOW_SCHEMAS = new Map<string, z.ZodType<Record<string, unknown>>>(
  Object.entries(FLOW_INPUTS) as [string, z.ZodType<Record<string, unknown>>][],
);
const CRM_USE_CASES = new Set<string>(CRM_WORKFLOW_USE_CASES);
/** A use-case path segment: anything else cannot name a use case and is a 404 before any lookup. */
const USE_CASE_SEGMENT = /^[a-z][a-z0-9-]{0,63}$/;

/** A deterministic UUID (version 8) from the dedup key: a duplicate delivery gets the same job id. */
export function jobIdFor(dedupKey: string): string {
  const h = createHash("sha256").update(dedupKey).digest("hex");
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** An own property of a parsed body, or undefined: never an inherited one. */
const own = (o: unknown, key: string): unknown =>
  o !== null && typeof o === "object" && Object.hasOwn(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;

function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => i.path).join(", ")}`, issues, {
    httpStatus: 422,
  });
}

const notFound = () => new ValidationError("not found", [], { httpStatus: 404 });

interface Routed {
  units: Unit[];
  ignored: number;
  status: 200 | 202;
  /** The authenticated credential, for the per-caller limit. */
  caller: string;
}

export function makeIngest(deps: IngestDeps) {
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

  /** The connection the request names (not yet checked: that happens after authentication). */
  const requestedConnection = (req: HttpRequest): string =>
    req.query.connection ?? req.headers["x-mediator-connection"] ?? "default";
  const checkConnection = (name: string): string => {
    if (!connections.has(name))
      throw new ValidationError(
        `unknown connection "${name.slice(0, 64)}"`,
        [{ path: "connection", message: "not a connection of this stage" }],
        { httpStatus: 404 },
      );
    return name;
  };
  /**
   * The shared token. Only Desk, which cannot set a header on its webhooks, may send it in the URL: a token in a
   * URL ends up in browser histories, proxies and Zoho's own webhook logs, so elsewhere it is refused outright
   * (even next to a valid header) with a message saying where it belongs.
   */
  const headerToken = (req: HttpRequest, route: string): string | undefined => {
    if (req.query.token !== undefined)
      throw new WebhookAuthHintError(
        `the token is not accepted in the query string on ${route} routes: send it in the X-Mediator-Token header (only /v1/hooks/desk takes ?token=)`,
      );
    return req.headers["x-mediator-token"];
  };

  function crmWorkflow(req: HttpRequest, useCase: string, caller: string): Routed {
    if (!CRM_USE_CASES.has(useCase))
      throw new ValidationError(`unknown CRM use case "${useCase}"`, [], { httpStatus: 404 });
    const params = validate(CrmRecordTriggerSchema, parseBody(req, MAX_BODY_BYTES, true), "CRM webhook");
    if (isOwnCrmWorkflowTrigger(params, deps.loopGuard))
      return { units: [], ignored: 1, status: 202, caller };
    const { id, module, modified_time, ...custom } = params;
    if (Object.keys(custom).length > MAX_PARAMS)
      throw new ValidationError(
        `more than ${MAX_PARAMS} custom parameters`,
        [{ path: "(body)", message: `at most ${MAX_PARAMS} fields besides id, module and modified_time` }],
        { httpStatus: 422 },
      );
    const unit: Unit = {
      useCase: useCase as UseCase,
      source: "crm-workflow",
      dedupKey: `crm:${module}:${id}:${modified_time ?? sha(req.body)}`,
      subject: { service: "crm", module, id },
      input: { module, id, ...(modified_time ? { modifiedTime: modified_time } : {}), params: custom },
    };
    return { units: [unit], ignored: 0, status: 202, caller };
  }

  function crmNotification(req: HttpRequest, body: unknown, caller: string): Routed {
    const n = validate(CrmNotificationSchema, body, "notification");
    const affected = new Map<string, string[]>();
    for (const entry of n.affected_fields ?? [])
      for (const [id, fields] of Object.entries(entry)) affected.set(id, fields);
    const units: Unit[] = [];
    let ignored = 0;
    // One callback may name a record twice (Zoho batches changes): one unit per distinct id.
    const seen = new Set<string>();
    for (const id of n.ids) {
      // A deleted record has nothing to enrich; an update of only the mediator's own fields is its own write.
      if (seen.has(id) || n.operation === "delete" || isOwnCrmUpdate(affected.get(id), deps.loopGuard)) {
        ignored += 1;
        continue;
      }
      seen.add(id);
      units.push({
        useCase: "lead-enrichment",
        source: "crm-notification",
        dedupKey: `crm-n:${n.module}:${id}:${n.operation}:${n.server_time ?? sha(req.body)}`,
        subject: { service: "crm", module: n.module, id },
        input: { module: n.module, id, operation: n.operation, channelId: String(n.channel_id) },
      });
    }
    return { units, ignored, status: 200, caller };
  }

  function desk(req: HttpRequest, caller: string): Routed {
    const events = validate(DeskEventsSchema, parseBody(req, MAX_BODY_BYTES, false), "Desk events");
    const units: Unit[] = [];
    let ignored = 0;
    // A new email ticket arrives as Ticket_Add plus its first Ticket_Thread_Add in one delivery: one triage each.
    const ticketsSeen = new Set<string>();
    for (const e of events) {
      const payload = e.payload;
      const direction = own(payload, "direction");
      const inbound = e.eventType !== "Ticket_Thread_Add" || direction === undefined || direction === "in";
      if (!DESK_TRIAGE_EVENTS.has(e.eventType) || !inbound || isOwnDeskEvent(payload, deps.loopGuard)) {
        ignored += 1;
        continue;
      }
      const ticketId =
        e.eventType === "Ticket_Thread_Add" && payload.ticketId !== undefined ? payload.ticketId : payload.id;
      if (ticketsSeen.has(ticketId)) {
        ignored += 1;
        continue;
      }
      ticketsSeen.add(ticketId);
      units.push({
        useCase: "ticket-triage",
        source: "desk-webhook",
        dedupKey: `desk:${e.orgId}:${e.eventType}:${payload.id}:${e.eventTime}`,
        subject: { service: "desk", module: "tickets", id: ticketId },
        input: {
          eventType: e.eventType,
          ticketId,
          ...(e.eventType === "Ticket_Thread_Add" ? { threadId: payload.id } : {}),
          orgId: e.orgId,
          eventTime: e.eventTime,
        },
      });
    }
    // Desk counts only 200 OK as delivered.
    return { units, ignored, status: 200, caller };
  }

  function flow(req: HttpRequest, useCase: string, key: string | undefined, caller: string): Routed {
    const schema = FLOW_SCHEMAS.get(useCase);
    if (!schema) throw new ValidationError(`unknown use case "${useCase}"`, [], { httpStatus: 404 });
    const input = validate(schema, parseBody(req, MAX_BODY_BYTES, false), `${useCase} input`);
    const recordId = own(input, "recordId");
    const id = own(input, "id");
    const module = own(input, "module");
    const record = typeof recordId === "string" ? recordId : typeof id === "string" ? id : undefined;
    const unit: Unit = {
      useCase: useCase as UseCase,
      source: "flow",
      dedupKey: `flow:${useCase}:${key ?? sha(req.body)}`,
      subject: record && typeof module === "string" ? { service: "crm", module, id: record } : null,
      input,
    };
    return { units: [unit], ignored: 0, status: 202, caller };
  }

  /** Authenticates the request for its route; returns the credential that matched (the caller's identity). */
  function authenticate(
    req: HttpRequest,
    route: "crm" | "notifications" | "desk" | "flow",
    secrets: WebhookSecrets,
    extra: { body?: unknown; idempotencyKey?: string | undefined },
  ): string {
    if (route === "notifications") return checkNotificationToken(tokenIn(extra.body), secrets);
    if (route === "desk") return checkToken(req.headers["x-mediator-token"] ?? req.query.token, secrets);
    const token = headerToken(req, route === "crm" ? "CRM" : "flow");
    const signature = req.headers[SIGNATURE_HEADER];
    if (route === "flow" && signature !== undefined)
      return checkSignature(
        signature,
        {
          method: req.method,
          path: req.path,
          connection: requestedConnection(req),
          idempotencyKey: extra.idempotencyKey,
          body: req.body,
        },
        secrets,
        Math.floor(deps.clock.now() / 1000),
      );
    return checkToken(token, secrets);
  }
  const tokenIn = (body: unknown): string | undefined => {
    const t = own(body, "token");
    return typeof t === "string" ? t : undefined;
  };

  /** Serialises each message as the queue will and checks it fits and carries only what SQS accepts. */
  function checkSerialised(messages: WorkMessage[]): void {
    for (const m of messages) {
      // The route schemas already checked these; a cheap second look keeps a Zoho path safe whatever a route does.
      const issues = pathFieldIssues(m.subject, m.input);
      if (issues.length > 0)
        throw new ValidationError(
          "the trigger cannot be turned into a valid unit of work",
          issues.map((path) => ({ path, message: "not a valid Zoho module api name or id" })),
          { httpStatus: 422 },
        );
      const body = JSON.stringify(m);
      const bytes = Buffer.byteLength(body, "utf8") + ATTRIBUTE_ALLOWANCE_BYTES;
      if (bytes > MAX_QUEUE_MESSAGE_BYTES)
        throw new ValidationError(
          `the work message would be ${bytes} bytes once serialised, over the queue's ${MAX_QUEUE_MESSAGE_BYTES}-byte limit: send large text as a Zoho attachment reference`,
          [],
          { httpStatus: 413 },
        );
      const bad = uncarriableChar(body) ?? uncarriableChar(m.dedupKey);
      if (bad)
        throw new ValidationError(`the trigger contains ${bad}, a character the queue cannot carry`, [], {
          httpStatus: 422,
        });
    }
  }

  return async function ingest(req: HttpRequest): Promise<HttpResponse> {
    if (!req.path.startsWith(HOOKS)) throw notFound();
    const [source, useCase, extra] = req.path.slice(HOOKS.length).split("/");
    if (extra !== undefined || !source) throw notFound();
    const route =
      source === "desk" && !useCase
        ? "desk"
        : source === "crm" && useCase === "notifications"
          ? "notifications"
          : (source === "crm" || source === "flow") && useCase && USE_CASE_SEGMENT.test(useCase)
            ? source
            : undefined;
    if (!route) throw notFound();
    const allowed = route === "desk" ? ["GET", "POST"] : ["POST"];
    if (!allowed.includes(req.method))
      throw new ValidationError(`method ${req.method.slice(0, 10)} not allowed`, [], { httpStatus: 405 });

    const secrets = await deps.webhookSecrets();
    if (route === "desk" && req.method === "GET") {
      checkToken(req.headers["x-mediator-token"] ?? req.query.token, secrets);
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body: "OK" };
    }

    // The notification token is in the body, so that route parses first; nothing else is looked at unauthenticated.
    const notificationBody = route === "notifications" ? parseBody(req, MAX_BODY_BYTES, false) : undefined;
    const idempotencyKey = route === "flow" ? req.headers["idempotency-key"] : undefined;
    // Dots are allowed: a Message-ID (the e-mail triage dedup key) has them; see webhook-auth.ts for why the signed
    // string still splits one way only.
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey))
      throw new ValidationError("invalid Idempotency-Key header", [
        { path: "Idempotency-Key", message: "1-200 visible ASCII characters" },
      ]);
    const caller = authenticate(req, route, secrets, { body: notificationBody, idempotencyKey });
    const connection = checkConnection(requestedConnection(req));

    const result =
      route === "crm"
        ? crmWorkflow(req, useCase as string, caller)
        : route === "notifications"
          ? crmNotification(req, notificationBody, caller)
          : route === "desk"
            ? desk(req, caller)
            : flow(req, useCase as string, idempotencyKey, caller);

    const limitKeys: LimitKey[] = [
      {
        kind: "caller",
        key: `${connection}:${route}:${result.caller}`,
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
      ...u,
    }));
    checkSerialised(messages);
    if (messages.length > 0) await deps.queue.send(messages);
    for (const m of messages)
      deps.logger.info("trigger queued", {
        jobId: m.jobId,
        useCase: m.useCase,
        source: m.source,
        connection,
        subject: m.subject,
      });
    if (result.ignored > 0) deps.logger.info("trigger events ignored", { route, ignored: result.ignored });
    return json(result.status, {
      accepted: messages.length,
      ignored: result.ignored,
      jobIds: messages.map((m) => m.jobId),
    });
  };
}
