/**
 * Zoho CRM v8 as the sandbox serves it (fact sheet §2 and checklist items 10-16, 18): records (list, get, insert,
 * update, upsert, search), per-record validation against the served field metadata, 201/200/207/400/204 status
 * rules, Notes, Tasks, COQL, field metadata and the Notifications watch API.
 */
import { type FieldMeta, findModule, type ModuleMeta, toFieldMeta } from "./metadata.js";
import { parseCoql, parseCriteria, QuerySyntaxError, type Row, UnknownColumnError } from "./query.js";
import { crmError, json, type Reply, type SandboxContext } from "./state.js";

export interface OrgUser {
  id: string;
  name: string;
  email: string;
}

/** What a write reports to automation: enough to run workflow rules and notification channels. */
export interface WriteEvent {
  module: ModuleMeta;
  record: Row;
  operation: "insert" | "update";
  changed: string[];
  trigger: string[] | null;
  source: "api" | "ui";
}

type ItemResult =
  | { ok: true; record: Row; action: "insert" | "update"; duplicateField?: string }
  | { ok: false; error: Row };

const MAX_WRITE = 100;
const MAX_PER_PAGE = 200;
const MAX_FIELDS = 50;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$/;

/**
 * Data types the Create Custom Field API accepts here, with their length range and default. Zoho's list is longer
 * (lookup, formula, autonumber, fileupload, ...: see the OAS `data_type` enum); those are refused with INVALID_DATA on
 * `data_type`, as the OAS 207 example answers an unusable type. Lengths follow Zoho's "Field types: data types and
 * length limits" (text 255, integer 9 digits, decimal/currency 16, percent 5; textarea small/large/rich 2000/32000/50000).
 */
const CREATABLE: Record<string, { max: number; default: number } | undefined> = {
  text: { max: 255, default: 255 },
  textarea: { max: 50_000, default: 2000 },
  email: { max: 100, default: 100 },
  phone: { max: 30, default: 30 },
  website: { max: 255, default: 255 },
  picklist: { max: 120, default: 120 },
  multiselectpicklist: { max: 120, default: 120 },
  integer: { max: 9, default: 9 },
  bigint: { max: 18, default: 18 },
  double: { max: 16, default: 16 },
  currency: { max: 16, default: 16 },
  percent: { max: 5, default: 5 },
  date: { max: 20, default: 20 },
  datetime: { max: 120, default: 120 },
  boolean: { max: 5, default: 5 },
};
const TEXTAREA_SIZES: Record<string, number> = { small: 2000, large: 32_000, rich_text: 50_000 };

const itemError = (
  code: string,
  message: string,
  details: Record<string, unknown>,
): { ok: false; error: Row } => ({
  ok: false,
  error: { code, details, message, status: "error" },
});

export class Crm {
  readonly records = new Map<string, Map<string, Row>>();
  readonly users: OrgUser[] = [];
  onWrite: (event: WriteEvent) => void = () => {};

  constructor(
    private readonly ctx: SandboxContext,
    readonly modules: Map<string, ModuleMeta>,
  ) {
    for (const name of modules.keys()) this.records.set(name, new Map());
  }

  table(module: string): Map<string, Row> {
    const t = this.records.get(module);
    if (!t) throw new Error(`no table ${module}`);
    return t;
  }

  user(id: string): OrgUser {
    return this.users.find((u) => u.id === id) ?? (this.users[0] as OrgUser);
  }

  private ref(user: OrgUser) {
    return { name: user.name, id: user.id, email: user.email };
  }

  /** Finds a record in any module (used by Notes/Tasks parents and lookups). */
  find(module: string, id: string): Row | undefined {
    return this.records.get(module)?.get(id);
  }

  // ---------------------------------------------------------------- validation

  /** Validates and normalises one field value; returns an error item or the value to store. */
  private checkValue(
    field: FieldMeta,
    value: unknown,
    path: string,
  ): { value: unknown } | { ok: false; error: Row } {
    const bad = (extra: Record<string, unknown> = {}) =>
      itemError("INVALID_DATA", "invalid data", { api_name: field.api_name, json_path: path, ...extra });
    if (value === null) return { value: null };
    switch (field.data_type) {
      case "text":
      case "textarea":
      case "phone":
      case "website":
      case "email":
      case "picklist": {
        if (typeof value !== "string")
          return bad({ expected_data_type: field.data_type === "picklist" ? "picklist" : "string" });
        if (value.length > field.length) return bad({ maximum_length: field.length });
        if (field.data_type === "email" && value !== "" && !EMAIL.test(value))
          return bad({ expected_data_type: "email" });
        if (field.data_type === "picklist" && field.restricted_picklist && value !== "") {
          const allowed = field.pick_list_values.some(
            (p) => p.actual_value === value || p.display_value === value,
          );
          if (!allowed) return bad({ expected_data_type: "picklist" });
        }
        return { value };
      }
      case "multiselectpicklist":
        return Array.isArray(value) && value.every((v) => typeof v === "string")
          ? { value }
          : bad({ expected_data_type: "jsonarray" });
      case "integer":
        return typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= 2_147_483_647
          ? { value }
          : bad({ expected_data_type: "integer" });
      case "bigint":
        return (typeof value === "string" && /^-?\d{1,19}$/.test(value)) ||
          (typeof value === "number" && Number.isSafeInteger(value))
          ? { value: String(value) }
          : bad({ expected_data_type: "bigint" });
      case "double":
      case "currency":
      case "percent":
        return typeof value === "number" && Number.isFinite(value)
          ? { value }
          : bad({ expected_data_type: "double" });
      case "boolean":
        return typeof value === "boolean" ? { value } : bad({ expected_data_type: "boolean" });
      case "date":
        return typeof value === "string" && DATE.test(value)
          ? { value }
          : bad({ expected_data_type: "date" });
      case "datetime":
        return typeof value === "string" && DATETIME.test(value)
          ? { value }
          : bad({ expected_data_type: "datetime" });
      case "lookup":
      case "ownerlookup": {
        const id =
          typeof value === "string"
            ? value
            : value && typeof value === "object"
              ? (value as { id?: unknown }).id
              : undefined;
        if (typeof id !== "string" || !/^\d{1,19}$/.test(id))
          return bad({ expected_data_type: "jsonobject" });
        if (field.data_type === "ownerlookup") {
          const user = this.users.find((u) => u.id === id);
          return user ? { value: this.ref(user) } : bad({ expected_data_type: "ownerlookup" });
        }
        const target = "module" in field.lookup ? field.lookup.module?.api_name : undefined;
        const record = target ? this.find(target, id) : undefined;
        if (target && !record) return bad();
        return {
          value: {
            id,
            name: record ? String(record.Full_Name ?? record.Account_Name ?? record.Deal_Name ?? "") : "",
          },
        };
      }
      default:
        return { value };
    }
  }

  /**
   * Validates one input record. Insert requires every `system_mandatory` field; update must not blank one.
   * Unknown keys are ignored, as Zoho ignores field names it does not know; read-only fields are ignored too.
   */
  private validate(
    module: ModuleMeta,
    input: Row,
    index: number,
    existing?: Row,
  ): ItemResult | { ok: true; fields: Row } {
    const fields: Row = {};
    const byName = new Map(module.fields.map((f) => [f.api_name, f]));
    for (const f of module.fields) {
      if (!f.system_mandatory) continue;
      const given = Object.hasOwn(input, f.api_name) ? input[f.api_name] : existing?.[f.api_name];
      if (given === undefined || given === null || given === "") {
        return itemError("MANDATORY_NOT_FOUND", "required field not found", {
          api_name: f.api_name,
          json_path: `$.data[${index}].${f.api_name}`,
        });
      }
    }
    for (const [key, value] of Object.entries(input)) {
      if (key === "id" || key.startsWith("$")) continue;
      const field = byName.get(key);
      if (!field || field.read_only) continue;
      const checked = this.checkValue(field, value, `$.data[${index}].${key}`);
      if ("ok" in checked) return checked;
      fields[key] = checked.value;
    }
    for (const field of module.fields) {
      if (!("casesensitive" in field.unique)) continue;
      const v = fields[field.api_name];
      if (typeof v !== "string" || v === "") continue;
      const clash = [...this.table(module.api_name).values()].find(
        (r) =>
          r.id !== existing?.id &&
          typeof r[field.api_name] === "string" &&
          (r[field.api_name] as string).toLowerCase() === v.toLowerCase(),
      );
      if (clash) return this.duplicate(module, field.api_name, index, clash);
    }
    return { ok: true, fields };
  }

  private duplicate(module: ModuleMeta, apiName: string, index: number, clash: Row) {
    const owner = clash.Owner as { name: string; id: string } | undefined;
    return itemError("DUPLICATE_DATA", "duplicate data", {
      api_name: apiName,
      json_path: `$.data[${index}].${apiName}`,
      duplicate_record: {
        id: clash.id,
        module: { api_name: module.api_name, id: module.id },
        Owner: owner ? { name: owner.name, id: owner.id } : null,
      },
    });
  }

  // ---------------------------------------------------------------- writes

  private insertOne(
    module: ModuleMeta,
    input: Row,
    index: number,
    userId: string,
    extra: Row = {},
  ): ItemResult {
    const checked = this.validate(module, input, index);
    if (!("fields" in checked)) return checked;
    const now = this.ctx.clock.stamp();
    const user = this.ref(this.user(userId));
    const record: Row = {
      id: this.ctx.ids.next(),
      Owner: user,
      ...checked.fields,
      ...extra,
      Created_Time: now,
      Modified_Time: now,
      Created_By: user,
      Modified_By: user,
    };
    this.derive(module, record);
    this.table(module.api_name).set(record.id as string, record);
    return { ok: true, record, action: "insert" };
  }

  private updateOne(module: ModuleMeta, input: Row, index: number, userId: string, id: string): ItemResult {
    const existing = this.table(module.api_name).get(id);
    if (!existing)
      return itemError("INVALID_DATA", "the id given seems to be invalid", {
        id,
        json_path: `$.data[${index}].id`,
      });
    const checked = this.validate(module, input, index, existing);
    if (!("fields" in checked)) return checked;
    Object.assign(existing, checked.fields, {
      Modified_Time: this.ctx.clock.stamp(),
      Modified_By: this.ref(this.user(userId)),
    });
    this.derive(module, existing);
    return { ok: true, record: existing, action: "update" };
  }

  /** Formula-like fields the real CRM computes. */
  private derive(module: ModuleMeta, record: Row): void {
    if (module.fields.some((f) => f.api_name === "Full_Name")) {
      record.Full_Name = [record.First_Name, record.Last_Name]
        .filter((p) => typeof p === "string" && p)
        .join(" ");
    }
  }

  private successItem(result: Extract<ItemResult, { ok: true }>, upsert: boolean): Row {
    const r = result.record;
    return {
      code: "SUCCESS",
      details: {
        Modified_Time: r.Modified_Time,
        Modified_By: { name: (r.Modified_By as OrgUser).name, id: (r.Modified_By as OrgUser).id },
        Created_Time: r.Created_Time,
        id: r.id,
        Created_By: { name: (r.Created_By as OrgUser).name, id: (r.Created_By as OrgUser).id },
        $approval_state: "approved",
      },
      message: result.action === "insert" ? "record added" : "record updated",
      status: "success",
      ...(upsert ? { action: result.action, duplicate_field: result.duplicateField ?? null } : {}),
    };
  }

  /**
   * Insert, update or upsert a batch (POST, PUT, POST /upsert). Status: all succeed → 201 (insert) or 200;
   * mixed → 207; all fail → 400. Results keep input order.
   */
  write(
    moduleName: string,
    kind: "insert" | "update" | "upsert",
    body: unknown,
    userId: string,
    source: "api" | "ui" = "api",
    pathId?: string,
  ): Reply {
    const module = findModule(this.modules, moduleName);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        resource_path_index: 0,
      });
    const payload = body as
      | { data?: unknown; trigger?: unknown; duplicate_check_fields?: unknown }
      | undefined;
    if (!payload || typeof payload !== "object" || !Array.isArray(payload.data)) {
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "data",
      });
    }
    if (payload.data.length > MAX_WRITE) {
      return crmError(400, "LIMIT_EXCEEDED", `the number of records must not exceed ${MAX_WRITE}`, {
        limit: MAX_WRITE,
      });
    }
    if (
      payload.trigger !== undefined &&
      !(Array.isArray(payload.trigger) && payload.trigger.every((t) => typeof t === "string"))
    ) {
      return crmError(400, "INVALID_DATA", "invalid data", { api_name: "trigger", json_path: "$.trigger" });
    }
    const trigger = (payload.trigger as string[] | undefined) ?? null;
    const dupFields = Array.isArray(payload.duplicate_check_fields)
      ? (payload.duplicate_check_fields as string[])
      : module.fields.filter((f) => "casesensitive" in f.unique).map((f) => f.api_name);

    const results: ItemResult[] = payload.data.map((item, index): ItemResult => {
      if (!item || typeof item !== "object" || Array.isArray(item))
        return itemError("INVALID_DATA", "invalid data", { json_path: `$.data[${index}]` });
      const row = item as Row;
      if (kind === "insert") {
        if (module.api_name === "Notes") return this.insertNote(module, row, index, userId);
        if (module.api_name === "Tasks") return this.insertTask(module, row, index, userId);
        return this.insertOne(module, row, index, userId);
      }
      if (kind === "update") {
        const id = pathId ?? row.id;
        if (typeof id !== "string") {
          return itemError("MANDATORY_NOT_FOUND", "required field not found", {
            api_name: "id",
            json_path: `$.data[${index}].id`,
          });
        }
        return this.updateOne(module, row, index, userId, id);
      }
      const match = dupFields
        .map((f) => ({ f, v: row[f] }))
        .filter(({ v }) => typeof v === "string" && v !== "")
        .map(({ f, v }) => ({
          f,
          r: [...this.table(module.api_name).values()].find(
            (r) => String(r[f] ?? "").toLowerCase() === (v as string).toLowerCase(),
          ),
        }))
        .find(({ r }) => r);
      if (match?.r) {
        const res = this.updateOne(module, row, index, userId, match.r.id as string);
        return res.ok ? { ...res, duplicateField: match.f } : res;
      }
      return this.insertOne(module, row, index, userId);
    });

    const inputs = payload.data as Row[];
    const okCount = results.filter((r) => r.ok).length;
    const status = okCount === 0 ? 400 : okCount < results.length ? 207 : kind === "insert" ? 201 : 200;
    const data = results.map((r) => (r.ok ? this.successItem(r, kind === "upsert") : r.error));
    const written = results.filter((r): r is Extract<ItemResult, { ok: true }> => r.ok);
    this.ctx.inspector.write({
      time: this.ctx.clock.stamp(),
      service: "crm",
      module: module.api_name,
      operation: kind,
      ids: written.map((r) => r.record.id as string),
      trigger,
      source,
      fields: written.map((r) => Object.keys(inputs[results.indexOf(r)] ?? {}).filter((k) => k !== "id")),
    });
    for (const r of written) {
      const changed = Object.keys(inputs[results.indexOf(r)] ?? {}).filter((k) => k !== "id");
      this.onWrite({ module, record: r.record, operation: r.action, changed, trigger, source });
    }
    return json(status, { data });
  }

  /** Notes: `Parent_Id: {module: {api_name}, id}`; an unknown parent is INVALID_DATA on `Parent_Id`. */
  private insertNote(module: ModuleMeta, row: Row, index: number, userId: string): ItemResult {
    const parent = row.Parent_Id as { module?: { api_name?: string }; id?: string } | string | undefined;
    const parentModule =
      typeof parent === "object" ? parent?.module?.api_name : (row.se_module as string | undefined);
    const parentId = typeof parent === "object" ? parent?.id : parent;
    const target = parentModule ? findModule(this.modules, parentModule) : undefined;
    const found = target && typeof parentId === "string" ? this.find(target.api_name, parentId) : undefined;
    if (!target || !found) {
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "Parent_Id",
        json_path: `$.data[${index}].Parent_Id`,
      });
    }
    const { Parent_Id: _ignored, ...rest } = row;
    return this.insertOne(module, rest, index, userId, {
      Parent_Id: {
        module: { api_name: target.api_name, id: target.id },
        id: parentId,
        name: String(found.Full_Name ?? found.Account_Name ?? found.Deal_Name ?? ""),
      },
      $se_module: target.api_name,
    });
  }

  /** Tasks: `What_Id: {id}` with `$se_module` naming the parent module; both must resolve. */
  private insertTask(module: ModuleMeta, row: Row, index: number, userId: string): ItemResult {
    const what = row.What_Id as { id?: string } | string | undefined;
    const extra: Row = {};
    if (what !== undefined) {
      const id = typeof what === "object" ? what?.id : what;
      const se = typeof row.$se_module === "string" ? findModule(this.modules, row.$se_module) : undefined;
      const found = se && typeof id === "string" ? this.find(se.api_name, id) : undefined;
      if (!se || !found)
        return itemError("INVALID_DATA", "invalid data", {
          api_name: "What_Id",
          json_path: `$.data[${index}].What_Id`,
        });
      extra.What_Id = { id, name: String(found.Full_Name ?? found.Account_Name ?? found.Deal_Name ?? "") };
      extra.$se_module = se.api_name;
    }
    const { What_Id: _w, ...rest } = row;
    return this.insertOne(module, rest, index, userId, extra);
  }

  // ---------------------------------------------------------------- reads

  private project(record: Row, fields?: string[]): Row {
    if (!fields) return record;
    const out: Row = { id: record.id };
    for (const f of fields) if (f in record) out[f] = record[f];
    return out;
  }

  private page(rows: Row[], query: Record<string, string>, fields?: string[]): Reply {
    const perPage = Number(query.per_page ?? MAX_PER_PAGE);
    const page = Number(query.page ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      return crmError(400, "INVALID_DATA", "invalid data", {
        param_name: "per_page",
        maximum_value: MAX_PER_PAGE,
      });
    }
    if (!Number.isInteger(page) || page < 1)
      return crmError(400, "INVALID_DATA", "invalid data", { param_name: "page" });
    const sortBy = query.sort_by ?? "id";
    const desc = (query.sort_order ?? "desc") === "desc";
    const sorted = [...rows].sort((a, b) => {
      const x = String(a[sortBy] ?? "");
      const y = String(b[sortBy] ?? "");
      return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
    });
    const slice = sorted.slice((page - 1) * perPage, page * perPage);
    // GET with nothing to return answers 204 with an empty body.
    if (slice.length === 0) return { status: 204 };
    return json(200, {
      data: slice.map((r) => this.project(r, fields)),
      info: {
        per_page: perPage,
        count: slice.length,
        page,
        sort_by: sortBy,
        sort_order: desc ? "desc" : "asc",
        more_records: page * perPage < sorted.length,
        next_page_token: null,
        previous_page_token: null,
        page_token_expiry: null,
      },
    });
  }

  private fieldsParam(module: ModuleMeta, query: Record<string, string>): string[] | Reply {
    if (!query.fields)
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "fields",
      });
    const fields = query.fields
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    if (fields.length > MAX_FIELDS)
      return crmError(400, "LIMIT_EXCEEDED", `fields must not exceed ${MAX_FIELDS}`, {
        param_name: "fields",
        limit: MAX_FIELDS,
      });
    const known = new Set(module.fields.map((f) => f.api_name));
    const unknown = fields.find((f) => f !== "id" && !known.has(f));
    if (unknown)
      return crmError(400, "INVALID_DATA", "invalid data", { param_name: "fields", api_name: unknown });
    return fields;
  }

  /** `GET /crm/v8/{module}`: `fields` is required; `per_page` at most 200; 204 when nothing matches. */
  list(moduleName: string, query: Record<string, string>): Reply {
    const module = findModule(this.modules, moduleName);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        resource_path_index: 0,
      });
    const fields = this.fieldsParam(module, query);
    if (!Array.isArray(fields)) return fields;
    let rows = [...this.table(module.api_name).values()];
    if (query.ids) {
      const ids = new Set(query.ids.split(","));
      rows = rows.filter((r) => ids.has(r.id as string));
    }
    return this.page(rows, query, fields);
  }

  /** `GET /crm/v8/{module}/{id}`: `{data:[record]}` (an array of one), or 204 for an unknown id. */
  get(moduleName: string, id: string, query: Record<string, string>): Reply {
    const module = findModule(this.modules, moduleName);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        resource_path_index: 0,
      });
    const record = this.table(module.api_name).get(id);
    if (!record) return { status: 204 };
    const fields = query.fields ? query.fields.split(",") : undefined;
    return json(200, { data: [this.project(record, fields)] });
  }

  /** `GET /crm/v8/{module}/{id}/Notes`: the related list of notes. */
  related(moduleName: string, id: string, related: string, query: Record<string, string>): Reply {
    const module = findModule(this.modules, moduleName);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        resource_path_index: 0,
      });
    if (!this.table(module.api_name).has(id))
      return crmError(400, "INVALID_DATA", "the id given seems to be invalid", { id });
    const rel = findModule(this.modules, related);
    if (!rel || !["Notes", "Tasks"].includes(rel.api_name))
      return crmError(
        400,
        "INVALID_URL_PATTERN",
        "Please check if the URL trying to access is a correct one",
      );
    const key = rel.api_name === "Notes" ? "Parent_Id" : "What_Id";
    const rows = [...this.table(rel.api_name).values()].filter(
      (r) => (r[key] as { id?: string } | undefined)?.id === id,
    );
    const fields = query.fields ? query.fields.split(",") : undefined;
    return this.page(rows, { ...query, sort_order: query.sort_order ?? "asc" }, fields);
  }

  /** `GET /crm/v8/{module}/search?criteria=|email=|phone=|word=`. */
  search(moduleName: string, query: Record<string, string>): Reply {
    const module = findModule(this.modules, moduleName);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        resource_path_index: 0,
      });
    const rows = [...this.table(module.api_name).values()];
    let hits: Row[];
    try {
      if (query.criteria) {
        const predicate = parseCriteria(query.criteria, new Set(module.fields.map((f) => f.api_name)));
        hits = rows.filter(predicate);
      } else if (query.email) {
        const e = query.email.toLowerCase();
        hits = rows.filter((r) =>
          module.fields.some(
            (f) => f.data_type === "email" && String(r[f.api_name] ?? "").toLowerCase() === e,
          ),
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
    const fields = query.fields ? query.fields.split(",") : undefined;
    return this.page(hits, query, fields);
  }

  /** `POST /crm/v8/coql` with `select_query`. */
  coql(body: unknown): Reply {
    const sql = (body as { select_query?: unknown } | undefined)?.select_query;
    if (typeof sql !== "string" || !sql.trim()) {
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "select_query",
      });
    }
    try {
      const q = parseCoql(sql, (name) => {
        const m = findModule(this.modules, name);
        return m ? new Set(m.fields.map((f) => f.api_name)) : undefined;
      });
      if (q.limit > 2000) return crmError(400, "LIMIT_EXCEEDED", "limit exceeded", { limit: 2000 });
      const module = findModule(this.modules, q.module) as ModuleMeta;
      let rows = [...this.table(module.api_name).values()].filter(q.where);
      if (q.orderBy) {
        const { field, desc } = q.orderBy;
        rows.sort((a, b) => (String(a[field] ?? "") < String(b[field] ?? "") ? -1 : 1) * (desc ? -1 : 1));
      }
      const total = rows.length;
      rows = rows.slice(q.offset, q.offset + q.limit);
      if (rows.length === 0) return { status: 204 };
      return json(200, {
        data: rows.map((r) => this.project(r, q.fields)),
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

  /** `GET /crm/v8/settings/fields?module=`. */
  fields(query: Record<string, string>): Reply {
    if (!query.module)
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "module",
      });
    const module = findModule(this.modules, query.module);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        param_name: "module",
      });
    return json(200, { fields: module.fields });
  }

  /**
   * `POST /crm/v8/settings/fields?module=` (Create Custom Field). Request `{fields:[{field_label, data_type, length?,
   * pick_list_values?, textarea?}]}`; answers per field, in input order, `{code:"SUCCESS", details:{id, api_name},
   * message:"field created", status:"success"}` or an error item, with 201 when all succeed, 207 when mixed and 400
   * when none did (zoho/crm-oas v8.0/fields.json "Create Field": responses 201 CreateSuccessResponse, 400
   * ErrorResponse; examples response-201-fullexample and response-207-partialsuccess). The new field is served by
   * `GET /settings/fields` and enforced on record writes at once. Limits: fields per call (five, as the Update Custom
   * Fields page states), label length, custom fields per module and picklist values are settings (config.ts).
   */
  createFields(query: Record<string, string>, body: unknown): Reply {
    if (!query.module)
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "module",
      });
    const module = findModule(this.modules, query.module);
    if (!module)
      return crmError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
        param_name: "module",
      });
    const list = (body as { fields?: unknown } | undefined)?.fields;
    if (!Array.isArray(list) || list.length === 0)
      return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
        param_name: "fields",
      });
    const o = this.ctx.options;
    if (list.length > o.customFieldsPerCall)
      return crmError(
        400,
        "LIMIT_EXCEEDED",
        `at most ${o.customFieldsPerCall} fields can be created per call`,
        {
          limit: o.customFieldsPerCall,
        },
      );
    const results = list.map((input, i) => this.createField(module, input, i));
    const ok = results.filter((r) => r.status === "success").length;
    return json(ok === results.length ? 201 : ok === 0 ? 400 : 207, { fields: results });
  }

  private createField(module: ModuleMeta, input: unknown, i: number): Row {
    const at = (key: string) => ({ api_name: key, json_path: `$.fields[${i}].${key}` });
    const fail = (code: string, message: string, details: Record<string, unknown>): Row => ({
      code,
      details,
      message,
      status: "error",
    });
    const o = this.ctx.options;
    const f = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
    const label = typeof f.field_label === "string" ? f.field_label.trim() : "";
    if (!label) return fail("MANDATORY_NOT_FOUND", "required field not found", at("field_label"));
    if (f.data_type === undefined)
      return fail("MANDATORY_NOT_FOUND", "required field not found", at("data_type"));
    const type = typeof f.data_type === "string" ? f.data_type : "";
    const limits = CREATABLE[type];
    if (!limits) return fail("INVALID_DATA", "invalid data", at("data_type"));
    if (label.length > o.customFieldLabelMaxLength)
      return fail("INVALID_DATA", "invalid data", {
        ...at("field_label"),
        maximum_length: o.customFieldLabelMaxLength,
      });
    // Letters, digits, spaces and a few separators; anything else would make an unusable API name.
    if (!/^[\p{L}\p{N} _\-&()./]+$/u.test(label))
      return fail("INVALID_DATA", "invalid data", at("field_label"));
    // Zoho derives the API name from the label: spaces become underscores, other symbols are dropped.
    const apiName = label
      .replace(/\s+/g, "_")
      .replace(/[^\p{L}\p{N}_]/gu, "")
      .replace(/_+/g, "_");
    const clash = module.fields.find(
      (x) =>
        x.field_label.toLowerCase() === label.toLowerCase() ||
        x.api_name.toLowerCase() === apiName.toLowerCase(),
    );
    if (clash) return fail("DUPLICATE_DATA", "duplicate data", at("field_label"));
    if (module.fields.filter((x) => x.custom_field).length >= o.customFieldsPerModule)
      return fail("LIMIT_EXCEEDED", "custom field limit reached for the module", {
        limit: o.customFieldsPerModule,
        limit_due_to: [at("field_label")],
      });
    let length = limits.default;
    if (type === "textarea") {
      const size = (f.textarea as { type?: unknown } | undefined)?.type;
      if (size !== undefined) {
        const chosen = typeof size === "string" ? TEXTAREA_SIZES[size] : undefined;
        if (!chosen) return fail("INVALID_DATA", "invalid data", at("textarea"));
        length = chosen;
      }
    }
    if (f.length !== undefined) {
      if (
        typeof f.length !== "number" ||
        !Number.isInteger(f.length) ||
        f.length < 1 ||
        f.length > limits.max
      )
        return fail("INVALID_DATA", "invalid data", { ...at("length"), maximum_length: limits.max });
      length = f.length;
    }
    let values: string[] = [];
    if (type === "picklist" || type === "multiselectpicklist") {
      const raw = f.pick_list_values;
      if (!Array.isArray(raw) || raw.length === 0)
        return fail("MANDATORY_NOT_FOUND", "required field not found", at("pick_list_values"));
      if (raw.length > o.maxPicklistValues)
        return fail("LIMIT_EXCEEDED", "too many picklist values", {
          limit: o.maxPicklistValues,
          limit_due_to: [at("pick_list_values")],
        });
      for (const [k, v] of raw.entries()) {
        const value =
          (v as { actual_value?: unknown; display_value?: unknown } | null)?.actual_value ??
          (v as { display_value?: unknown } | null)?.display_value;
        if (typeof value !== "string" || !value.trim() || value.length > length)
          return fail("INVALID_DATA", "invalid data", {
            api_name: "pick_list_values",
            json_path: `$.fields[${i}].pick_list_values[${k}]`,
          });
        if (values.some((x) => x.toLowerCase() === value.toLowerCase()))
          return fail("DUPLICATE_DATA", "duplicate data", {
            api_name: "pick_list_values",
            json_path: `$.fields[${i}].pick_list_values[${k}]`,
          });
        values.push(value);
      }
      // Zoho's single-select picklists start with "-None-".
      if (type === "picklist" && !values.includes("-None-")) values = ["-None-", ...values];
    }
    const meta = toFieldMeta(
      { api: apiName, label, type, length, custom: true, ...(values.length ? { picklist: values } : {}) },
      this.ctx.ids.next(),
      () => this.ctx.ids.next(),
    );
    module.fields.push(meta);
    return {
      code: "SUCCESS",
      details: { id: meta.id, api_name: apiName },
      message: "field created",
      status: "success",
    };
  }

  /** `GET /crm/v8/settings/modules`. */
  moduleList(): Reply {
    return json(200, {
      modules: [...this.modules.values()].map((m) => ({
        api_name: m.api_name,
        module_name: m.api_name,
        singular_label: m.singular_label,
        plural_label: m.plural_label,
        id: m.id,
        api_supported: true,
      })),
    });
  }
}
