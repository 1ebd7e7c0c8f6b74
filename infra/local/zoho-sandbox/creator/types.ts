/**
 * Creator apps as the sandbox holds them: plain data only (field, form and report specs, records per environment),
 * so the sandbox's snapshot (infra/local/persistence.ts) can keep them. Behaviour is in store.ts and its helpers.
 */

/** `environment` header values; absent means production (notes §1.1). */
export const CREATOR_ENVIRONMENTS = ["production", "development", "stage"] as const;
export type CreatorEnv = (typeof CREATOR_ENVIRONMENTS)[number];

export type CreatorFieldKind =
  | "single_line"
  | "multi_line"
  | "email"
  | "rich_text"
  | "number"
  | "decimal"
  | "percent"
  | "currency"
  | "auto_number"
  | "date"
  | "datetime"
  | "dropdown"
  | "radio"
  | "multi_select"
  | "checkbox"
  | "decision"
  | "url"
  | "lookup"
  | "multi_lookup"
  | "subform"
  | "formula";

/**
 * The fields meta API's `type` codes. 1-18 are official (notes §1.6); a lookup reports its display type (12 or
 * 14). Codes above 18 were not readable in the official table: subform and formula are the sandbox's own choice.
 */
export const TYPE_CODES: Record<CreatorFieldKind, number> = {
  single_line: 1,
  multi_line: 2,
  email: 3,
  rich_text: 4,
  number: 5,
  decimal: 6,
  percent: 7,
  currency: 8,
  auto_number: 9,
  date: 10,
  datetime: 11,
  dropdown: 12,
  radio: 13,
  multi_select: 14,
  checkbox: 15,
  decision: 16,
  url: 17,
  lookup: 12,
  multi_lookup: 14,
  subform: 24,
  formula: 20,
};

export interface CreatorFieldSpec {
  link_name: string;
  display_name: string;
  kind: CreatorFieldKind;
  mandatory?: boolean;
  unique?: boolean;
  /** Text kinds: longest value (single line, email and URL default to 255). */
  max_char?: number;
  /** Dropdown, radio, multi select, checkbox. */
  choices?: string[];
  /** Decimal, percent, currency: places after the point. */
  decimals?: number;
  /** Number, decimal, percent, currency: digits before the point. */
  max_digits?: number;
  /** Lookups: the target form and the field it displays. */
  lookup?: { form: string; display: string };
  /** Subforms: the row's fields. */
  subform?: CreatorFieldSpec[];
  /** Auto number: text before the number, and the first number. */
  prefix?: string;
  start?: number;
}

export interface CreatorFormSpec {
  link_name: string;
  display_name: string;
  fields: CreatorFieldSpec[];
}

export interface CreatorReportSpec {
  link_name: string;
  display_name: string;
  form: string;
  /** Columns of the report's quick view (`field_config=quick_view`); the detail view shows every field. */
  quick_view: string[];
}

/**
 * A stored record: `ID`, `Added_Time` and `Modified_Time` (epoch ms) and its values in canonical form: text as
 * strings, decimals as decimal strings, dates as `yyyy-mm-dd`, date-times as epoch ms, multi values and multi
 * lookups as arrays, lookups as the target's ID, subforms as rows with their own `ID`.
 */
export type CreatorRow = Record<string, unknown> & { ID: string; Added_Time: number; Modified_Time: number };

export interface CreatorApp {
  owner: string;
  link_name: string;
  display_name: string;
  /** How the app writes and reads dates, e.g. `dd-MMM-yyyy` or `MM/dd/yyyy` (Java-style letters). */
  date_format: string;
  /** How it writes the time of a date-time: `HH:mm:ss` or the 12-hour `hh:mm:ss a`. */
  time_format: string;
  /** IANA zone the app's date-times are shown in (and its daily limit resets in). */
  time_zone: string;
  forms: CreatorFormSpec[];
  reports: CreatorReportSpec[];
  /** The form the mediator's workflow hooks sit on, and the audit form it adds records to. */
  mediator: { form: string; audit_form: string };
  /** Records per environment, per form link name, by ID. */
  data: Record<CreatorEnv, Record<string, Map<string, CreatorRow>>>;
  /** Next auto number per `<form>.<field>`. */
  counters: Record<string, number>;
}

/** When a hook runs; `type` says which `skip_workflow` value suppresses it. */
export interface CreatorHook {
  id: string;
  owner: string;
  app: string;
  form: string;
  /** The report whose link name the body carries (default: the form's first report). */
  report: string;
  events: ("create" | "edit")[];
  type: "form_workflow" | "schedule" | "blueprint" | "approval";
  /** Records of this environment fire it (workflows belong to one version of the app). */
  environment: CreatorEnv;
  url: string;
  headers: Record<string, string>;
}
