/**
 * Authentication of inbound triggers. Zoho CRM and Desk cannot sign, so they carry a shared token (a header; Desk,
 * which cannot set one, a query parameter); callers that can sign (n8n, custom code) may instead send an
 * HMAC-SHA256 signature over the request (see `canonicalString`) with a timestamp. Two values of each secret are active at once so it can be rotated without downtime.
 * Comparisons are constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { ConfigError, WebhookAuthError } from "../errors.js";

export const WebhookSecretsSchema = z.object({
  /** The shared token Zoho sends (header `X-Mediator-Token`; Desk alone may put it in the URL as `?token=`). */
  token: z.string().min(20),
  /** The token being rotated out; accepted until removed. */
  previousToken: z.string().min(20).nullable().optional(),
  /** HMAC keys for signing callers; at most two active. */
  hmacKeys: z.array(z.string().min(32)).max(2).default([]),
  /** Tokens given to Zoho Notification API channels (`token` in the callback body). */
  notificationTokens: z.array(z.string().min(8)).default([]),
});
export type WebhookSecrets = z.infer<typeof WebhookSecretsSchema>;

export function parseWebhookSecrets(text: string, name: string): WebhookSecrets {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`webhook secret "${name}" is not JSON`);
  }
  const parsed = WebhookSecretsSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `webhook secret "${name}" is malformed: field(s) ${[...new Set(parsed.error.issues.map((i) => i.path.join(".")))].join(", ")}`,
    );
  return parsed.data;
}

/** Constant-time equality that does not leak length: both sides are hashed first. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** The index of the candidate that matches, or -1. */
const matchIndex = (given: string, accepted: (string | null | undefined)[]): number => {
  let found = -1;
  // Compare against every candidate so timing does not reveal which one matched.
  accepted.forEach((candidate, i) => {
    if (candidate && safeEqual(given, candidate) && found < 0) found = i;
  });
  return found;
};

/** Checks the shared token; returns which credential matched (`token` or `previousToken`), for rate limiting. */
export function checkToken(given: string | undefined, secrets: WebhookSecrets): string {
  const i = given ? matchIndex(given, [secrets.token, secrets.previousToken]) : -1;
  if (i < 0) throw new WebhookAuthError("missing or invalid webhook token");
  return i === 0 ? "token" : "previousToken";
}

/** Checks a Notification API channel token; returns which one matched. */
export function checkNotificationToken(given: string | null | undefined, secrets: WebhookSecrets): string {
  const i = given ? matchIndex(given, secrets.notificationTokens) : -1;
  if (i < 0) throw new WebhookAuthError("missing or invalid notification channel token");
  return `notification-token-${i}`;
}

/**
 * Signature header: `X-Mediator-Signature: t=<unix seconds>,v2=<hex HMAC-SHA256 of the canonical string>`.
 *
 * The signature covers everything that changes what the mediator does with a request, so a captured request cannot
 * be replayed as new work: the timestamp, the method, the route path (which names the use case), the connection,
 * the `Idempotency-Key` (a replay with a fresh key is a different string) and the raw body. The canonical string is
 *
 *     v2:<t>.<METHOD>.<path>.<connection>.<idempotency-key>.<raw body>
 *
 * `path` is the route path from `/v1/hooks/` on (no stage, no query string), `connection` the effective connection
 * name (`default` when none is named), `idempotency-key` the header's value or empty. Every field before the key is
 * free of dots (digits, letters, a path whose use case is `[a-z0-9-]`, a connection name `[a-z0-9-]`). The key may
 * hold dots (a Message-ID does), so the last two fields could in principle be split elsewhere: key `K.B1`, body `B2`
 * for a signed key `K` and body `B1.B2`. That second reading is never a request the route accepts: flow bodies must
 * be a JSON object, and no proper suffix of a JSON object is one (a suffix starting inside it closes more brackets
 * than it opens, or ends an unopened string), so moving the split point yields a body the route refuses (400).
 * The body-only signature of the first release (`v1=`) is refused with a message saying so.
 */
export const SIGNATURE_HEADER = "x-mediator-signature";
export const REPLAY_WINDOW_SECONDS = 300;

/** What a signature covers besides the timestamp. */
export interface SignedRequest {
  method: string;
  /** Route path, e.g. `/v1/hooks/flow/email-triage`. */
  path: string;
  /** Effective connection name (`default` when the request names none). */
  connection: string;
  /** The `Idempotency-Key` header, if sent. */
  idempotencyKey?: string | undefined;
  /** The raw body exactly as sent. */
  body: string;
}

/** The exact string a caller signs (see the header comment above). */
export const canonicalString = (r: SignedRequest, timestamp: number): string =>
  `v2:${timestamp}.${r.method.toUpperCase()}.${r.path}.${r.connection}.${r.idempotencyKey ?? ""}.${r.body}`;

const hmac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("hex");

/** The header value a signing caller sends (used by tests and as the reference for callers' code). */
export function sign(request: SignedRequest, key: string, timestamp: number): string {
  return `t=${timestamp},v2=${hmac(key, canonicalString(request, timestamp))}`;
}

/** An authentication failure whose message is safe and useful to show the caller (it names no secret). */
export class WebhookAuthHintError extends WebhookAuthError {
  constructor(readonly hint: string) {
    super(hint);
  }
}

export function checkSignature(
  header: string,
  request: SignedRequest,
  secrets: WebhookSecrets,
  nowSeconds: number,
): string {
  const parts = new Map<string, string>();
  for (const p of header.split(",")) {
    const eq = p.indexOf("=");
    if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const t = Number(parts.get("t"));
  const v2 = parts.get("v2");
  if (v2 === undefined && parts.has("v1"))
    throw new WebhookAuthHintError(
      "signature scheme v1 (body only) is no longer accepted: sign v2 over method, path, connection, Idempotency-Key and body (see docs/signing.md)",
    );
  if (!/^\d{1,12}$/.test(parts.get("t") ?? "") || !v2 || !/^[0-9a-f]{64}$/.test(v2))
    throw new WebhookAuthError("malformed signature header");
  if (Math.abs(nowSeconds - t) > REPLAY_WINDOW_SECONDS)
    throw new WebhookAuthError("signature timestamp outside the 5-minute window");
  const text = canonicalString(request, t);
  const i = matchIndex(
    v2,
    secrets.hmacKeys.map((k) => hmac(k, text)),
  );
  if (i < 0) throw new WebhookAuthError("invalid signature");
  return `hmac-key-${i}`;
}
