/**
 * Shared scaffolding of the security suite: a local stack per test file (ingest-only or whole), signing as a
 * legitimate caller would, queue-depth accounting so every refused request is shown to enqueue nothing, and the
 * case log the suite's summary line is computed from (test/security/summary.ts).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import { GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { LocalStack } from "../../infra/local/stack.js";
import * as webhookAuth from "../../shared/ingest/webhook-auth.js";
import { startTestStack } from "../helpers/local-stack.js";

/** Where each test file appends one JSON line per case; the summary reads them all at the end of the run. */
export const CASES_DIR = join(process.cwd(), ".test-logs", "security-cases");

export type SecurityStack = Awaited<ReturnType<typeof startTestStack>>;

/** The webhook secret the suite installs: a current and a rotated-out token, an HMAC key, a channel token. */
export const KEYS = {
  hmac: "sec-hmac-key-0123456789abcdef0123456789abcdef",
  otherHmac: "sec-hmac-key-ffffffffffffffffffffffffffffffff",
  notification: "sec-notify-channel-token-1",
  /** A token that was current once and has since been rotated out completely. */
  stale: "sec-stale-token-0123456789abcdef0123",
} as const;

/**
 * Starts a local stack on free ports. `ingestOnly` runs no worker (no DynamoDB Local): whatever ingest enqueues
 * stays on the queue, so queue depth counts exactly what a request enqueued. The webhook secret then gets an HMAC
 * key and a notification channel token, as an operator would configure them.
 */
export async function startSecurityStack(
  options: { ingestOnly?: boolean } & Parameters<typeof startTestStack>[0] = {},
): Promise<SecurityStack> {
  const { ingestOnly = false, ...rest } = options;
  const stack = await startTestStack({
    ...rest,
    env: { ...(ingestOnly ? { LOCAL_DYNAMODB: "off" } : {}), ...rest.env },
    // Rotation cases change the webhook secret mid-file: the ingest reads it afresh on every request.
    ingest: { WEBHOOK_SECRET_TTL_SECONDS: "0", ...rest.ingest },
  });
  await setWebhookSecret(stack, { previousToken: KEYS.stale });
  return stack;
}

/**
 * Rewrites the stack's webhook secret (through the connection's store, whose cache the ingest reads, so the change
 * applies at once): the stack's token, `previousToken` (a token being rotated out, or null once it is), one HMAC
 * key and one notification channel token.
 */
export async function setWebhookSecret(
  stack: LocalStack,
  over: { previousToken: string | null },
): Promise<void> {
  const connection = stack.connection;
  if (!connection) throw new Error("the local stack has no Zoho connection");
  // The stage in the secret's name is the local stack's business; find the webhook secret by its suffix.
  const listed = await connection.sm.send(new ListSecretsCommand({}));
  const name = listed.SecretList?.map((s) => s.Name ?? "").find((n) => n.endsWith("/webhooks"));
  if (!name) throw new Error("the local stack created no webhook secret");
  await connection.store.upsert(
    name,
    JSON.stringify({
      token: stack.webhookToken,
      previousToken: over.previousToken,
      hmacKeys: [KEYS.hmac],
      notificationTokens: [KEYS.notification],
    }),
  );
}

/** Messages on the work queue, visible or in flight (the ingest-only stack has no consumer). */
export async function queueDepth(stack: LocalStack): Promise<number> {
  const got = await stack.sqsClient.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queues.workUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const a = got.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Takes every visible message off the work queue (raw bodies, as SQS carries them). */
export async function drainQueue(stack: LocalStack): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const got = await stack.sqsClient.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queues.workUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 3600,
      }),
    );
    if (!got.Messages?.length) return out;
    out.push(...got.Messages.map((m) => m.Body ?? ""));
  }
}

export interface SignInput {
  method?: string;
  /** Route path, e.g. `/v1/hooks/flow/email-triage`. */
  path: string;
  connection?: string;
  idempotencyKey?: string;
  body: string;
  key?: string;
  /** Unix seconds. */
  t?: number;
}

/**
 * The `X-Mediator-Signature` a legitimate signing caller sends. It follows whichever signature the product
 * implements: the request-bound one issue 9 asks for (`sign(request, key, t)` next to `canonicalString`), or the
 * body-only one of the first release (`sign(body, key, t)`), so the suite runs before and after that fix; against
 * the body-only signature the replay cases fail, which is the defect.
 */
export function signature(input: SignInput): string {
  const key = input.key ?? KEYS.hmac;
  const t = input.t ?? Math.floor(Date.now() / 1000);
  const auth = webhookAuth as unknown as Record<string, unknown>;
  if (typeof auth.canonicalString === "function") {
    const sign = auth.sign as (r: Record<string, unknown>, key: string, t: number) => string;
    return sign(
      {
        method: input.method ?? "POST",
        path: input.path,
        connection: input.connection ?? "default",
        idempotencyKey: input.idempotencyKey,
        body: input.body,
      },
      key,
      t,
    );
  }
  return (auth.sign as (body: string, key: string, t: number) => string)(input.body, key, t);
}

/** One case of the suite as the summary counts it. */
export interface CaseRecord {
  name: string;
  /** "refuse": must be refused; "accept": must be accepted; "contain": a pipeline case whose harm must be contained. */
  expect: "refuse" | "accept" | "contain";
  /** HTTP status, for request-level cases. */
  status?: number;
  /** Messages the request put on the queue. */
  enqueued?: number;
  /** True when a case that must be refused or contained was not (accepted, enqueued, written, sent, leaked). */
  breached: boolean;
}

/** Appends a case to this file's case log (the summary counts them; the test's own assertions fail the run). */
export function recordCase(file: string, record: CaseRecord): void {
  mkdirSync(CASES_DIR, { recursive: true });
  appendFileSync(
    join(CASES_DIR, `${basename(file)}-${process.pid}.jsonl`),
    `${JSON.stringify({ file: basename(file), ...record })}\n`,
  );
}

export interface HttpCase {
  name: string;
  method?: string;
  /** Path and query, e.g. `/v1/hooks/desk?token=...`. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** "refuse": 4xx and nothing enqueued. "accept": 2xx. "refuse-or-clean": 4xx with nothing enqueued, or 2xx
   * whose messages SQS can carry (no character outside SQS's set, within 256 KB) — for input the product may
   * either refuse or sanitise. */
  expect: "refuse" | "accept" | "refuse-or-clean";
}

export interface HttpOutcome {
  status: number;
  body: string;
  enqueued: number;
  messages: string[];
}

/** Whether text holds a character SQS refuses in a message body: outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000+. */
export function sqsForbidden(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) return true;
    if (c === 0xfffe || c === 0xffff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}
export const SQS_MAX_BYTES = 256 * 1024;

/**
 * Sends one request to the stack's API and reports its status and what it enqueued. Only for the ingest-only
 * stack (no worker), and only one request at a time per stack (queue depth is the measure).
 */
export async function send(stack: LocalStack, c: HttpCase): Promise<HttpOutcome> {
  const before = await queueDepth(stack);
  const res = await fetch(`${stack.api?.url}${c.url}`, {
    method: c.method ?? "POST",
    headers: { ...(c.body !== undefined ? { "content-type": "application/json" } : {}), ...c.headers },
    ...(c.body !== undefined ? { body: c.body } : {}),
  });
  const body = await res.text();
  const after = await queueDepth(stack);
  const messages = after > before ? await drainQueue(stack) : [];
  return { status: res.status, body, enqueued: after - before, messages };
}

/** Whether an outcome breaches the case's expectation (what the summary calls "accepted that should be refused"). */
export function breached(c: HttpCase, o: HttpOutcome): boolean {
  if (c.expect === "accept") return false;
  const refused = o.status >= 400 && o.status < 500 && o.enqueued === 0;
  if (c.expect === "refuse") return !refused;
  const clean =
    o.status < 300 &&
    o.messages.every((m) => !sqsForbidden(m) && Buffer.byteLength(m, "utf8") <= SQS_MAX_BYTES);
  return !(refused || clean);
}
