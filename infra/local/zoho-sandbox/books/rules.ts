/**
 * Registering Books workflow rules (what an admin does under Settings -> Automation): a rule from a control call's
 * JSON, and the rule the local stack or a test sets up to call the mediator at `POST /v1/hooks/books/{useCase}`
 * with `X-Mediator-Token`.
 */
import { mainBooksOrgId } from "./seed.js";
import type { Books } from "./store.js";
import { BOOKS_MODULES, type BooksEntity, type BooksRule } from "./types.js";

const TRIGGERS = ["created", "edited", "created_or_edited"] as const;
const METHODS = ["POST", "PUT", "DELETE"] as const;

const strings = (v: unknown): Record<string, string> | undefined =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]))
    : undefined;

/**
 * A rule from `{name?, organization_id?, module, trigger?, field_filter?: {when?, fields}, criteria?, is_active?,
 * webhook: {url, method?, headers?, query_parameters?, secret?}}`, registered in `books.rules`; or what is wrong.
 */
export function addBooksRule(books: Books, input: unknown): BooksRule | { error: string } {
  const body = (input ?? {}) as Record<string, unknown>;
  const module = body.module as BooksEntity;
  if (!Object.values(BOOKS_MODULES).includes(module))
    return { error: `module must be one of ${Object.values(BOOKS_MODULES).join(", ")}` };
  const trigger = (body.trigger ?? "created_or_edited") as BooksRule["trigger"];
  if (!TRIGGERS.includes(trigger)) return { error: `trigger must be one of ${TRIGGERS.join(", ")}` };
  const hook = (body.webhook ?? {}) as Record<string, unknown>;
  if (typeof hook.url !== "string" || !/^https?:\/\//.test(hook.url))
    return { error: "webhook.url is required" };
  const method = (hook.method ?? "POST") as (typeof METHODS)[number];
  if (!METHODS.includes(method)) return { error: `webhook.method must be one of ${METHODS.join(", ")}` };
  const orgId = typeof body.organization_id === "string" ? body.organization_id : mainBooksOrgId(books.ctx);
  if (!books.orgs.has(orgId)) return { error: `no organization ${orgId}` };
  const filter = body.field_filter as { when?: unknown; fields?: unknown } | undefined;
  if (filter && (!Array.isArray(filter.fields) || filter.fields.some((f) => typeof f !== "string")))
    return { error: "field_filter.fields must list field names" };
  const headers = strings(hook.headers);
  const query = strings(hook.query_parameters);
  const rule: BooksRule = {
    id: books.nextId(),
    name: typeof body.name === "string" ? body.name : `${module} webhook`,
    organization_id: orgId,
    module,
    trigger,
    ...(filter
      ? {
          field_filter: {
            when: filter.when === "all_selected" ? "all_selected" : "any_selected",
            fields: filter.fields as string[],
          },
        }
      : {}),
    ...(Array.isArray(body.criteria) ? { criteria: body.criteria as BooksRule["criteria"] & object } : {}),
    is_active: body.is_active !== false,
    webhook: {
      url: hook.url,
      method,
      ...(headers ? { headers } : {}),
      ...(query ? { query_parameters: query } : {}),
      ...(typeof hook.secret === "string" ? { secret: hook.secret } : {}),
    },
  };
  books.rules.push(rule);
  return rule;
}

/**
 * Points a rule of the main org at the mediator: `POST {base}/v1/hooks/books/{useCase}` with `X-Mediator-Token`,
 * on `module` (default invoice) Created or Edited, optionally only when one of `fields` changed.
 */
export function connectBooksHook(
  books: Books,
  input: {
    baseUrl: string;
    useCase: string;
    token?: string;
    module?: string;
    trigger?: string;
    fields?: string[];
  },
): BooksRule | { error: string } {
  return addBooksRule(books, {
    name: `AI ${input.useCase}`,
    module: input.module ?? "invoice",
    trigger: input.trigger ?? "created_or_edited",
    ...(input.fields?.length ? { field_filter: { when: "any_selected", fields: input.fields } } : {}),
    webhook: {
      url: `${input.baseUrl.replace(/\/+$/, "")}/v1/hooks/books/${encodeURIComponent(input.useCase)}`,
      method: "POST",
      headers: input.token ? { "X-Mediator-Token": input.token } : {},
    },
  });
}
