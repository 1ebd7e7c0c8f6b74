/**
 * The org's CRM modules and field metadata, served at `/crm/v8/settings/fields` and used by the sandbox's
 * own write validation, so the metadata a client reads is exactly what the sandbox enforces. Custom fields and
 * Industry values come from the seed profile (profiles.ts).
 */
import { MODULE_SPECS, type ModuleSpec, SYSTEM_FIELDS } from "./module-specs.js";
import type { ProfileSeed } from "./profiles.js";

export interface PicklistValue {
  display_value: string;
  actual_value: string;
  id: string;
  sequence_number: number;
  type: "used" | "unused";
}

export interface FieldMeta {
  api_name: string;
  field_label: string;
  display_label: string;
  id: string;
  data_type: string;
  json_type: string;
  length: number;
  system_mandatory: boolean;
  read_only: boolean;
  field_read_only: boolean;
  custom_field: boolean;
  visible: boolean;
  unique: { casesensitive?: string } | Record<string, never>;
  pick_list_values: PicklistValue[];
  /**
   * Sandbox setting: a restricted picklist rejects values outside `pick_list_values` with INVALID_DATA.
   * (Zoho's own key for this is UNCONFIRMED; clients should treat every picklist as restricted.)
   */
  restricted_picklist?: boolean;
  lookup: { module?: { api_name: string; id: string } } | Record<string, never>;
}

export interface ModuleMeta {
  api_name: string;
  singular_label: string;
  plural_label: string;
  id: string;
  fields: FieldMeta[];
}

/** A field as the seed declares it; buildModules turns it into Zoho's metadata. */
export type FieldSpec = {
  api: string;
  label?: string;
  type: string;
  length?: number;
  mandatory?: boolean;
  readOnly?: boolean;
  custom?: boolean;
  unique?: boolean;
  picklist?: string[];
  lookup?: string;
};

const JSON_TYPES: Record<string, string> = {
  integer: "integer",
  bigint: "string",
  double: "double",
  currency: "double",
  percent: "double",
  boolean: "boolean",
  multiselectpicklist: "jsonarray",
  lookup: "jsonobject",
  ownerlookup: "jsonobject",
  userlookup: "jsonobject",
};
const DEFAULT_LENGTH: Record<string, number> = {
  text: 255,
  textarea: 32000,
  email: 100,
  phone: 30,
  website: 255,
  picklist: 120,
  integer: 9,
  bigint: 18,
  double: 16,
  currency: 16,
  percent: 5,
  date: 20,
  datetime: 120,
  boolean: 5,
};

/** Zoho's field metadata for one declared field. */
export function toFieldMeta(f: FieldSpec, id: string, picklistId: (k: number) => string): FieldMeta {
  const label = f.label ?? f.api.replace(/_/g, " ");
  return {
    api_name: f.api,
    field_label: label,
    display_label: label,
    id,
    data_type: f.type,
    json_type: JSON_TYPES[f.type] ?? "string",
    length: f.length ?? DEFAULT_LENGTH[f.type] ?? 255,
    system_mandatory: f.mandatory ?? false,
    read_only: f.readOnly ?? false,
    field_read_only: f.readOnly ?? false,
    custom_field: f.custom ?? false,
    visible: true,
    unique: f.unique ? { casesensitive: "false" } : {},
    pick_list_values: (f.picklist ?? []).map((v, k) => ({
      display_value: v,
      actual_value: v,
      id: picklistId(k),
      sequence_number: k + 1,
      type: "used",
    })),
    ...(f.type === "picklist" || f.type === "multiselectpicklist" ? { restricted_picklist: true } : {}),
    lookup: f.lookup ? { module: { api_name: f.lookup, id: "" } } : {},
  };
}

/** The module specs of a profile: the standard modules with the profile's Lead custom fields and Industry values. */
function moduleSpecs(seed: ProfileSeed): ModuleSpec[] {
  const industry = (module: string, f: FieldSpec): FieldSpec => {
    if (f.api !== "Industry" || !seed.industries) return f;
    return { ...f, picklist: module === "Leads" ? seed.industries.leads : seed.industries.accounts };
  };
  return MODULE_SPECS.map((spec) => ({
    ...spec,
    fields: [
      ...spec.fields.map((f) => industry(spec.api, f)),
      ...(spec.api === "Leads" ? seed.leadCustomFields : []),
    ],
  }));
}

/** Builds the module table of a profile with stable 19-digit ids (prefixed per org). */
export function buildModules(seed: ProfileSeed): Map<string, ModuleMeta> {
  const p = seed.idPrefix;
  const modules = new Map<string, ModuleMeta>();
  moduleSpecs(seed).forEach((spec, m) => {
    const moduleId = `${p}0000000${(2175 + m).toString().padStart(5, "0")}`;
    const fields = [...spec.fields, ...SYSTEM_FIELDS].map(
      (f, i): FieldMeta =>
        toFieldMeta(
          f,
          `${p}0000${(m * 1000 + i + 10_000).toString().padStart(8, "0")}`,
          (k) => `${p}0001${(m * 10_000 + i * 100 + k).toString().padStart(8, "0")}`,
        ),
    );
    modules.set(spec.api, {
      api_name: spec.api,
      singular_label: spec.singular,
      plural_label: spec.api,
      id: moduleId,
      fields,
    });
  });
  for (const mod of modules.values()) {
    for (const f of mod.fields) {
      const target = "module" in f.lookup ? f.lookup.module : undefined;
      if (target) target.id = modules.get(target.api_name)?.id ?? "";
    }
  }
  return modules;
}

/** Case-insensitive module lookup by API name, as Zoho resolves `/crm/v8/leads`. */
export function findModule(modules: Map<string, ModuleMeta>, name: string): ModuleMeta | undefined {
  return [...modules.values()].find((m) => m.api_name.toLowerCase() === name.toLowerCase());
}
