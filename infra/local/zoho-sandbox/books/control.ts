/**
 * Books controls (`{url}/_sandbox/books/...`, loopback only), for tests and the local stack:
 *
 *   GET    books                          orgs (ids, names, members) and rules
 *   GET    books/workflow-rules           the rules
 *   POST   books/workflow-rules           register a rule (rules.ts: module, trigger, field_filter, webhook, ...)
 *   DELETE books/workflow-rules/{id}
 *   POST   books/connect-hooks            {base_url, use_case, token?, module?, trigger?, fields?}: a rule calling
 *                                        the mediator at POST {base_url}/v1/hooks/books/{use_case}
 *   GET    books/deliveries               the Books webhook deliveries (with the fields each write changed)
 *   GET    books/{module}/{id}            an entity as GET answers it (in whichever org holds it)
 *   GET    books/{module}/{id}/comments   its comments, system entries included
 *   PUT    books/{module}/{id}            a person edits it in the UI (`cf_*` keys are custom fields, checked);
 *                                        `source: "import" | "custom_function"` writes as those, which fire nothing
 *   POST   books/{module}                 a person creates one (Created rules fire)
 *
 * Faults go through the shared `POST /_sandbox/faults` with `target: "books"`; a 429 takes `code` 44, 45 or 1070.
 */
import type { Router } from "../router.js";
import type { ControlCall, ControlRoute } from "../routes/control.js";
import { json, type Reply } from "../state.js";
import { checkCustomFields } from "./custom-fields.js";
import { commentsOf, renderComment } from "./routes-comments.js";
import { addBooksRule, connectBooksHook } from "./rules.js";
import { mainBooksOrgId } from "./seed.js";
import type { BooksChange } from "./store.js";
import {
  BOOKS_MODULES,
  type BooksModule,
  type BooksOrg,
  type BooksWriteOrigin,
  isBooksModule,
} from "./types.js";

const ORIGINS: BooksWriteOrigin[] = ["ui", "import", "custom_function"];

/** A UI edit's body split into Books' keys and custom values (by api name, checked like an API write). */
function uiChange(org: BooksOrg, module: BooksModule, body: Record<string, unknown>): BooksChange | Reply {
  const data: Record<string, unknown> = {};
  const items: { api_name: string; value: unknown }[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (k === "source" || k === "organization_id") continue;
    if (k.startsWith("cf_")) items.push({ api_name: k, value: v });
    else data[k] = v;
  }
  const custom = checkCustomFields(org, module, items, false);
  return custom.ok ? { data, custom: custom.values } : json(400, { error: custom.message });
}

function origin(body: Record<string, unknown>): BooksWriteOrigin {
  return ORIGINS.includes(body.source as BooksWriteOrigin) ? (body.source as BooksWriteOrigin) : "ui";
}

function uiEdit({ body, state }: ControlCall, module: BooksModule, id: string): Reply {
  const found = state.books.locate(module, id);
  if (!found) return json(404, { error: "no such entity" });
  const input = body ?? {};
  const change = uiChange(found.org, module, input);
  if ("status" in change) return change;
  const changed = state.books.update(found.org, module, found.rec, change, {
    origin: origin(input),
    operation: "ui-edit",
  });
  return json(200, { [BOOKS_MODULES[module]]: state.books.render(found.org, module, found.rec), changed });
}

function uiCreate({ body, state }: ControlCall, module: BooksModule): Reply {
  const input = body ?? {};
  const orgId = typeof input.organization_id === "string" ? input.organization_id : mainBooksOrgId(state.ctx);
  const org = state.books.orgs.get(orgId);
  if (!org) return json(404, { error: "no such organization" });
  const change = uiChange(org, module, input);
  if ("status" in change) return change;
  const data = change.data ?? {};
  if (module !== "contacts") {
    data.customer_id ??= [...org.records.contacts.keys()][0];
    data.date ??= state.books.today(org);
    data.status ??= "draft";
  }
  const rec = state.books.insert(
    org,
    module,
    { ...change, data },
    { origin: origin(input), operation: "ui-create" },
  );
  return json(200, { [BOOKS_MODULES[module]]: state.books.render(org, module, rec) });
}

/** Registers the Books controls with the control router. */
export function registerBooksControls(router: Router<ControlRoute>): void {
  router
    .on("GET", "books", ({ state }) =>
      json(200, {
        main_organization_id: mainBooksOrgId(state.ctx),
        organizations: [...state.books.orgs.values()].map((o) => ({
          organization_id: o.organization_id,
          name: o.name,
          dc: o.dc,
          members: o.members,
        })),
        rules: state.books.rules,
      }),
    )
    .on("GET", "books/workflow-rules", ({ state }) => json(200, { rules: state.books.rules }))
    .on("POST", "books/workflow-rules", ({ body, state }) => {
      const rule = addBooksRule(state.books, body);
      return "error" in rule ? json(400, rule) : json(200, rule);
    })
    .on("DELETE", "books/workflow-rules/:id", ({ state }, { id }) => {
      const i = state.books.rules.findIndex((r) => r.id === id);
      if (i < 0) return json(404, { error: "no such rule" });
      state.books.rules.splice(i, 1);
      return json(200, { deleted: id });
    })
    .on("POST", "books/connect-hooks", ({ body, state }) => {
      const rule = connectBooksHook(state.books, {
        baseUrl: String(body?.base_url ?? ""),
        useCase: String(body?.use_case ?? ""),
        ...(typeof body?.token === "string" ? { token: body.token } : {}),
        ...(typeof body?.module === "string" ? { module: body.module } : {}),
        ...(typeof body?.trigger === "string" ? { trigger: body.trigger } : {}),
        ...(Array.isArray(body?.fields) ? { fields: body.fields.map(String) } : {}),
      });
      return "error" in rule ? json(400, rule) : json(200, rule);
    })
    .on("GET", "books/deliveries", ({ state }) =>
      json(200, { deliveries: state.ctx.inspector.webhooks.filter((w) => w.kind === "books-workflow") }),
    )
    .on("GET", "books/:module/:id", ({ state }, { module, id }) => {
      const found = isBooksModule(module) ? state.books.locate(module, id ?? "") : undefined;
      if (!found || !isBooksModule(module)) return json(404, { error: "no such entity" });
      return json(200, state.books.render(found.org, module, found.rec));
    })
    .on("GET", "books/:module/:id/comments", ({ state }, { module, id }) => {
      const found = isBooksModule(module) ? state.books.locate(module, id ?? "") : undefined;
      if (!found || !isBooksModule(module)) return json(404, { error: "no such entity" });
      const comments = commentsOf(found.org, module, id ?? "");
      return json(200, { comments: comments.map((c) => renderComment(state.books, found.org, c)) });
    })
    .on("PUT", "books/:module/:id", (call, { module, id }) =>
      isBooksModule(module) ? uiEdit(call, module, id ?? "") : undefined,
    )
    .on("POST", "books/:module", (call, { module }) =>
      isBooksModule(module) ? uiCreate(call, module) : undefined,
    );
}
