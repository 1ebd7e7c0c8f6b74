/**
 * Zoho Books v3 as the sandbox holds it: organizations, their custom-field definitions, entities (contacts,
 * invoices, estimates, sales orders), comments, and the workflow rules whose webhooks call the mediator. Every value
 * here is plain data (no class instances, no functions), so the local stack's snapshot of the sandbox keeps it.
 */
import type { DataCentre } from "../config.js";

/** URL modules and the entity each holds (the singular the payloads, scopes' siblings and webhooks use). */
export const BOOKS_MODULES = {
  contacts: "contact",
  invoices: "invoice",
  estimates: "estimate",
  salesorders: "salesorder",
} as const;
export type BooksModule = keyof typeof BOOKS_MODULES;
export type BooksEntity = (typeof BOOKS_MODULES)[BooksModule];

export const isBooksModule = (s: string | undefined): s is BooksModule =>
  s !== undefined && Object.hasOwn(BOOKS_MODULES, s);

/** The module of an entity name (`invoice` -> `invoices`). */
export const moduleOf = (entity: string): BooksModule | undefined =>
  (Object.keys(BOOKS_MODULES) as BooksModule[]).find((m) => BOOKS_MODULES[m] === entity);

/** Custom-field data types of the Custom Fields API (notes §2.6). */
export type BooksFieldType =
  | "string"
  | "multiline"
  | "dropdown"
  | "number"
  | "decimal"
  | "amount"
  | "percent"
  | "date"
  | "check_box"
  | "email"
  | "url"
  | "phone"
  | "autonumber"
  | "formula";

/** One custom field of an org, as `GET /settings/fields` serves it and as writes are checked against. */
export interface BooksCustomField {
  customfield_id: string;
  entity: BooksEntity;
  /** 1-based position within the entity's custom fields (contact writes may name a field by it). */
  index: number;
  label: string;
  /** `cf_...`. */
  api_name: string;
  data_type: BooksFieldType;
  is_active: boolean;
  is_mandatory: boolean;
  show_on_pdf: boolean;
  placeholder: string;
  /** Longest text value (string, multiline, email, url, phone). */
  value_length?: number;
  /** Digits after the point (decimal, amount, percent). */
  decimal_precision?: number;
  /** Dropdown options; only active ones may be written. */
  values?: { name: string; order: number; is_active: boolean }[];
}

/** A stored entity: Books' own keys (`invoice_id`, `customer_id`, `line_items`, ...) and its custom values. */
export interface BooksRecord {
  data: Record<string, unknown>;
  /** Custom values by `customfield_id`; an empty value is absent (and omitted from GET, notes §2.4). */
  custom: Record<string, unknown>;
  createdMs: number;
  modifiedMs: number;
}

export interface BooksComment {
  comment_id: string;
  module: BooksModule;
  record_id: string;
  description: string;
  commented_by_id: string;
  commented_by: string;
  /** `system` entries (Books' own history) cannot be edited or deleted. */
  comment_type: "system" | "internal";
  operation_type: string;
  show_comment_to_clients: boolean;
  timeMs: number;
}

export interface BooksOrg {
  organization_id: string;
  name: string;
  dc: DataCentre;
  /** Users (sandbox user ids) who belong to the org; anyone else gets code 6041. */
  members: string[];
  plan_name: string;
  currency_code: string;
  currency_symbol: string;
  time_zone: string;
  /** The org's fixed UTC offset (the seeded zones have no daylight saving). */
  utc_offset_minutes: number;
  /** Prefix of transaction numbers (`INV-`, `EST-`, `SO-` or the profile's own). */
  numbering: Record<Exclude<BooksEntity, "contact">, string>;
  fields: BooksCustomField[];
  records: Record<BooksModule, Map<string, BooksRecord>>;
  comments: Map<string, BooksComment>;
  /** Next transaction numbers per entity. */
  counters: Record<Exclude<BooksEntity, "contact">, number>;
}

/**
 * A workflow rule with a webhook action (notes §2.7, checklist item 27). Edited rules may be limited to changes of
 * selected fields (Zoho Invoice's "any selected field" / "all selected fields"); `criteria` must hold on the entity
 * after the write (e.g. `cf_ai_writeback` not equal to `yes`, the notes' loop guard).
 */
export interface BooksRule {
  id: string;
  name: string;
  organization_id: string;
  module: BooksEntity;
  trigger: "created" | "edited" | "created_or_edited";
  /** Omitted: "when any field is updated". */
  field_filter?: { when: "any_selected" | "all_selected"; fields: string[] };
  criteria?: { field: string; equals?: unknown; not_equals?: unknown }[];
  is_active: boolean;
  webhook: {
    url: string;
    /** @default "POST" */
    method?: "POST" | "PUT" | "DELETE";
    headers?: Record<string, string>;
    query_parameters?: Record<string, string>;
    /** When set, deliveries carry `X-Zoho-Webhook-Signature` (Zoho Billing's scheme; UNCONFIRMED for Books). */
    secret?: string;
  };
}

/** Where a write came from: API writes fire rules; imports and custom functions do not (notes §2.4). */
export type BooksWriteOrigin = "api" | "ui" | "import" | "custom_function";

/** What a write reports to automation. */
export interface BooksWriteEvent {
  org: BooksOrg;
  module: BooksModule;
  id: string;
  event: "created" | "edited";
  /** Field names whose value the write changed (api names for custom fields). */
  changed: string[];
  origin: BooksWriteOrigin;
  /** An inbound `X-ZOHO-Skip-Webhook-Trigger: true`, honoured only when the setting says so. */
  skipWebhooks: boolean;
}
