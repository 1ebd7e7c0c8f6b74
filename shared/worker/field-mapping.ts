/**
 * The field mapping: binds a use case's declared output targets (what it wants to write, and what kind of field
 * can hold it) to one org's live fields, and builds the model's output schema from what it found. Nothing an org
 * configures is assumed: picklist values, lengths and types come from the org's metadata, so the model can only
 * name values the org's fields accept, and a target the org lacks is either skipped (optional) or stops the use
 * case for that connection until the admin fixes it (required). `doctor` prints the same check (checkMappings).
 */
import * as z from "zod";
import type { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import type {
  CreatableFieldType,
  CustomFieldSpec,
  MappingCheck,
  TargetCheck,
} from "../domain/field-mapping.js";
import { MappingIncompleteError, UpstreamRejectedError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { Metrics } from "../ports/metrics.js";
import type { FieldMetadata } from "./field-metadata.js";
import { type GuardField, type GuardResult, guardWrite } from "./write-guard.js";

/** One output a use case wants to write, declared by intent; the mapping binds it to the org's field. */
export interface OutputTarget {
  /** The use case's name for the output, e.g. `icp_fit` (also the key in the model's output). */
  key: string;
  /** The Zoho field api name (the default, or the deployment's field map). */
  field: string;
  /** A required target the org lacks stops the use case for the connection; an optional one is skipped. */
  required: boolean;
  /** What the value means, for the model and for people: e.g. "a fit rating, best to worst". */
  intent: string;
  /** The field types that can hold it, preferred first. */
  accepts: readonly GuardField["type"][];
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
  service: "crm" | "desk";
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
  field: GuardField;
}

/** The mapping bound to one org's fields: the check (for doctor and the worker) and the usable targets. */
export interface Binding {
  check: MappingCheck;
  bound: BoundTarget[];
}

const INT_MAX = 2_147_483_647;
const TEXT_TYPES = new Set<GuardField["type"]>(["text", "textarea", "email", "phone", "website"]);
/** Zoho's empty picklist entry: never a value to write. */
const usableValues = (field: GuardField) => (field.picklist ?? []).filter((v) => v !== "-None-");

/** A field as people read it: `text(255)`, `picklist [A - Ideal, B - Good, C - Poor]`, `integer`. */
export function describeField(field: GuardField): string {
  if (field.type === "picklist" || field.type === "multiselectpicklist")
    return `${field.type} [${usableValues(field).join(", ")}]`;
  return field.length !== undefined && TEXT_TYPES.has(field.type)
    ? `${field.type}(${field.length})`
    : field.type;
}

/** The label that makes Zoho derive `apiName` (Zoho turns a label's spaces into underscores). */
const labelFor = (apiName: string) => apiName.replace(/_/g, " ");

/** Binds a use case's targets to one org's fields. */
export function bindMapping(useCase: string, mapping: UseCaseMapping, fields: GuardField[]): Binding {
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
        mapping.service === "crm"
          ? create
            ? `create it with \`npx zoho-gpt-mediator fields create ${useCase}\` (${create.dataType}${create.length ? `(${create.length})` : ""})`
            : `add the field ${target.field} to ${mapping.module} in Zoho CRM's setup`
          : `add the custom field ${target.field} (${target.accepts[0]}) to ${mapping.module} in Zoho Desk's setup`;
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
      schema = z.enum(usableValues(field) as [string, ...string[]]);
      detail = "; one of the field's values, in the org's order";
      break;
    case "multiselectpicklist":
      schema = z.array(z.enum(usableValues(field) as [string, ...string[]]));
      detail = "; any of the field's values, in the org's order";
      break;
    case "integer":
      schema = z.number().int().min(lo).max(hi);
      detail = `; a whole number from ${lo} to ${hi}`;
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
      if (field.length) detail = `; at most ${field.length} characters`;
  }
  const described = schema.describe(`${target.intent}${detail}`);
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
  crmFields(module: string): Promise<GuardField[]>;
  deskFields(module: string): Promise<GuardField[]>;
}

/** Each enabled use case's mapping against the org's live fields: what the worker runs on and `doctor` prints. */
export async function checkMappings(deps: CheckMappingsDeps): Promise<MappingCheck[]> {
  const out: MappingCheck[] = [];
  for (const useCase of Object.values(deps.registry)) {
    if (!useCase?.mapping) continue;
    const m = useCase.mapping;
    const fields = m.service === "crm" ? await deps.crmFields(m.module) : await deps.deskFields(m.module);
    out.push(bindMapping(useCase.name, m, fields).check);
  }
  return out;
}

/** A guarded write, and the values left out of it because Zoho would reject them (partial writes). */
export type PartialGuardResult =
  | (Extract<GuardResult, { ok: true }> & { dropped: { field: string; reason: string }[] })
  | Extract<GuardResult, { ok: false }>;

/**
 * The write guard with partial writes: when every rejected value belongs to a field the use case may drop, the
 * other values are written without them; otherwise the whole write is refused, as guardWrite does.
 */
export function guardPartial(
  proposed: Record<string, unknown>,
  fields: GuardField[],
  allowList: readonly string[],
  droppable: readonly string[] = [],
): PartialGuardResult {
  const first = guardWrite(proposed, fields, allowList);
  if (first.ok) return { ...first, dropped: [] };
  if (!first.problems.every((p) => droppable.includes(p.field))) return first;
  const rejected = new Set(first.problems.map((p) => p.field));
  const rest = guardWrite(
    Object.fromEntries(Object.entries(proposed).filter(([k]) => !rejected.has(k))),
    fields,
    allowList,
  );
  // Nothing left worth writing is no partial write.
  if (!rest.ok || Object.keys(rest.fields).length === 0) return first;
  return { ...rest, dropped: first.problems };
}

/**
 * The field a Zoho `INVALID_DATA` names, from a CRM per-record result (`details.api_name`) or a Desk error
 * (`errors[].fieldName`, a JSON pointer such as `/cf/cf_ai_urgency`); undefined for any other answer.
 */
export function rejectedField(code: unknown, details: unknown): string | undefined {
  if (code !== "INVALID_DATA" || !details || typeof details !== "object") return undefined;
  const d = details as { api_name?: unknown };
  if (typeof d.api_name === "string") return d.api_name;
  if (Array.isArray(details)) {
    const name = (details as { fieldName?: unknown }[]).find(
      (e) => typeof e?.fieldName === "string",
    )?.fieldName;
    return typeof name === "string" ? (name.split("/").pop() ?? undefined) : undefined;
  }
  return undefined;
}

/**
 * Drops the cached metadata a rejected write was built on, when Zoho named a field: the org's fields changed
 * (a picklist value removed, a length shortened), and the next unit must see the change. Returns the field.
 */
export function invalidateOnRejection(
  metadata: Pick<FieldMetadata, "invalidate">,
  connection: string,
  service: "crm" | "desk",
  module: string,
  rejection: { code?: unknown; details?: unknown } | unknown,
): string | undefined {
  const r =
    rejection instanceof UpstreamRejectedError
      ? { code: rejection.code, details: rejection.details }
      : ((rejection ?? {}) as { code?: unknown; details?: unknown });
  const field = rejectedField(r.code, r.details);
  if (field) metadata.invalidate(connection, service, module);
  return field;
}

export interface MappingBinderDeps {
  metadata: FieldMetadata;
  logger: AppLogger;
  metrics: Metrics;
  /** How soon a use case waiting on a missing required field re-reads the org's fields. */
  recheckMs: number;
}

/**
 * The worker's side of the mapping: binds a use case for a connection on each unit (cheap: the metadata is cached
 * and so is the binding per metadata read), reports once per connection and metadata read what is skipped or
 * missing, and stops a use case whose required targets are not usable (MappingIncompleteError: its events wait).
 */
export class MappingBinder {
  /** Bindings per metadata read (the cached field list), so a refresh re-binds and re-reports. */
  private readonly bindings = new WeakMap<GuardField[], Map<string, Binding>>();
  /** Connection|use case pairs whose mapping is incomplete: their metadata is re-read every `recheckMs`. */
  private readonly incomplete = new Set<string>();
  /** What was last reported per connection|use case, so the re-checks of a stopped use case do not repeat it. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly deps: MappingBinderDeps) {}

  async bind(
    useCase: { name: string; mapping?: UseCaseMapping },
    connection: string,
    zoho: ZohoHttpClient,
  ): Promise<Binding | undefined> {
    const mapping = useCase.mapping;
    if (!mapping) return undefined;
    const key = `${connection}|${useCase.name}`;
    const options = this.incomplete.has(key) ? { maxAgeMs: this.deps.recheckMs } : {};
    const fields =
      mapping.service === "crm"
        ? await this.deps.metadata.crm(zoho, connection, mapping.module, options)
        : await this.deps.metadata.desk(zoho, connection, mapping.module, options);
    const perRead = this.bindings.get(fields) ?? new Map<string, Binding>();
    this.bindings.set(fields, perRead);
    let binding = perRead.get(useCase.name);
    if (!binding) {
      binding = bindMapping(useCase.name, mapping, fields);
      perRead.set(useCase.name, binding);
      this.report(binding, connection, key);
    }
    if (!binding.check.runnable) {
      this.incomplete.add(key);
      this.deps.metrics.count("MappingIncomplete", 1, { useCase: useCase.name });
      throw new MappingIncompleteError(useCase.name, connection, blocking(binding.check), {
        retryAfterMs: this.deps.recheckMs,
      });
    }
    this.incomplete.delete(key);
    return binding;
  }

  /**
   * Once per connection, use case and metadata read; while the use case is stopped (metadata re-read every
   * `recheckMs`), only when something changed.
   */
  private report(binding: Binding, connection: string, key: string) {
    const { check } = binding;
    const wasIncomplete = this.incomplete.has(key);
    const skipped = check.targets.filter((t) => !t.required && t.status !== "ok");
    const signature = JSON.stringify([skipped.map((t) => t.key), blocking(check)]);
    if (wasIncomplete && !check.runnable && this.reported.get(key) === signature) return;
    this.reported.set(key, signature);
    if (skipped.length)
      this.deps.logger.warn("optional target fields are not usable in this org; their outputs are skipped", {
        connection,
        useCase: check.useCase,
        skipped: skipped.map((t) => `${t.key} -> ${t.field} (${t.status})`),
      });
    if (!check.runnable)
      this.deps.logger.error(
        "use case stopped for this connection: a required field is not usable; its events wait until it is fixed",
        {
          connection,
          useCase: check.useCase,
          missing: blocking(check),
          fixes: check.targets.filter((t) => t.required && t.status !== "ok").map((t) => t.fix),
        },
      );
    else if (wasIncomplete)
      this.deps.logger.info("use case mapping complete again; waiting events resume", {
        connection,
        useCase: check.useCase,
      });
  }
}

const blocking = (check: MappingCheck) =>
  check.targets
    .filter((t) => t.required && t.status !== "ok")
    .map((t) => `${t.key} -> ${t.field} (${t.status})`);
