/**
 * CRM queries (checklist items 14 and 16): the Search API (`GET /{module}/search` by `criteria`, `email`, `phone`
 * or `word`) and COQL (`POST /coql` with `select_query`: select / from / where / order by / limit). Both are heavy
 * calls; errors follow Zoho's INVALID_QUERY and SYNTAX_ERROR shapes.
 */

import { parseCoql } from "../coql.js";
import type { Crm } from "../crm.js";
import { fieldList, invalidModule, page, project } from "../crm-reads.js";
import { findModule, type ModuleMeta } from "../metadata.js";
import { parseCriteria, QuerySyntaxError, type Row, UnknownColumnError } from "../query.js";
import type { Router } from "../router.js";
import { crmError, json, type Reply } from "../state.js";
import type { CrmRoute } from "./crm.js";

/** `GET /crm/v8/{module}/search?criteria=|email=|phone=|word=`. */
function search(crm: Crm, moduleName: string, query: Record<string, string>): Reply {
  const module = findModule(crm.modules, moduleName);
  if (!module) return invalidModule();
  const rows = [...crm.table(module.api_name).values()];
  let hits: Row[];
  try {
    if (query.criteria) {
      const predicate = parseCriteria(query.criteria, new Set(module.fields.map((f) => f.api_name)));
      hits = rows.filter(predicate);
    } else if (query.email) {
      const e = query.email.toLowerCase();
      hits = rows.filter((r) =>
        module.fields.some((f) => f.data_type === "email" && String(r[f.api_name] ?? "").toLowerCase() === e),
      );
    } else if (query.phone) {
      const digits = query.phone.replace(/\D/g, "");
      hits = rows.filter((r) =>
        module.fields.some(
          (f) => f.data_type === "phone" && String(r[f.api_name] ?? "").replace(/\D/g, "") === digits,
        ),
      );
    } else if (query.word) {
      const w = query.word.toLowerCase();
      hits = rows.filter((r) =>
        Object.values(r).some((v) => typeof v === "string" && v.toLowerCase().includes(w)),
      );
    } else {
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "criteria",
      });
    }
  } catch (error) {
    if (error instanceof QuerySyntaxError)
      return crmError(400, "INVALID_QUERY", "invalid query formed", { reason: error.message });
    if (error instanceof UnknownColumnError)
      return crmError(400, "INVALID_QUERY", "column given seems to be invalid", {
        column_name: error.column,
      });
    throw error;
  }
  return page(hits, query, fieldList(query));
}

/** `POST /crm/v8/coql` with `select_query`. */
function coql(crm: Crm, body: unknown): Reply {
  const sql = (body as { select_query?: unknown } | undefined)?.select_query;
  if (typeof sql !== "string" || !sql.trim()) {
    return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
      param_name: "select_query",
    });
  }
  try {
    const q = parseCoql(sql, (name) => {
      const m = findModule(crm.modules, name);
      return m ? new Set(m.fields.map((f) => f.api_name)) : undefined;
    });
    if (q.limit > 2000) return crmError(400, "LIMIT_EXCEEDED", "limit exceeded", { limit: 2000 });
    const module = findModule(crm.modules, q.module) as ModuleMeta;
    let rows = [...crm.table(module.api_name).values()].filter(q.where);
    if (q.orderBy) {
      const { field, desc } = q.orderBy;
      rows.sort((a, b) => (String(a[field] ?? "") < String(b[field] ?? "") ? -1 : 1) * (desc ? -1 : 1));
    }
    const total = rows.length;
    rows = rows.slice(q.offset, q.offset + q.limit);
    if (rows.length === 0) return { status: 204 };
    return json(200, {
      data: rows.map((r) => project(r, q.fields)),
      info: { count: rows.length, more_records: q.offset + q.limit < total },
    });
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      return crmError(400, "SYNTAX_ERROR", "invalid query formed", {
        line: 1,
        column: error.column,
        near: error.near,
      });
    }
    if (error instanceof UnknownColumnError) {
      return crmError(400, "INVALID_QUERY", "column given seems to be invalid", {
        column_name: error.column,
        reason: "invalid column",
      });
    }
    throw error;
  }
}

/** Registers this surface's routes with the CRM router (routes/crm.ts), in the order they must be tried. */
export function registerQueryRoutes(router: Router<CrmRoute>): void {
  router
    .on("POST", "coql", ({ body, state }) => ({
      required: ["ZohoCRM.coql.READ", "ZohoCRM.modules.ALL"],
      heavy: true,
      run: () => coql(state.crm, body),
    }))
    .on("GET", ":module/search", ({ query, mod, state }, { module }) => ({
      required: [`ZohoCRM.modules.${mod(module as string)}.READ`],
      heavy: true,
      run: () => search(state.crm, module as string, query),
    }));
}
