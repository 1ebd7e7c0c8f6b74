/**
 * Redaction: the last line of defence that keeps secrets out of logs and error messages. Values registered at
 * run time (client secrets, refresh and access tokens, webhook secrets) and anything shaped like a Zoho or OpenAI
 * credential (or an agent's API key) are replaced with `***`; keys that name a secret are masked whatever their value.
 */
const registered = new Set<string>();
const PATTERNS = [
  /1000\.[0-9a-f]{32}\.[0-9a-f]{32}/g,
  /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  /Zoho-oauthtoken\s+\S+/g,
  // An agent's API key for the tool endpoint (shared/domain/api-key.ts KEY_PATTERN).
  /zgm_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/g,
];
/** Keys that hold a secret: `clientSecret`, `accessToken`, `authorization`, but not `secretName` or `tokenCount`. */
const SECRET_KEY = /(token|secret|password|authorization|api[-_]?key|credential)s?$/i;
const MASK = "***";

/** Remembers a secret value so it is masked wherever it appears. Short values are ignored (too many false hits). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) registered.add(value);
}

export function redactString(text: string): string {
  let out = text;
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join(MASK);
  for (const re of PATTERNS) out = out.replace(re, MASK);
  return out;
}

/** Deep-redacts a value for logging; errors become `{name, message, kind?, code?, status?}` without stacks' secrets. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (value instanceof Error) {
    const e = value as Error & { kind?: string; code?: string; status?: number; upstream?: string };
    return {
      name: e.name,
      message: redactString(e.message),
      ...(e.kind ? { kind: e.kind } : {}),
      ...(e.code ? { code: e.code } : {}),
      ...(e.status ? { status: e.status } : {}),
      ...(e.upstream ? { upstream: e.upstream } : {}),
      ...(e.cause !== undefined ? { cause: redact(e.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) && typeof v === "string" ? MASK : redact(v, depth + 1),
    ]),
  );
}
