/**
 * The pipeline part of a use case defined by configuration (`definition.ts`): load the record's `read` fields (and
 * the targets' fields, to fill only empty ones) through the product's port, ask with the definition's instructions
 * and the record as data, and plan one guarded update of the bound targets plus, where outputs are quoted in the
 * audit trail, the product's audit write.
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import { type Binding, droppableFields, type UseCaseMapping } from "../../domain/output-targets.js";
import type { PlannedWrite } from "../../domain/planned-write.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { outputShape, perBinding } from "../../prompts/output-shape.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { AuditTarget, UseCaseWork, WorkContext } from "../descriptor.js";
import { auditOf, type UseCaseDefinition } from "./definition.js";

/** The unit's input: the record a trigger named (every product's route gives `id`; CRM also `module`). */
export const DefinedInputSchema = z.looseObject({
  id: ZohoIdSchema,
  module: z.string().max(100).optional(),
  /** The record's modification time as the trigger saw it. */
  modifiedTime: z.string().max(64).optional(),
});
type DefinedInput = z.infer<typeof DefinedInputSchema>;

export interface LoadedRecord {
  id: string;
  /** The record's fields as read (the `read` fields and the bound targets' fields this org has). */
  record: Record<string, unknown>;
  binding: Binding;
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === "" ||
  v === "-None-" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** A definition's version: its content's digest, so any change to instructions or outputs shows in the audit. */
export const definitionVersion = (d: UseCaseDefinition): string =>
  `defined/${d.name}/${createHash("sha256").update(JSON.stringify(d)).digest("hex").slice(0, 12)}`;

/** The mapping of a definition's outputs: its targets, in the module (or form, or entity) it writes. */
export function definitionMapping(d: UseCaseDefinition): UseCaseMapping {
  return {
    service: d.target.product,
    module: mappedModule(d),
    targets: d.outputs.map((o) => ({
      key: o.key,
      field: o.field,
      required: o.required,
      intent: o.intent,
      ...(o.describe !== undefined ? { describe: o.describe } : {}),
      accepts: o.accepts,
      nullable: o.nullable,
      ...(o.min !== undefined ? { min: o.min } : {}),
      ...(o.max !== undefined ? { max: o.max } : {}),
    })),
    partialOptional: true,
  };
}

/** Where a definition's fields live: a CRM module, a Creator `app/form`, a Books entity. */
export function mappedModule(d: UseCaseDefinition): string {
  const t = d.target;
  return t.product === "crm" ? t.module : t.product === "creator" ? `${t.app}/${t.form}` : t.entity;
}

/** Reads the record, or null when the product has none with that id. */
async function readRecord(
  d: UseCaseDefinition,
  ctx: WorkContext,
  input: DefinedInput,
  fields: string[],
): Promise<Record<string, unknown> | null> {
  const t = d.target;
  switch (t.product) {
    case "crm":
      return ctx.crm.getRecord(t.module, input.id, fields);
    case "creator": {
      const record = await ctx.creator.getRecord({ app: t.app }, t.report, input.id);
      return record && pick(record, fields);
    }
    case "books": {
      const record = await ctx.books.getEntity(t.entity, input.id);
      if (!record) return null;
      // Custom fields by api name beside the entity's own fields (`customer_name`, `due_date`, `balance`, ...).
      return pick({ ...record, ...record.customFields }, fields);
    }
  }
}

const pick = (record: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(fields.filter((f) => Object.hasOwn(record, f)).map((f) => [f, record[f]]));

export function definedWork(d: UseCaseDefinition): UseCaseWork<DefinedInput, LoadedRecord> {
  const mapping = definitionMapping(d);
  const module = mappedModule(d);
  const product = d.target.product;
  const audit = auditOf(d);
  const schemaOf = perBinding((binding) => z.strictObject(outputShape(binding)));
  const fillEmpty = d.writeMode === "fill-empty";
  const system = `${d.instructions.trim()} ${DATA_RULES}${
    d.outputs.some((o) => o.nullable) ? " Answer null for a value the data does not support." : ""
  }`;
  return {
    promptVersion: definitionVersion(d),
    inputSchema: DefinedInputSchema,

    async load(ctx, input) {
      const binding = ctx.binding;
      if (!binding) throw new Error(`use case ${d.name} runs with a bound field mapping`);
      const live = new Set((await ctx.fields(product, module)).map((f) => f.name));
      // Books answers standard entity fields (customer_name, due_date, ...) that its custom-field metadata does not
      // list: those are read as named; custom fields (`cf_...`) and every CRM and Creator field only when live.
      const known = (f: string) => live.has(f) || (product === "books" && !f.startsWith("cf_"));
      const targets = fillEmpty ? binding.bound.map((b) => b.field.name) : [];
      const fields = [...new Set([...d.read, ...targets])].filter(known);
      const record = await readRecord(d, ctx, input, fields);
      if (!record) throw new NotFoundError(upstreamOf(product), `${module} ${input.id} does not exist`);
      // A CRM workflow names its module: one other than the definition's is the wrong rule calling this use case.
      if (d.target.product === "crm" && input.module !== undefined && input.module !== d.target.module)
        throw new ValidationError(`${d.name} works on ${d.target.module}, not ${input.module}`);
      return { id: input.id, record, binding };
    },

    schemaFor: (loaded) => schemaOf(loaded.binding),

    prompt(loaded) {
      const data = Object.fromEntries(
        d.read
          .filter((f) => Object.hasOwn(loaded.record, f) && !isEmpty(loaded.record[f]))
          .map((f) => [f, loaded.record[f]]),
      );
      return { system, user: dataBlock(`${module} record`, data) };
    },

    ...(d.budget
      ? {
          tokenBudgetPerEvent: d.budget.tokensPerEvent,
          estimateTokens: (loaded: LoadedRecord) => Math.ceil(JSON.stringify(loaded.record).length / 4),
        }
      : {}),

    plan(output, loaded): PlannedWrite[] {
      const proposed: Record<string, unknown> = {};
      for (const b of loaded.binding.bound) {
        // Fill only what is known to be empty: a Creator answer may leave out fields its report does not show.
        const unknown = product === "creator" && !Object.hasOwn(loaded.record, b.field.name);
        if (fillEmpty && (unknown || !isEmpty(loaded.record[b.field.name]))) continue;
        const value = output[b.target.key];
        if (value !== undefined && value !== null) proposed[b.field.name] = value;
      }
      // Nothing to write (every target filled already, or every answer null): no write and no audit.
      if (Object.keys(proposed).length === 0) return [];
      const allowList = loaded.binding.bound.map((b) => b.field.name);
      const droppable = droppableFields(loaded.binding, mapping);
      // The outputs quoted in the audit trail: CRM's note carries them as planned; Creator and Books quote the values
      // as the guard let them through, when the audit is written.
      const inAudit = loaded.binding.bound.filter(
        (b) => d.outputs.find((o) => o.key === b.target.key)?.inAudit && b.field.name in proposed,
      );
      const quote = inAudit.map((b) => `${b.target.key}:\n${String(proposed[b.field.name])}`).join("\n\n");
      const quotedFields = inAudit.map((b) => b.field.name);
      const t = d.target;
      switch (t.product) {
        case "crm":
          return [
            { kind: "crm-update", module: t.module, id: loaded.id, proposed, allowList, droppable },
            ...(quote
              ? [
                  {
                    kind: "crm-note" as const,
                    module: t.module,
                    id: loaded.id,
                    title: d.title.slice(0, 120),
                    content: quote,
                  },
                ]
              : []),
          ];
        case "creator":
          return [
            {
              kind: "creator-update",
              app: t.app,
              form: t.form,
              report: t.report,
              id: loaded.id,
              proposed,
              allowList,
              droppable,
            },
            ...(audit.kind === "form"
              ? [
                  {
                    kind: "creator-audit" as const,
                    app: t.app,
                    form: audit.form,
                    report: audit.report,
                    fields: audit.fields,
                    recordId: loaded.id,
                    quote: quotedFields,
                  },
                ]
              : []),
          ];
        case "books":
          return [
            { kind: "books-update", entity: t.entity, id: loaded.id, proposed, allowList, droppable },
            { kind: "books-comment", entity: t.entity, id: loaded.id, quote: quotedFields },
          ];
      }
    },

    auditTarget(loaded): AuditTarget {
      const t = d.target;
      if (t.product === "crm") return { service: "crm", module: t.module, id: loaded.id };
      if (t.product === "creator") return { service: "creator", app: t.app, report: t.report, id: loaded.id };
      return { service: "books", entity: t.entity, id: loaded.id };
    },
  };
}

const upstreamOf = (product: UseCaseDefinition["target"]["product"]) =>
  product === "crm" ? "zoho-crm" : product === "creator" ? "zoho-creator" : "zoho-books";
