/**
 * The sandbox's Creator accounts: apps with their forms, reports and records per environment, the workflow hooks on
 * their forms, and the daily Developer API count per account. Own properties are data only (the sandbox's snapshot
 * keeps them); the run's paging cursors and rate windows are private fields a snapshot leaves out.
 */
import { randomBytes } from "node:crypto";
import type { SandboxProfile } from "../config.js";
import type { SandboxContext } from "../state.js";
import { CreatorLimits } from "./limits.js";
import { CREATOR_SEEDS, type CreatorAppSeed } from "./seed-apps.js";
import {
  CREATOR_ENVIRONMENTS,
  type CreatorApp,
  type CreatorEnv,
  type CreatorFieldSpec,
  type CreatorFormSpec,
  type CreatorHook,
  type CreatorReportSpec,
  type CreatorRow,
} from "./types.js";

/** Where a `record_cursor` continues: the query it belongs to and the next offset. */
export interface Cursor {
  key: string;
  offset: number;
}

const DAY_MS = 86_400_000;

export class Creator {
  readonly apps: CreatorApp[] = [];
  readonly hooks: CreatorHook[] = [];
  /** Developer API calls per account (owner) on its current calendar day. */
  readonly usage = new Map<string, { day: string; calls: number }>();
  readonly #cursors = new Map<string, Cursor>();
  readonly #limits: CreatorLimits;

  constructor(private readonly ctx: SandboxContext) {
    // The daily counts are data (a snapshot keeps them, and restoring replaces the map): read them through `this`.
    this.#limits = new CreatorLimits(ctx, () => this.usage);
  }

  /** The daily, per-minute and concurrency limits (their windows are about this run only). */
  get limits(): CreatorLimits {
    return this.#limits;
  }

  /** Adds an app from its seed and stores its records (no workflow runs: this is the app's existing data). */
  seed(seed: CreatorAppSeed): CreatorApp {
    const data = Object.fromEntries(
      CREATOR_ENVIRONMENTS.map((env) => [
        env,
        Object.fromEntries(seed.forms.map((f) => [f.link_name, new Map()])),
      ]),
    ) as CreatorApp["data"];
    const app: CreatorApp = {
      owner: seed.owner,
      link_name: seed.link_name,
      display_name: seed.display_name,
      date_format: seed.date_format,
      time_format: seed.time_format,
      time_zone: seed.time_zone,
      forms: seed.forms,
      reports: seed.reports,
      mediator: { form: seed.mainForm, audit_form: seed.auditForm },
      data,
      counters: {},
    };
    this.apps.push(app);
    if (!this.ctx.options.seed) return app;
    for (const env of CREATOR_ENVIRONMENTS) {
      const customers: string[] = [];
      for (const [form, rows] of Object.entries(seed.records[env] ?? {})) {
        for (const { daysAgo, customer, ...values } of rows) {
          const lookup = customer !== undefined ? { Customer: customers[customer] ?? "" } : {};
          const at = this.ctx.clock.now() - (daysAgo ?? 0) * DAY_MS;
          const row = this.insert(app, env, form, { ...values, ...lookup }, at);
          if (form === "Customer") customers.push(row.ID);
        }
      }
    }
    return app;
  }

  isOwner(owner: string): boolean {
    return this.apps.some((a) => a.owner === owner);
  }
  app(owner: string, link: string): CreatorApp | undefined {
    return this.apps.find((a) => a.owner === owner && a.link_name === link);
  }
  form(app: CreatorApp, link: string): CreatorFormSpec | undefined {
    return app.forms.find((f) => f.link_name === link);
  }
  report(app: CreatorApp, link: string): CreatorReportSpec | undefined {
    return app.reports.find((r) => r.link_name === link);
  }
  /** The records of a form in one environment, in the order they were added (the reports' sort order). */
  table(app: CreatorApp, env: CreatorEnv, form: string): Map<string, CreatorRow> {
    const table = app.data[env][form];
    if (!table) throw new Error(`no form ${form} in ${app.link_name}`);
    return table;
  }

  /** Stores a new record: its 19-digit ID, Added/Modified time, auto numbers and subform row IDs. */
  insert(
    app: CreatorApp,
    env: CreatorEnv,
    form: string,
    values: Record<string, unknown>,
    at = this.ctx.clock.now(),
  ): CreatorRow {
    const spec = this.form(app, form);
    const row: CreatorRow = { ...values, ID: this.ctx.ids.next(), Added_Time: at, Modified_Time: at };
    for (const f of spec?.fields ?? []) {
      if (f.kind === "auto_number") {
        const key = `${form}.${f.link_name}`;
        const next = app.counters[key] ?? f.start ?? 1;
        app.counters[key] = next + 1;
        row[f.link_name] = `${f.prefix ?? ""}${next}`;
      }
      if (f.kind === "subform") row[f.link_name] = this.subformRows(row[f.link_name], []);
    }
    this.table(app, env, form).set(row.ID, row);
    return row;
  }

  /** Applies validated values to a record and moves its Modified_Time. */
  update(row: CreatorRow, values: Record<string, unknown>, spec: CreatorFormSpec): CreatorRow {
    for (const [key, value] of Object.entries(values)) {
      const f = spec.fields.find((s) => s.link_name === key);
      row[key] = f?.kind === "subform" ? this.subformRows(value, (row[key] as CreatorRow[]) ?? []) : value;
    }
    // Two writes in the same second still get distinct, increasing Modified_Times (a hook's freshness check).
    row.Modified_Time = Math.max(this.ctx.clock.now(), row.Modified_Time + 1000);
    return row;
  }

  /** Subform rows keep the ID they were sent with when it names an existing row; new rows get one. */
  private subformRows(value: unknown, existing: Record<string, unknown>[]): Record<string, unknown>[] {
    if (!Array.isArray(value)) return [];
    const known = new Set(existing.map((r) => r.ID));
    return value.map((r: Record<string, unknown>) => ({
      ...r,
      ID: typeof r.ID === "string" && known.has(r.ID) ? r.ID : this.ctx.ids.next(),
    }));
  }

  /** Finds the record a lookup names, in the lookup's form and the same environment. */
  lookupTarget(app: CreatorApp, env: CreatorEnv, f: CreatorFieldSpec, id: string): CreatorRow | undefined {
    return f.lookup ? app.data[env][f.lookup.form]?.get(id) : undefined;
  }

  /** Remembers where a list continues; returns the opaque `record_cursor` value. */
  saveCursor(cursor: Cursor): string {
    const token = randomBytes(24).toString("hex");
    this.#cursors.set(token, cursor);
    return token;
  }
  takeCursor(token: string): Cursor | undefined {
    return this.#cursors.get(token);
  }
}

/** The seed profile's Creator accounts, with their records (the profile's apps are in seed-apps.ts). */
export function buildCreator(ctx: SandboxContext, profile: SandboxProfile): Creator {
  const creator = new Creator(ctx);
  for (const seed of CREATOR_SEEDS[profile]) creator.seed(seed);
  return creator;
}
