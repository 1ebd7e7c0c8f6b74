/**
 * Zoho CRM v8's records as the sandbox holds them (fact sheet §2 and checklist items 10-12): the org's users, one
 * table per module, record attachments, and batch writes (insert, update, upsert) with per-record results in input
 * order and the 201/200/207/400 status rules. Validation is in crm-validation.ts, Notes and Tasks parents in
 * crm-activities.ts; the HTTP surfaces that read and query these tables are in routes/.
 */
import { insertNote, insertTask } from "./crm-activities.js";
import { type ItemResult, itemError, validateRecord } from "./crm-validation.js";
import { findModule, type ModuleMeta } from "./metadata.js";
import type { Row } from "./query.js";
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

/** A file (or link) attached to a record, as the Attachments related list and the download serve it. */
export interface Attachment {
  id: string;
  module: string;
  recordId: string;
  fileName: string;
  contentType: string;
  /** The file's bytes; empty for a link attachment. */
  bytes: Buffer;
  /** Set for a link attachment (`$type: "Link URL"`), which cannot be downloaded. */
  linkUrl?: string;
  ownerId: string;
  createdTime: string;
}

const MAX_WRITE = 100;

/** The org's CRM data (tables, users, attachments) and its batch writes. */
export class Crm {
  readonly records = new Map<string, Map<string, Row>>();
  readonly users: OrgUser[] = [];
  /** Attachments by id. */
  readonly attachments = new Map<string, Attachment>();
  onWrite: (event: WriteEvent) => void = () => {};

  constructor(
    readonly ctx: SandboxContext,
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

  /** A user as lookups and system fields hold it. */
  ref(user: OrgUser) {
    return { name: user.name, id: user.id, email: user.email };
  }

  /** Finds a record in any module (used by Notes/Tasks parents and lookups). */
  find(module: string, id: string): Row | undefined {
    return this.records.get(module)?.get(id);
  }

  // ---------------------------------------------------------------- writes

  /** Validates and stores a new record; `extra` holds fields set by the sandbox (a note's resolved parent). */
  insertOne(module: ModuleMeta, input: Row, index: number, userId: string, extra: Row = {}): ItemResult {
    const checked = validateRecord(this, module, input, index);
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
    const checked = validateRecord(this, module, input, index, existing);
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
        if (module.api_name === "Notes") return insertNote(this, module, row, index, userId);
        if (module.api_name === "Tasks") return insertTask(this, module, row, index, userId);
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
}
