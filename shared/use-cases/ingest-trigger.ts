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
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { ValidationError } from "../errors.js";
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
import {
  isOwnCrmUpdate,
  isOwnCrmWorkflowTrigger,
  isOwnDeskEvent,
  type LoopGuardConfig,
} from "../ingest/loop-guard.js";
import {
  checkNotificationToken,
  checkSignature,
  checkToken,
  SIGNATURE_HEADER,
  type WebhookSecrets,
} from "../ingest/webhook-auth.js";
import type { AppLogger } from "../observability/logger.js";
import type { Clock } from "../ports/clock.js";
import type { Queue } from "../ports/queue.js";
import type { UseCase, WorkMessage } from "../schemas/work-message.js";

export interface IngestDeps {
  queue: Queue;
  /** The webhook secrets, cached by the caller (a TTL'd secret read). */
  webhookSecrets: () => Promise<WebhookSecrets>;
  /** Connection names this stage serves; `?connection=` or `X-Mediator-Connection` picks one. */
  connections: string[];
  loopGuard: LoopGuardConfig;
  clock: Clock;
  logger: AppLogger;
}

type Unit = Omit<WorkMessage, "v" | "jobId" | "receivedAt" | "connection">;

const HOOKS = "/v1/hooks/";

/** A deterministic UUID (version 8) from the dedup key: a duplicate delivery gets the same job id. */
export function jobIdFor(dedupKey: string): string {
  const h = createHash("sha256").update(dedupKey).digest("hex");
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => i.path).join(", ")}`, issues, {
    httpStatus: 422,
  });
}

export function makeIngest(deps: IngestDeps) {
  const connectionOf = (req: HttpRequest): string => {
    const name = req.query.connection ?? req.headers["x-mediator-connection"] ?? "default";
    if (!deps.connections.includes(name))
      throw new ValidationError(
        `unknown connection "${name.slice(0, 64)}"`,
        [{ path: "connection", message: "not a connection of this stage" }],
        { httpStatus: 404 },
      );
    return name;
  };
  const tokenOf = (req: HttpRequest) => req.headers["x-mediator-token"] ?? req.query.token;

  async function crmWorkflow(req: HttpRequest, useCase: string, secrets: WebhookSecrets) {
    checkToken(tokenOf(req), secrets);
    if (!(CRM_WORKFLOW_USE_CASES as readonly string[]).includes(useCase))
      throw new ValidationError(`unknown CRM use case "${useCase.slice(0, 64)}"`, [], { httpStatus: 404 });
    const params = validate(CrmRecordTriggerSchema, parseBody(req, MAX_BODY_BYTES, true), "CRM webhook");
    if (isOwnCrmWorkflowTrigger(params, deps.loopGuard)) return { units: [], ignored: 1, status: 202 };
    const { id, module, modified_time, ...custom } = params;
    const unit: Unit = {
      useCase: useCase as UseCase,
      source: "crm-workflow",
      dedupKey: `crm:${module}:${id}:${modified_time ?? sha(req.body)}`,
      subject: { service: "crm", module, id },
      input: { module, id, ...(modified_time ? { modifiedTime: modified_time } : {}), params: custom },
    };
    return { units: [unit], ignored: 0, status: 202 };
  }

  async function crmNotification(req: HttpRequest, secrets: WebhookSecrets) {
    const body = parseBody(req, MAX_BODY_BYTES, false);
    checkNotificationToken((body as { token?: string } | undefined)?.token, secrets);
    const n = validate(CrmNotificationSchema, body, "notification");
    const affected = new Map<string, string[]>();
    for (const entry of n.affected_fields ?? [])
      for (const [id, fields] of Object.entries(entry)) affected.set(id, fields);
    const units: Unit[] = [];
    let ignored = 0;
    for (const raw of n.ids) {
      const id = String(raw);
      // A deleted record has nothing to enrich; an update of only the mediator's own fields is its own write.
      if (n.operation === "delete" || isOwnCrmUpdate(affected.get(id), deps.loopGuard)) {
        ignored += 1;
        continue;
      }
      units.push({
        useCase: "lead-enrichment",
        source: "crm-notification",
        dedupKey: `crm-n:${n.module}:${id}:${n.operation}:${n.server_time ?? sha(req.body)}`,
        subject: { service: "crm", module: n.module, id },
        input: { module: n.module, id, operation: n.operation, channelId: String(n.channel_id) },
      });
    }
    return { units, ignored, status: 200 };
  }

  async function desk(req: HttpRequest, secrets: WebhookSecrets) {
    checkToken(tokenOf(req), secrets);
    const events = validate(DeskEventsSchema, parseBody(req, MAX_BODY_BYTES, false), "Desk events");
    const units: Unit[] = [];
    let ignored = 0;
    // A new email ticket arrives as Ticket_Add plus its first Ticket_Thread_Add in one delivery: one triage each.
    const ticketsSeen = new Set<string>();
    for (const e of events) {
      const payload = e.payload as Record<string, unknown> & { id: string };
      const inbound =
        e.eventType !== "Ticket_Thread_Add" || payload.direction === undefined || payload.direction === "in";
      if (!DESK_TRIAGE_EVENTS.has(e.eventType) || !inbound || isOwnDeskEvent(payload, deps.loopGuard)) {
        ignored += 1;
        continue;
      }
      const ticketId =
        e.eventType === "Ticket_Thread_Add" && typeof payload.ticketId === "string"
          ? payload.ticketId
          : payload.id;
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
    return { units, ignored, status: 200 };
  }

  async function flow(req: HttpRequest, useCase: string, secrets: WebhookSecrets) {
    const signature = req.headers[SIGNATURE_HEADER];
    if (signature !== undefined)
      checkSignature(signature, req.body, secrets, Math.floor(deps.clock.now() / 1000));
    else checkToken(tokenOf(req), secrets);
    const schema = FLOW_INPUTS[useCase as keyof typeof FLOW_INPUTS];
    if (!schema)
      throw new ValidationError(`unknown use case "${useCase.slice(0, 64)}"`, [], { httpStatus: 404 });
    const input = validate(
      schema as z.ZodType<Record<string, unknown>>,
      parseBody(req, MAX_BODY_BYTES, false),
      `${useCase} input`,
    );
    const key = req.headers["idempotency-key"];
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key))
      throw new ValidationError("invalid Idempotency-Key header", [
        { path: "Idempotency-Key", message: "1-200 visible ASCII characters" },
      ]);
    const record =
      typeof input.recordId === "string"
        ? input.recordId
        : typeof input.id === "string"
          ? input.id
          : undefined;
    const unit: Unit = {
      useCase: useCase as UseCase,
      source: "flow",
      dedupKey: `flow:${useCase}:${key ?? sha(req.body)}`,
      subject:
        record && typeof input.module === "string"
          ? { service: "crm", module: input.module, id: record }
          : null,
      input,
    };
    return { units: [unit], ignored: 0, status: 202 };
  }

  return async function ingest(req: HttpRequest): Promise<HttpResponse> {
    if (!req.path.startsWith(HOOKS)) throw new ValidationError("not found", [], { httpStatus: 404 });
    const [source, useCase, extra] = req.path.slice(HOOKS.length).split("/");
    if (extra !== undefined || !source) throw new ValidationError("not found", [], { httpStatus: 404 });
    const route =
      source === "desk" && !useCase
        ? "desk"
        : source === "crm" && useCase === "notifications"
          ? "notifications"
          : (source === "crm" || source === "flow") && useCase
            ? source
            : undefined;
    if (!route) throw new ValidationError("not found", [], { httpStatus: 404 });
    const allowed = route === "desk" ? ["GET", "POST"] : ["POST"];
    if (!allowed.includes(req.method))
      throw new ValidationError(`method ${req.method.slice(0, 10)} not allowed`, [], { httpStatus: 405 });

    const secrets = await deps.webhookSecrets();
    if (route === "desk" && req.method === "GET") {
      checkToken(tokenOf(req), secrets);
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body: "OK" };
    }
    const connection = connectionOf(req);
    const result =
      route === "crm"
        ? await crmWorkflow(req, useCase as string, secrets)
        : route === "notifications"
          ? await crmNotification(req, secrets)
          : route === "desk"
            ? await desk(req, secrets)
            : await flow(req, useCase as string, secrets);

    const receivedAt = new Date(deps.clock.now()).toISOString();
    const messages: WorkMessage[] = result.units.map((u) => ({
      v: 1,
      jobId: jobIdFor(`${connection}|${u.dedupKey}`),
      receivedAt,
      connection,
      ...u,
    }));
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
