/**
 * Outbound webhook delivery shared by CRM and Books workflow rules, Notifications API callbacks and Desk webhooks:
 * one POST (or GET) with the configured timeout and retries (Zoho documents none), recorded in the inspection log.
 */
import type { SandboxContext, WebhookLogEntry } from "./state.js";

/** Posts JSON or form bodies and records the outcome; `okStatuses` says which answers count as delivered. */
export async function deliver(
  ctx: SandboxContext,
  entry: Pick<WebhookLogEntry, "kind" | "rule" | "url" | "module" | "record_id" | "event" | "changed_fields">,
  init: { method: string; headers: Record<string, string>; body?: string },
  okStatuses: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<number | undefined> {
  const started = Date.now();
  let attempts = 0;
  let status: number | undefined;
  let error: string | undefined;
  while (attempts <= ctx.options.webhookRetries) {
    attempts += 1;
    try {
      const res = await fetch(entry.url, {
        ...init,
        signal: AbortSignal.timeout(ctx.options.webhookTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
      error = okStatuses(status) ? undefined : `status ${status}`;
    } catch (e) {
      status = undefined;
      error =
        e instanceof Error && e.name === "TimeoutError"
          ? `timeout after ${ctx.options.webhookTimeoutMs} ms`
          : String(e);
    }
    if (!error) break;
  }
  ctx.inspector.webhook({
    time: ctx.clock.stamp(),
    ...entry,
    ...(status !== undefined ? { status } : {}),
    ok: !error,
    ...(error ? { error } : {}),
    duration_ms: Date.now() - started,
    attempts,
    body: init.body ?? "",
  });
  return status;
}
