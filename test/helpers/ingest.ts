/** Factories for ingest tests: API Gateway v2 events, an in-memory queue, and a ready ingest handler. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildHandler } from "../../functions/ingest/handler.js";
import type { IngestLimits, SharedCounter } from "../../shared/ingest/rate-limit.js";
import { sign, type WebhookSecrets } from "../../shared/ingest/webhook-auth.js";
import type { ApiGatewayV2Event } from "../../shared/lambda/api-gateway.js";
import { createLogger } from "../../shared/observability/logger.js";
import type { Queue } from "../../shared/ports/queue.js";
import type { WorkMessage } from "../../shared/schemas/work-message.js";
import type { UseCaseDescriptor } from "../../shared/use-cases/descriptor.js";

export const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", "zoho", name), "utf8");

export const SECRETS: WebhookSecrets = {
  token: "tok-current-0123456789abcdef",
  previousToken: "tok-previous-0123456789abcdef",
  hmacKeys: ["hmac-key-0123456789abcdef0123456789abcdef"],
  notificationTokens: ["notify-channel-token-1"],
};

export class FakeQueue implements Queue {
  readonly sent: WorkMessage[] = [];
  failNext = false;
  async send(messages: WorkMessage[]) {
    if (this.failNext) {
      this.failNext = false;
      const { UpstreamUnavailableError } = await import("../../shared/errors.js");
      throw new UpstreamUnavailableError("aws", "SQS send failed (test)");
    }
    this.sent.push(...messages);
    return { messageIds: messages.map((_, i) => `m-${this.sent.length + i}`) };
  }
}

export interface EventInit {
  method?: string;
  path: string;
  body?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  base64?: boolean;
}

export function apiEvent(init: EventInit): ApiGatewayV2Event {
  const headers: Record<string, string> = {
    ...(init.contentType === null ? {} : { "content-type": init.contentType ?? "application/json" }),
    ...init.headers,
  };
  const query = init.query ?? {};
  const body = init.body ?? "";
  return {
    rawPath: init.path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    queryStringParameters: query,
    body: init.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: init.base64 ?? false,
    requestContext: { http: { method: init.method ?? "POST" }, stage: "$default" },
  };
}

/** A v2 signature header over the request (path, connection and Idempotency-Key default to a plain flow call). */
export const signed = (
  body: string,
  t = Math.floor(Date.now() / 1000),
  key = SECRETS.hmacKeys[0] as string,
  over: { method?: string; path?: string; connection?: string; idempotencyKey?: string } = {},
) => ({
  "x-mediator-signature": sign(
    {
      method: over.method ?? "POST",
      path: over.path ?? "/v1/hooks/flow/email-triage",
      connection: over.connection ?? "default",
      idempotencyKey: over.idempotencyKey,
      body,
    },
    key,
    t,
  ),
});

export function ingestHarness(
  over: {
    connections?: string[];
    now?: () => number;
    limits?: IngestLimits;
    sharedCounter?: SharedCounter;
    /** The use cases served. @default USE_CASE_CATALOG */
    catalog?: readonly UseCaseDescriptor[];
  } = {},
) {
  const queue = new FakeQueue();
  const handler = buildHandler({
    queue,
    webhookSecrets: async () => SECRETS,
    connections: over.connections ?? ["default", "emea"],
    loopGuard: {
      crmIntegrationUsers: ["Mediator Integration", "5545974000001000002"],
      crmMediatorFields: ["AI_Score", "AI_Summary", "AI_ICP_Fit"],
      deskIntegrationActors: ["5545974000001000099"],
    },
    clock: { now: over.now ?? (() => Date.now()) },
    logger: createLogger("ingest-test"),
    ...(over.limits ? { limits: over.limits } : {}),
    ...(over.sharedCounter ? { sharedCounter: over.sharedCounter } : {}),
    ...(over.catalog ? { catalog: over.catalog } : {}),
  });
  const call = async (init: EventInit) => {
    const res = await handler(apiEvent(init));
    return {
      ...res,
      json: res.headers["content-type"] === "application/json" ? JSON.parse(res.body) : res.body,
    };
  };
  return { queue, handler, call };
}
