/**
 * Authentication of inbound triggers. Zoho CRM and Desk cannot sign, so they carry a shared token (a header or a
 * query parameter); callers that can sign (n8n, custom code) may instead send an HMAC-SHA256 signature over the
 * raw body with a timestamp. Two values of each secret are active at once so it can be rotated without downtime.
 * Comparisons are constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { ConfigError, WebhookAuthError } from "../errors.js";

export const WebhookSecretsSchema = z.object({
  /** The shared token Zoho sends (custom header `X-Mediator-Token`, or `?token=` in the URL). */
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

const anyMatch = (given: string, accepted: (string | null | undefined)[]): boolean => {
  let ok = false;
  // Compare against every candidate so timing does not reveal which one matched.
  for (const candidate of accepted) if (candidate && safeEqual(given, candidate)) ok = true;
  return ok;
};

export function checkToken(given: string | undefined, secrets: WebhookSecrets): void {
  if (!given || !anyMatch(given, [secrets.token, secrets.previousToken]))
    throw new WebhookAuthError("missing or invalid webhook token");
}

export function checkNotificationToken(given: string | null | undefined, secrets: WebhookSecrets): void {
  if (!given || !anyMatch(given, secrets.notificationTokens))
    throw new WebhookAuthError("missing or invalid notification channel token");
}

/** Signature header: `X-Mediator-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = "x-mediator-signature";
export const REPLAY_WINDOW_SECONDS = 300;

export function sign(rawBody: string, key: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", key).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

export function checkSignature(
  header: string,
  rawBody: string,
  secrets: WebhookSecrets,
  nowSeconds: number,
): void {
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  const v1 = parts.v1;
  if (!Number.isInteger(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1))
    throw new WebhookAuthError("malformed signature header");
  if (Math.abs(nowSeconds - t) > REPLAY_WINDOW_SECONDS)
    throw new WebhookAuthError("signature timestamp outside the 5-minute window");
  const expected = secrets.hmacKeys.map((k) =>
    createHmac("sha256", k).update(`${t}.${rawBody}`).digest("hex"),
  );
  if (!anyMatch(v1, expected)) throw new WebhookAuthError("invalid signature");
}
