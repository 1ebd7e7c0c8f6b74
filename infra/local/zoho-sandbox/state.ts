/**
 * Shared sandbox plumbing: the clock (advanceable, so tests cross a 1-hour token life in milliseconds),
 * 19-digit id generation, Zoho's timestamp format, and the inspection log.
 */
import type { Accounts, OAuthClient } from "./accounts.js";
import type { Automation } from "./automation.js";
import type { Books } from "./books/store.js";
import type { SandboxOptions } from "./config.js";
import type { Creator } from "./creator/store.js";
import type { Crm } from "./crm.js";
import type { Desk } from "./desk.js";

/**
 * What a route handler returns; the server writes it. `body: undefined` means an empty body (204); a `Buffer` body
 * is sent as bytes (attachments), with the content type the route puts in `headers`.
 */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const json = (status: number, body?: unknown, headers?: Record<string, string>): Reply =>
  headers ? { status, body, headers } : { status, body };

/** Zoho's request-level error: `{code, details, message, status:"error"}`. */
export const crmError = (
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): Reply => json(status, { code, details, message, status: "error" });

/** Desk's error: `{errorCode, message, errors?}`. */
export const deskError = (
  status: number,
  errorCode: string,
  message: string,
  errors?: { fieldName: string; errorType: "invalid" | "duplicate" | "missing" }[],
): Reply => json(status, errors ? { errorCode, message, errors } : { errorCode, message });

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  status: number;
  service: "accounts" | "crm" | "desk" | "books" | "creator" | "control";
  client_id?: string;
  duration_ms: number;
}

export interface WriteLogEntry {
  time: string;
  service: "crm" | "desk" | "books" | "creator";
  module: string;
  operation: string;
  ids: string[];
  /** The `trigger` key as sent (`null` when absent). */
  trigger: string[] | null;
  /** Creator: the `skip_workflow` list as sent (`null` when absent). */
  skip_workflow?: string[] | null;
  source: "api" | "ui";
  client_id?: string;
  /** Field names written per record, in input order. */
  fields: string[][];
}

export interface WebhookLogEntry {
  time: string;
  kind: "crm-workflow" | "crm-notification" | "desk" | "books-workflow" | "creator-workflow";
  rule?: string;
  url: string;
  status?: number;
  ok: boolean;
  error?: string;
  duration_ms: number;
  attempts: number;
  body: string;
  /**
   * Books and Creator deliveries: the entity's module (Creator: `owner/app/form`) and id, the event, and the fields
   * the write changed.
   */
  module?: string;
  record_id?: string;
  event?: string;
  changed_fields?: string[];
}

export interface AutomationLogEntry {
  time: string;
  module: string;
  record_id: string;
  /** Automations that ran for the write: any of workflow, approval, blueprint. */
  ran: string[];
  rules_fired: string[];
  trigger: string[] | null;
  /** Creator: the write's `skip_workflow` (`null` when absent). */
  skip_workflow?: string[] | null;
  source: "api" | "ui";
}

const MAX_LOG = 5_000;
const push = <T>(list: T[], entry: T): void => {
  list.push(entry);
  if (list.length > MAX_LOG) list.shift();
};

/** Everything the inspection endpoint reports. */
export class Inspector {
  requests: RequestLogEntry[] = [];
  writes: WriteLogEntry[] = [];
  webhooks: WebhookLogEntry[] = [];
  automations: AutomationLogEntry[] = [];
  counts = { requests: 0, status: {} as Record<string, number>, refreshes: 0, throttled_refreshes: 0 };
  tokens = { access_minted: 0, refresh_minted: 0 };
  concurrency = { current: 0, peak: 0 };
  /** Creator writes (calls) by their `skip_workflow` value, and workflow hooks fired and suppressed. */
  creator = { writes: 0, skip_workflow: {} as Record<string, number>, hooks_fired: 0, hooks_skipped: 0 };

  request(entry: RequestLogEntry): void {
    this.counts.requests += 1;
    this.counts.status[entry.status] = (this.counts.status[entry.status] ?? 0) + 1;
    push(this.requests, entry);
  }
  write(entry: WriteLogEntry): void {
    push(this.writes, entry);
  }
  webhook(entry: WebhookLogEntry): void {
    push(this.webhooks, entry);
  }
  automation(entry: AutomationLogEntry): void {
    push(this.automations, entry);
  }

  report(): Record<string, unknown> {
    return {
      counts: {
        ...this.counts,
        status_401: this.counts.status[401] ?? 0,
        status_429: this.counts.status[429] ?? 0,
      },
      tokens: this.tokens,
      peak_concurrency: this.concurrency.peak,
      requests: this.requests,
      writes: this.writes,
      webhooks_fired: this.webhooks.filter((w) => w.ok),
      webhook_failures: this.webhooks.filter((w) => !w.ok),
      automations: this.automations,
      creator: this.creator,
    };
  }
}

/** The sandbox's notion of now; `advance` moves it forward for every component at once. */
export class Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
  /** Zoho's timestamp form, e.g. `2025-03-01T10:00:00+00:00`. */
  stamp(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
  }
}

/**
 * 19-digit record ids as strings, like Zoho's (`5545974000001234001`). They exceed 2^53, so they are never
 * JSON numbers anywhere in the sandbox.
 */
export class IdGenerator {
  private counter = 0;
  constructor(private readonly prefix = "5545974") {}
  next(): string {
    this.counter += 1;
    const tail = (1_000_000 + this.counter).toString().padStart(12, "0");
    return `${this.prefix}${tail}`.slice(0, 19).padEnd(19, "0");
  }
}

/** Context shared by all sandbox components. */
export interface SandboxContext {
  options: SandboxOptions;
  clock: Clock;
  ids: IdGenerator;
  inspector: Inspector;
  /** Base URL of the running sandbox, set once it listens. */
  baseUrl: string;
  /** Background work (webhook deliveries) to await in tests. */
  pending: Set<Promise<unknown>>;
}

export function track(ctx: SandboxContext, work: Promise<unknown>): void {
  ctx.pending.add(work);
  void work.finally(() => ctx.pending.delete(work));
}

/** A queued fault: the next `count` matching calls answer `kind` instead of being served. */
export interface SandboxFault {
  target: "accounts" | "crm" | "desk" | "books" | "creator" | "any";
  /** `"daily-limit"`: Creator's HTTP 200 code 4000 (other services answer it as a 500). */
  kind: 401 | 429 | 500 | "hang" | "daily-limit";
  count?: number;
  /** Books 429s: which limit answers (44 per minute, the default; 45 per day; 1070 concurrency). */
  code?: 44 | 45 | 1070;
  /** For `hang`: how long to hold the request before closing it; default until the client gives up. */
  hangMs?: number;
}

/** Everything one seeded sandbox holds; `reset` replaces it whole. */
export interface State {
  ctx: SandboxContext;
  accounts: Accounts;
  crm: Crm;
  desk: Desk;
  automation: Automation;
  books: Books;
  creator: Creator;
  demoClient: OAuthClient;
  faults: (SandboxFault & { count: number })[];
  credits: { time: number; cost: number }[];
  inflight: Map<string, { all: number; heavy: number }>;
}
