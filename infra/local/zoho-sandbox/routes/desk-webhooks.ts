/**
 * Desk webhooks (checklist item 22): create (Desk checks the URL with a GET before saving), list, get, delete. The
 * deliveries themselves are the Desk store's emitter (desk.ts).
 */
import type { Desk, DeskWebhook } from "../desk.js";
import { type FieldError, invalid } from "../desk-fields.js";
import type { Router } from "../router.js";
import { json, type Reply } from "../state.js";
import type { DeskRoute } from "./desk.js";
import { DESK_NOT_FOUND } from "./gateway.js";

/** `POST /api/v1/webhooks`: Desk checks the URL with a GET before saving. */
async function createWebhook(desk: Desk, body: unknown): Promise<Reply> {
  const input = (body ?? {}) as Partial<DeskWebhook>;
  const errors: FieldError[] = [];
  if (typeof input.url !== "string" || !/^https?:\/\//.test(input.url))
    errors.push({ fieldName: "/url", errorType: input.url ? "invalid" : "missing" });
  if (
    !input.subscriptions ||
    typeof input.subscriptions !== "object" ||
    Object.keys(input.subscriptions).length === 0
  )
    errors.push({ fieldName: "/subscriptions", errorType: "missing" });
  for (const sub of Object.values(input.subscriptions ?? {}))
    if (sub?.fields && sub.fields.length > 5)
      errors.push({ fieldName: "/subscriptions/Ticket_Update/fields", errorType: "invalid" });
  if (errors.length) return invalid(errors);
  try {
    const check = await fetch(input.url as string, {
      method: "GET",
      signal: AbortSignal.timeout(desk.ctx.options.webhookTimeoutMs),
    });
    await check.arrayBuffer();
    if (check.status !== 200) return invalid([{ fieldName: "/url", errorType: "invalid" }]);
  } catch {
    return invalid([{ fieldName: "/url", errorType: "invalid" }]);
  }
  const hook: DeskWebhook = {
    id: desk.ctx.ids.next(),
    name: input.name ?? "webhook",
    url: input.url as string,
    isEnabled: input.isEnabled ?? true,
    subscriptions: input.subscriptions as DeskWebhook["subscriptions"],
    createdTime: desk.stamp(),
    ...(input.ignoreSourceId ? { ignoreSourceId: input.ignoreSourceId } : {}),
    ...(input.includeEventsFrom ? { includeEventsFrom: input.includeEventsFrom } : {}),
  };
  desk.webhooks.set(hook.id, hook);
  return json(200, hook);
}

/** Registers this surface's routes with the Desk router (routes/desk.ts). */
export function registerDeskWebhookRoutes(router: Router<DeskRoute>): void {
  router
    .on(
      "POST",
      "webhooks",
      ({ desk, need, body }) =>
        need("Desk.settings.CREATE", "Desk.events.CREATE") ?? createWebhook(desk, body),
    )
    .on(
      "GET",
      "webhooks",
      ({ desk, need }) => need("Desk.settings.READ") ?? json(200, { data: [...desk.webhooks.values()] }),
    )
    .on("GET", "webhooks/:id", ({ desk, need }, { id }) => {
      const hook = desk.webhooks.get(id as string);
      return need("Desk.settings.READ") ?? (hook ? json(200, hook) : DESK_NOT_FOUND());
    })
    .on(
      "DELETE",
      "webhooks/:id",
      ({ desk, need }, { id }) =>
        need("Desk.settings.DELETE") ??
        (desk.webhooks.delete(id as string) ? { status: 204 } : DESK_NOT_FOUND()),
    );
}
