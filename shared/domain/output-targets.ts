/**
 * The field mapping: binds a use case's declared output targets (what it wants to write, and what kind of field
 * can hold it) to one org's live fields, and builds the model's output schema from what it found. Nothing an org
 * configures is assumed: picklist values, lengths and types come from the org's metadata, so the model can only
 * name values the org's fields accept, and a target the org lacks is either skipped (optional) or stops the use
 * case for that connection until the admin fixes it (required). `doctor` prints the same check (checkMappings).
 */
import * as z from "zod";
import type { CreatableFieldType, CustomFieldSpec, MappingCheck, TargetCheck } from "./field-mapping.js";
import type { ZohoField } from "./zoho-field.js";
import type { ZohoProduct } from "./zoho-products.js";

/** One output a use case wants to write, declared by intent; the mapping binds it to the org's field. */
export interface OutputTarget {
  /** The use case's name for the output, e.g. `icp_fit` (also the key in the model's output). */
  key: string;
  /** The Zoho field api name (the default, or the deployment's field map). */
  field: string;
  /** A required target the org lacks stops the use case for the connection; an optional one is skipped. */
  required: boolean;
  /** What the value means, for people (doctor, fixes) and, unless `describe` says otherwise, for the model. */
  intent: string;
  /**
   * What the model reads about the value (its JSON schema `description`), when shorter than `intent`: it is sent
   * with every call, so a few words; `""` sends none, where the key and the org's values say it all.
   */
  describe?: string;
  /** The field types that can hold it, preferred first. */
  accepts: readonly ZohoField["type"][];
  /** Who fills it: the model (default), or the pipeline itself (e.g. a timestamp). */
  source?: "model" | "system";
  /** The model may answer `null` ("unknown"); nothing is written then. */
  nullable?: boolean;
  /** Bounds of the use case's own scale (a 0-100 score), applied within what the field can hold. */
  min?: number;
  max?: number;
  /** How `fields create` makes the field (CRM custom fields), as the product suggests it. */
  create?: { dataType: CreatableFieldType; length?: number; picklistValues?: readonly string[] };
}

/** A use case's targets in one module. */
export interface UseCaseMapping {
  /** Creator's module is `<app>/<form>` (the form's field metadata); Books' the entity (`invoices`). */
  service: ZohoProduct;
  module: string;
  targets: readonly OutputTarget[];
  /**
   * When a model value of an optional target fails the write guard, write the other values without it (the audit
   * trail names what was dropped) instead of quarantining the whole write.
   */
  partialOptional: boolean;
  /** The setting that maps targets to other fields, for the fix text (e.g. `LEAD_FIELD_MAP`). */
  fieldMapSetting?: string;
}

export interface BoundTarget {
  target: OutputTarget;
  field: ZohoField;
}

/** The mapping bound to one org's fields: the check (for doctor and the worker) and the usable targets. */
export interface Binding {
  check: MappingCheck;
  bound: BoundTarget[];
}

const INT_MAX = 2_147_483_647;
/** Text fields at most this long repeat their length in their description. */
const SHORT_TEXT = 500;
const TEXT_TYPES = new Set<ZohoField["type"]>(["text", "textarea", "email", "phone", "website"]);
/** Zoho's empty picklist entry: never a value to write. */
const usableValues = (field: ZohoField) => (field.picklist ?? []).filter((v) => v !== "-None-");

/** A field as people read it: `text(255)`, `picklist [A - Ideal, B - Good, C - Poor]`, `integer`. */
export function describeField(field: ZohoField): string {
  if (field.type === "picklist" || field.type === "multiselectpicklist")
    return `${field.type} [${usableValues(field).join(", ")}]`;
  return field.length !== undefined && TEXT_TYPES.has(field.type)
    ? `${field.type}(${field.length})`
    : field.type;
}

/** The label that makes Zoho derive `apiName` (Zoho turns a label's spaces into underscores). */
const labelFor = (apiName: string) => apiName.replace(/_/g, " ");

/** Where an admin adds a missing target field, in each product's own words. */
function addFieldFix(mapping: UseCaseMapping, target: OutputTarget): string {
  const type = target.accepts[0];
  switch (mapping.service) {
    case "crm":
      return `add the field ${target.field} to ${mapping.module} in Zoho CRM's setup`;
    case "desk":
      return `add the custom field ${target.field} (${type}) to ${mapping.module} in Zoho Desk's setup`;
    case "creator": {
      const [app, form] = mapping.module.split("/");
      return `add the field ${target.field} (${type}) to the form ${form} of the Creator app ${app}, or map the output to a field it has in the use-case definition`;
    }
    case "books":
      return `add the custom field ${target.field} (${type}) to ${mapping.module} in Zoho Books (Settings > Preferences > ${mapping.module} > Field Customization), or map the output to a field it has in the use-case definition`;
  }
}

/** Binds a use case's targets to one org's fields. */
export function bindMapping(useCase: string, mapping: UseCaseMapping, fields: ZohoField[]): Binding {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const bound: BoundTarget[] = [];
  const targets: TargetCheck[] = mapping.targets.map((target) => {
    const expected = `${target.accepts.join(" or ")} (${target.intent})`;
    const create: CustomFieldSpec | undefined =
      mapping.service === "crm" && target.create
        ? {
            module: mapping.module,
            apiName: target.field,
            label: labelFor(target.field),
            dataType: target.create.dataType,
            ...(target.create.length !== undefined ? { length: target.create.length } : {}),
            ...(target.create.picklistValues ? { picklistValues: [...target.create.picklistValues] } : {}),
          }
        : undefined;
    const base = { key: target.key, field: target.field, required: target.required, expected };
    const remap = mapping.fieldMapSetting
      ? ` or map "${target.key}" to an existing field with ${mapping.fieldMapSetting}`
      : "";
    const field = byName.get(target.field);
    if (!field) {
      const make =
        mapping.service === "crm" && create
          ? `create it with \`npx zoho-gpt-mediator fields create ${useCase}\` (${create.dataType}${create.length ? `(${create.length})` : ""})`
          : addFieldFix(mapping, target);
      return {
        ...base,
        status: "missing" as const,
        fix: `${make}${remap}`,
        ...(create ? { create } : {}),
      };
    }
    const found = describeField(field);
    const picklistEmpty =
      (field.type === "picklist" || field.type === "multiselectpicklist") && usableValues(field).length === 0;
    if (!target.accepts.includes(field.type) || picklistEmpty) {
      return {
        ...base,
        status: "wrong-type" as const,
        found,
        fix: `${target.field} is ${found}; it must be ${expected}${picklistEmpty ? " with at least one value" : ""}: change the field${remap}`,
      };
    }
    if (field.readOnly) {
      return {
        ...base,
        status: "read-only" as const,
        found,
        fix: `make ${target.field} writable for the integration user (field permissions)${remap}`,
      };
    }
    bound.push({ target, field });
    return { ...base, status: "ok" as const, found };
  });
  return {
    check: {
      useCase,
      service: mapping.service,
      module: mapping.module,
      targets,
      runnable: targets.every((t) => !t.required || t.status === "ok"),
    },
    bound,
  };
}

/** The zod schema of one bound target's value: exactly what the org's field accepts. */
export function targetSchema({ target, field }: BoundTarget): z.ZodType {
  const lo = Math.max(target.min ?? -INT_MAX, -INT_MAX);
  const hi = Math.min(target.max ?? INT_MAX, INT_MAX);
  let schema: z.ZodType;
  let detail = "";
  switch (field.type) {
    case "picklist":
      // The enum says which values; the description need not repeat it (every token of it is paid per call).
      schema = z.enum(usableValues(field) as [string, ...string[]]);
      break;
    case "multiselectpicklist":
      schema = z.array(z.enum(usableValues(field) as [string, ...string[]]));
      break;
    case "integer":
      schema = z.number().int().min(lo).max(hi);
      break;
    case "double": {
      let n = z.number();
      if (target.min !== undefined) n = n.min(target.min);
      if (target.max !== undefined) n = n.max(target.max);
      schema = n;
      break;
    }
    case "boolean":
      schema = z.boolean();
      break;
    case "date":
      schema = z.iso.date();
      break;
    case "datetime":
      schema = z.iso.datetime({ offset: true });
      break;
    default:
      schema = field.length !== undefined && field.length > 0 ? z.string().max(field.length) : z.string();
      // `maxLength` is in the schema; short prose the model writes also says it in words, where a model is likeliest
      // to overrun. A nullable target is a value stated in the data (a city), not prose: no hint.
      if (field.length && field.length <= SHORT_TEXT && !target.nullable)
        detail = ` (max ${field.length} chars)`;
  }
  const description = `${target.describe ?? target.intent}${detail}`.trim();
  const described = description ? schema.describe(description) : schema;
  return target.nullable ? described.nullable() : described;
}

/** The model's part of the output schema: one key per bound model target. */
export function boundShape(binding: Binding): Record<string, z.ZodType> {
  return Object.fromEntries(
    binding.bound
      .filter((b) => (b.target.source ?? "model") === "model")
      .map((b) => [b.target.key, targetSchema(b)]),
  );
}

/** A value the pipeline fills itself for a system target, in the bound field's form. */
export function systemValue(bound: BoundTarget, now: Date): unknown {
  if (bound.field.type === "date") return now.toISOString().slice(0, 10);
  return now.toISOString();
}

/** The bound target of `key`, when the org has a usable field for it. */
export const boundTarget = (binding: Binding, key: string): BoundTarget | undefined =>
  binding.bound.find((b) => b.target.key === key);

/** Field names of bound optional targets: what a partial write may drop. */
export const droppableFields = (binding: Binding, mapping: UseCaseMapping): string[] =>
  mapping.partialOptional ? binding.bound.filter((b) => !b.target.required).map((b) => b.field.name) : [];

export interface CheckMappingsDeps {
  registry: Partial<Record<string, { name: string; mapping?: UseCaseMapping } | undefined>>;
  crmFields(module: string): Promise<ZohoField[]>;
  deskFields(module: string): Promise<ZohoField[]>;
  /** A Creator form's fields (`<app>/<form>`); absent: Creator use cases are not checked. */
  creatorFields?(module: string): Promise<ZohoField[]>;
  /** A Books entity's custom fields; absent: Books use cases are not checked. */
  booksFields?(entity: string): Promise<ZohoField[]>;
}

/** Each enabled use case's mapping against the org's live fields: what the worker runs on and `doctor` prints. */
export async function checkMappings(deps: CheckMappingsDeps): Promise<MappingCheck[]> {
  const out: MappingCheck[] = [];
  for (const useCase of Object.values(deps.registry)) {
    if (!useCase?.mapping) continue;
    const m = useCase.mapping;
    const read = {
      crm: deps.crmFields,
      desk: deps.deskFields,
      creator: deps.creatorFields,
      books: deps.booksFields,
    }[m.service];
    if (!read) continue;
    out.push(bindMapping(useCase.name, m, await read(m.module)).check);
  }
  return out;
}

/** A mapping with a deployment's field map applied (target key -> field api name, over the defaults). */
export const withFieldMap = (
  mapping: UseCaseMapping,
  fieldMap: Record<string, string> = {},
): UseCaseMapping => ({
  ...mapping,
  targets: mapping.targets.map((t) => ({ ...t, field: fieldMap[t.key] ?? t.field })),
});
