/**
 * Books entities (checklist items 18-24): list (`page`, `per_page` up to 200, `filter_by=Status.*`, `customer_id`,
 * `search_text`, `sort_column`/`sort_order`; `page_context` without a total), get by id, `PUT /{module}/{id}`, the
 * custom-fields endpoints `PUT /{invoice|estimate|salesorder}/{id}/customfields` (singular) and the upsert
 * `PUT /{module}` by a unique custom field. Every successful write runs the org's workflow rules.
 */
import type { Params, Router } from "../router.js";
import type { Reply } from "../state.js";
import { checkCustomFields } from "./custom-fields.js";
import { checkEntityBody, createDefaults } from "./entity-writes.js";
import { booksError, booksOk, entityLabel, idKey, notFound } from "./errors.js";
import { fieldsOf } from "./render.js";
import type { BooksCall, BooksPlan, BooksRoute } from "./routes.js";
import { BOOKS_MODULES, type BooksModule, type BooksOrg, isBooksModule, moduleOf } from "./types.js";

const MAX_PER_PAGE = 200;

/** `filter_by=Status.<X>` values per module (lower case; `unpaid` and `all` are views over statuses). */
const STATUS_FILTERS: Record<BooksModule, string[]> = {
  contacts: ["all", "active", "inactive"],
  invoices: ["all", "sent", "draft", "overdue", "paid", "void", "unpaid", "partiallypaid", "viewed"],
  estimates: ["all", "sent", "draft", "invoiced", "accepted", "declined", "expired"],
  salesorders: ["all", "open", "draft", "closed", "void"],
};

const UPDATED: Record<BooksModule, string> = {
  contacts: "Contact information has been updated.",
  invoices: "Invoice information has been updated.",
  estimates: "Estimate information has been updated.",
  salesorders: "Sales Order information has been updated.",
};

const scope = (module: BooksModule, op: string) => `ZohoBooks.${module}.${op}`;
const invalid = (call: BooksCall, message: string): Reply =>
  booksError(400, call.options.booksValidationErrorCode, message);
const positiveInt = (v: string | undefined, fallback: number) => {
  const n = v === undefined ? fallback : Number(v);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
};

function statusMatches(row: Record<string, unknown>, filter: string): boolean {
  if (filter === "all") return true;
  if (filter === "unpaid")
    return Number(row.balance ?? 0) > 0 && !["draft", "void"].includes(String(row.status));
  return String(row.status).replace(/_/g, "") === filter;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a ?? "").toLowerCase();
  const y = String(b ?? "").toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function list(call: BooksCall, org: BooksOrg, module: BooksModule): Reply {
  const { query, books } = call;
  const page = positiveInt(query.page, 1);
  const perPage = positiveInt(query.per_page, MAX_PER_PAGE);
  if (page === undefined) return invalid(call, "Invalid value passed for page");
  if (perPage === undefined) return invalid(call, "Invalid value passed for per_page");
  // Above the maximum is served as the maximum (whether Books refuses it instead is not documented).
  const size = Math.min(perPage, MAX_PER_PAGE);
  const filterBy = query.filter_by ?? "Status.All";
  const filter = /^Status\.(\w+)$/i.exec(filterBy)?.[1]?.toLowerCase();
  if (!filter || !STATUS_FILTERS[module].includes(filter))
    return invalid(call, "Invalid value passed for filter_by");
  const sortColumn = query.sort_column ?? "created_time";
  const sortOrder = query.sort_order ?? "D";
  if (sortOrder !== "A" && sortOrder !== "D") return invalid(call, "Invalid value passed for sort_order");
  const search = query.search_text?.toLowerCase();
  const nameKey = module === "contacts" ? "contact_name" : `${BOOKS_MODULES[module]}_number`;
  const rows = [...org.records[module].values()]
    .map((rec) => books.render(org, module, rec, true))
    .filter((row) => statusMatches(row, filter))
    .filter((row) => !query.status || row.status === query.status)
    .filter((row) => !query.customer_id || row.customer_id === query.customer_id)
    .filter(
      (row) =>
        !search ||
        [row[nameKey], row.customer_name].some((v) =>
          String(v ?? "")
            .toLowerCase()
            .includes(search),
        ),
    )
    .sort(
      (a, b) =>
        (sortOrder === "A" ? 1 : -1) * compare(a[sortColumn], b[sortColumn]) ||
        compare(a[idKey(module)], b[idKey(module)]),
    );
  const start = (page - 1) * size;
  return booksOk("success", {
    [module]: rows.slice(start, start + size),
    page_context: {
      page,
      per_page: size,
      has_more_page: rows.length > start + size,
      report_name: `${entityLabel(module)}s`,
      applied_filter: filterBy,
      sort_column: sortColumn,
      sort_order: sortOrder,
      search_criteria: [],
    },
  });
}

function put(call: BooksCall, org: BooksOrg, module: BooksModule, id: string, operation = "update"): Reply {
  const rec = org.records[module].get(id);
  if (!rec) return notFound(module);
  const change = checkEntityBody(call.books, org, module, call.body, call.options, rec);
  if ("error" in change) return invalid(call, change.error);
  call.books.update(org, module, rec, change, { origin: "api", operation, skipWebhooks: call.skipWebhooks });
  return booksOk(UPDATED[module], { [BOOKS_MODULES[module]]: call.books.render(org, module, rec) });
}

function putCustomFields(call: BooksCall, org: BooksOrg, module: BooksModule, id: string): Reply {
  const rec = org.records[module].get(id);
  if (!rec) return notFound(module);
  const checked = checkCustomFields(org, module, call.body, false);
  if (!checked.ok) return invalid(call, checked.message);
  if (Object.keys(checked.values).length > 0)
    call.books.update(
      org,
      module,
      rec,
      { custom: checked.values },
      { origin: "api", operation: "customfields", skipWebhooks: call.skipWebhooks },
    );
  return booksOk("Custom Fields Updated Successfully");
}

/** `PUT /{module}` with `X-Unique-Identifier-Key`/`-Value` and optional `X-Upsert: true` (item 23). */
function upsert(call: BooksCall, org: BooksOrg, module: BooksModule): Reply {
  const key = call.headers["x-unique-identifier-key"];
  const value = call.headers["x-unique-identifier-value"];
  const field = fieldsOf(org, module).find((f) => f.api_name === key);
  if (!field || typeof value !== "string")
    return invalid(call, "Invalid value passed for X-Unique-Identifier-Key");
  const matches = [...org.records[module].values()].filter(
    (r) => String(r.custom[field.customfield_id]) === value,
  );
  if (matches.length > 1)
    return invalid(call, `More than one ${entityLabel(module)} has ${field.label} ${value}.`);
  const [match] = matches;
  if (match) return put(call, org, module, String(match.data[idKey(module)]), "upsert");
  if (String(call.headers["x-upsert"]).toLowerCase() !== "true") return notFound(module);
  const change = checkEntityBody(call.books, org, module, call.body, call.options);
  if ("error" in change) return invalid(call, change.error);
  const rec = call.books.insert(
    org,
    module,
    {
      data: { ...createDefaults(call.books, org, module), ...change.data },
      custom: { ...(change.custom ?? {}), [field.customfield_id]: value },
    },
    { origin: "api", operation: "upsert", skipWebhooks: call.skipWebhooks },
  );
  const entity = BOOKS_MODULES[module];
  return booksOk(
    `The ${entityLabel(module).toLowerCase()} has been created.`,
    { [entity]: call.books.render(org, module, rec) },
    201,
  );
}

/** A plan for `module` (a URL module name) when it is one, else the call passes on. */
const onModule =
  (op: string, serve: (call: BooksCall, org: BooksOrg, module: BooksModule, p: Params) => Reply) =>
  (call: BooksCall, p: Params): BooksPlan | undefined => {
    const module = p.module;
    if (!isBooksModule(module)) return undefined;
    return { scope: scope(module, op), run: (org) => serve(call, org, module, p) };
  };

/** Registers this surface's routes with the Books router (routes.ts). */
export function registerEntityRoutes(router: Router<BooksRoute>): void {
  router
    .on(
      "GET",
      ":module",
      onModule("READ", (call, org, module) => list(call, org, module)),
    )
    .on(
      "PUT",
      ":module",
      onModule("UPDATE", (call, org, module) => upsert(call, org, module)),
    )
    .on(
      "GET",
      ":module/:id",
      onModule("READ", (call, org, module, p) => {
        const rec = org.records[module].get(p.id ?? "");
        return rec
          ? booksOk("success", { [BOOKS_MODULES[module]]: call.books.render(org, module, rec) })
          : notFound(module);
      }),
    )
    .on(
      "PUT",
      ":module/:id",
      onModule("UPDATE", (call, org, module, p) => put(call, org, module, p.id ?? "")),
    )
    .on("PUT", ":entity/:id/customfields", (call, p) => {
      // Singular, and transactions only: contacts take custom fields through PUT /contacts/{id}.
      const module = moduleOf(p.entity ?? "");
      if (!module || module === "contacts") return undefined;
      return { scope: scope(module, "UPDATE"), run: (org) => putCustomFields(call, org, module, p.id ?? "") };
    });
}
