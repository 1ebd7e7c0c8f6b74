/**
 * Books workflow rules with a webhook action (checklist item 27). API writes fire rules (Books documents no way to
 * skip them); imports and custom-function writes do not; comments are not entity writes and never fire. A rule's
 * webhook sends the Default Payload, `{"<entity>": {...the entity as GET answers it...}}` as JSON, with the rule's
 * method, custom headers and query parameters. The payload does not say which fields changed (Books' does not
 * either: it carries `last_modified_time`); the inspection log records them per delivery (`changed_fields`).
 */
import { createHmac } from "node:crypto";
import { track } from "../state.js";
import { deliver } from "../webhook-delivery.js";
import { booksJson } from "./render.js";
import type { Books } from "./store.js";
import { BOOKS_MODULES, type BooksRule, type BooksWriteEvent } from "./types.js";

const same = (a: unknown, b: unknown) => String(a ?? "") === String(b ?? "");

function matches(rule: BooksRule, event: BooksWriteEvent, entity: Record<string, unknown>): boolean {
  if (!rule.is_active || rule.organization_id !== event.org.organization_id) return false;
  if (rule.module !== BOOKS_MODULES[event.module]) return false;
  if (rule.trigger !== "created_or_edited" && rule.trigger !== event.event) return false;
  const filter = rule.field_filter;
  if (event.event === "edited" && filter?.fields.length) {
    const hit = (f: string) => event.changed.includes(f);
    if (filter.when === "all_selected" ? !filter.fields.every(hit) : !filter.fields.some(hit)) return false;
  }
  return (rule.criteria ?? []).every(
    (c) =>
      (!("equals" in c) || same(entity[c.field], c.equals)) &&
      (!("not_equals" in c) || !same(entity[c.field], c.not_equals)),
  );
}

/**
 * `X-Zoho-Webhook-Signature` as Zoho Billing computes it (UNCONFIRMED for Books): HMAC-SHA256 (hex) with the
 * rule's secret over the query parameters as `keyvalue` pairs sorted by key, then the raw JSON body.
 */
export function webhookSignature(secret: string, url: URL, body: string): string {
  const params = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}${v}`)
    .join("");
  return createHmac("sha256", secret)
    .update(params + body)
    .digest("hex");
}

/** The request a rule sends for an entity payload. */
export function webhookRequest(
  rule: BooksRule,
  body: string,
): { url: string; method: string; headers: Record<string, string>; body: string } {
  const url = new URL(rule.webhook.url);
  for (const [k, v] of Object.entries(rule.webhook.query_parameters ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "ZohoBooks-Webhook-Sandbox",
    ...(rule.webhook.headers ?? {}),
  };
  if (rule.webhook.secret)
    headers["X-Zoho-Webhook-Signature"] = webhookSignature(rule.webhook.secret, url, body);
  return { url: url.toString(), method: rule.webhook.method ?? "POST", headers, body };
}

/** Runs the org's rules for a write and records what ran in the inspection log. */
export function runRules(books: Books, event: BooksWriteEvent): void {
  const { ctx } = books;
  const suppressed = event.origin === "import" || event.origin === "custom_function" || event.skipWebhooks;
  const fired: string[] = [];
  const rec = event.org.records[event.module].get(event.id);
  if (!suppressed && rec) {
    const entityName = BOOKS_MODULES[event.module];
    const entity = books.render(event.org, event.module, rec);
    // Rendered once, at the write: a later write does not change what this delivery says.
    const body = booksJson({ [entityName]: entity }, ctx.options.booksNumericIds);
    for (const rule of books.rules) {
      if (!matches(rule, event, entity)) continue;
      fired.push(rule.id);
      const request = webhookRequest(rule, body);
      track(
        ctx,
        deliver(
          ctx,
          {
            kind: "books-workflow",
            rule: rule.id,
            url: request.url,
            module: event.module,
            record_id: event.id,
            event: event.event,
            changed_fields: event.changed,
          },
          { method: request.method, headers: request.headers, body: request.body },
        ),
      );
    }
  }
  ctx.inspector.automation({
    time: ctx.clock.stamp(),
    module: event.module,
    record_id: event.id,
    ran: suppressed ? [] : ["workflow"],
    rules_fired: fired,
    trigger: null,
    source: event.origin === "api" ? "api" : "ui",
  });
}
