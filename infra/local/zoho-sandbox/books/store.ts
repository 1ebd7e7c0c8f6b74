/**
 * The Books side of the sandbox: organizations with their entities, custom fields and comments, the workflow rules,
 * per-org call counters, and the writes every surface goes through (API routes and UI-style controls), which log
 * for inspection and run the org's workflow rules (automation.ts). Ids are 19-digit strings with the profile's
 * prefix. The data lives in own properties and the behaviour in methods and private fields, so the local stack's
 * snapshot (infra/local/persistence.ts) keeps the data and leaves the behaviour out.
 */
import type { SandboxContext } from "../state.js";
import { runRules } from "./automation.js";
import { applyCustom } from "./custom-fields.js";
import { idKey } from "./errors.js";
import { booksDate, changedFields, fieldsOf, renderEntity } from "./render.js";
import {
  BOOKS_MODULES,
  type BooksComment,
  type BooksModule,
  type BooksOrg,
  type BooksRecord,
  type BooksRule,
  type BooksWriteOrigin,
} from "./types.js";

/** A change to one entity: Books' own keys and custom values by `customfield_id` (`""` clears one). */
export interface BooksChange {
  data?: Record<string, unknown>;
  custom?: Record<string, unknown>;
}

/** How a write is attributed and whether it may run workflow rules. */
export interface WriteMeta {
  origin: BooksWriteOrigin;
  /** The operation named in the inspection log (`update`, `customfields`, `upsert`, ...). */
  operation: string;
  skipWebhooks?: boolean;
}

export class Books {
  readonly orgs = new Map<string, BooksOrg>();
  readonly rules: BooksRule[] = [];
  /** People comments are attributed to (the sandbox's users). */
  readonly users: { id: string; name: string; email: string }[] = [];
  /** Calls per org: the day and its count, and the times of the last minute's calls (limits.ts). */
  readonly usage: Record<string, { day: string; count: number; recent: number[] }> = {};
  private idCounter = 0;
  /** Calls in progress per org (never snapshotted: a restored sandbox has none). */
  readonly #inflight = new Map<string, number>();

  constructor(
    readonly ctx: SandboxContext,
    readonly idPrefix: string,
  ) {}

  /** A 19-digit id (`2991628000000100001`): above 2^53, so a lossy JSON parse shows. */
  nextId(): string {
    this.idCounter += 1;
    return `${this.idPrefix}${String(100_000 + this.idCounter).padStart(12, "0")}`.slice(0, 19);
  }

  now(): number {
    return this.ctx.clock.now();
  }

  today(org: BooksOrg): string {
    return booksDate(this.now(), org.utc_offset_minutes);
  }

  userName(id: string): string {
    return this.users.find((u) => u.id === id)?.name ?? "Sandbox User";
  }

  /** An entity by id in any org (for the control surface). */
  locate(module: BooksModule, id: string): { org: BooksOrg; rec: BooksRecord } | undefined {
    for (const org of this.orgs.values()) {
      const rec = org.records[module].get(id);
      if (rec) return { org, rec };
    }
    return undefined;
  }

  render(org: BooksOrg, module: BooksModule, rec: BooksRecord, list = false): Record<string, unknown> {
    return renderEntity(org, module, rec, this.now(), list);
  }

  /** Concurrency bookkeeping for limits.ts. */
  enter(orgId: string): number {
    const n = (this.#inflight.get(orgId) ?? 0) + 1;
    this.#inflight.set(orgId, n);
    return n;
  }
  leave(orgId: string): void {
    this.#inflight.set(orgId, Math.max(0, (this.#inflight.get(orgId) ?? 1) - 1));
  }
  inflight(orgId: string): number {
    return this.#inflight.get(orgId) ?? 0;
  }

  /**
   * Stores a new entity (numbered like Books: `INV-000001`); `meta` runs Created rules and logs the write, while
   * seeding passes none.
   */
  insert(org: BooksOrg, module: BooksModule, change: BooksChange, meta?: WriteMeta, at = this.now()) {
    const id = this.nextId();
    const data: Record<string, unknown> = { [idKey(module)]: id, ...(change.data ?? {}) };
    const entity = BOOKS_MODULES[module];
    if (entity !== "contact" && data[`${entity}_number`] === undefined) {
      org.counters[entity] += 1;
      data[`${entity}_number`] = `${org.numbering[entity]}${String(org.counters[entity]).padStart(6, "0")}`;
    }
    const rec: BooksRecord = { data, custom: {}, createdMs: at, modifiedMs: at };
    applyCustom(rec.custom, change.custom ?? {});
    org.records[module].set(id, rec);
    if (meta) {
      const apiNames = fieldsOf(org, module).map((f) => f.api_name);
      const written = changedFields({}, this.render(org, module, rec), apiNames);
      this.finish(org, module, id, meta, "created", written, change);
    }
    return rec;
  }

  /** Applies a change to an existing entity, logs it and runs Edited rules; returns the changed field names. */
  update(org: BooksOrg, module: BooksModule, rec: BooksRecord, change: BooksChange, meta: WriteMeta) {
    const before = this.render(org, module, rec);
    Object.assign(rec.data, change.data ?? {});
    applyCustom(rec.custom, change.custom ?? {});
    rec.modifiedMs = Math.max(this.now(), rec.modifiedMs + 1);
    const after = this.render(org, module, rec);
    const apiNames = fieldsOf(org, module).map((f) => f.api_name);
    const changed = changedFields(before, after, apiNames);
    this.finish(org, module, String(rec.data[idKey(module)]), meta, "edited", changed, change);
    return changed;
  }

  private finish(
    org: BooksOrg,
    module: BooksModule,
    id: string,
    meta: WriteMeta,
    event: "created" | "edited",
    changed: string[],
    change: BooksChange,
  ): void {
    const cfNames = new Map(fieldsOf(org, module).map((f) => [f.customfield_id, f.api_name]));
    this.ctx.inspector.write({
      time: this.ctx.clock.stamp(),
      service: "books",
      module,
      operation: meta.operation,
      ids: [id],
      trigger: null,
      source: meta.origin === "api" ? "api" : "ui",
      fields: [
        [
          ...Object.keys(change.data ?? {}),
          ...Object.keys(change.custom ?? {}).map((cf) => cfNames.get(cf) ?? cf),
        ],
      ],
    });
    runRules(this, {
      org,
      module,
      id,
      event,
      changed,
      origin: meta.origin,
      skipWebhooks: meta.skipWebhooks ?? false,
    });
  }

  /** Adds a comment; comments never run workflow rules. */
  addComment(
    org: BooksOrg,
    module: BooksModule,
    recordId: string,
    input: Pick<BooksComment, "description" | "comment_type" | "operation_type"> & {
      by: string;
      show?: boolean;
      at?: number;
    },
  ): BooksComment {
    const comment: BooksComment = {
      comment_id: this.nextId(),
      module,
      record_id: recordId,
      description: input.description,
      commented_by_id: input.by,
      commented_by: this.userName(input.by),
      comment_type: input.comment_type,
      operation_type: input.operation_type,
      show_comment_to_clients: input.show ?? false,
      timeMs: input.at ?? this.now(),
    };
    org.comments.set(comment.comment_id, comment);
    return comment;
  }
}
