/**
 * The result of binding a use case's output targets to one org's live field metadata: which Zoho field each
 * target is bound to, and what is missing or wrong. The worker uses it to build the model's output schema and to
 * decide whether a use case can run for a connection; `doctor` prints it; `fields create` turns the missing CRM
 * targets into Create Custom Field requests.
 */
import type { ZohoProduct } from "./zoho-products.js";

/** Zoho CRM field data types that `fields create` can make (Create Custom Field API, `data_type`). */
export type CreatableFieldType =
  | "text"
  | "textarea"
  | "picklist"
  | "integer"
  | "double"
  | "datetime"
  | "date"
  | "boolean";

/** One Create Custom Field request body entry (`POST /crm/v8/settings/fields?module=<module>`, `{fields: [spec]}`). */
export interface CustomFieldSpec {
  module: string;
  /** The api name the mapping expects (Zoho derives api names from labels; the label is chosen to produce it). */
  apiName: string;
  label: string;
  dataType: CreatableFieldType;
  /** Text length, where the type has one. */
  length?: number;
  /** Picklist values in display order (best to worst for a rating). */
  picklistValues?: string[];
}

export type TargetStatus =
  /** Bound: the field exists, is writable and its type can hold the target. */
  | "ok"
  /** The org has no field of that api name. */
  | "missing"
  /** The field exists but its type cannot hold the target (e.g. text where a picklist is needed). */
  | "wrong-type"
  /** The field exists but is read-only for the integration user. */
  | "read-only";

export interface TargetCheck {
  /** The use case's name for the output, e.g. `icp_fit`. */
  key: string;
  /** The Zoho field api name it is mapped to (configuration, or the default). */
  field: string;
  required: boolean;
  status: TargetStatus;
  /** What the target needs, for people: e.g. `picklist (a fit rating, best to worst)`. */
  expected: string;
  /** What was found, for people: e.g. `text(255)`, or the org's picklist values. */
  found?: string;
  /** The exact fix, for people (doctor prints it). */
  fix?: string;
  /** How `fields create` would make it (CRM only; absent for Desk, whose fields are made in Desk's setup). */
  create?: CustomFieldSpec;
}

export interface MappingCheck {
  useCase: string;
  service: ZohoProduct;
  module: string;
  targets: TargetCheck[];
  /** True when no required target is missing, of the wrong type or read-only: the use case can run. */
  runnable: boolean;
}
