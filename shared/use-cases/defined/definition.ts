/**
 * A use case an admin defines without code: one file (JSON or YAML) names the product and the record it works on,
 * the fields the model reads, the instructions, and the outputs, each bound to a target field whose type, values
 * and length come from the org's live metadata (as every built-in use case's targets are). The mediator builds the
 * strict output schema from those bindings and runs the unit through the same pipeline: claim, budgets, the model
 * call and its repair, the write guard, the write, the audit trail.
 *
 * The definition is configuration, so it is trusted like a system prompt; the record's fields are untrusted data and
 * reach the model only inside the data block.
 */
import * as z from "zod";
import type { ZohoField } from "../../domain/zoho-field.js";
import { BOOKS_ENTITIES } from "../../domain/zoho-products.js";
import { ModuleNameSchema } from "../../schemas/work-message.js";

/** The field types a target may accept (ZohoField's, minus `other`). */
const FIELD_TYPES = [
  "text",
  "textarea",
  "email",
  "phone",
  "website",
  "integer",
  "double",
  "boolean",
  "date",
  "datetime",
  "picklist",
  "multiselectpicklist",
] as const satisfies readonly ZohoField["type"][];

/** A field's api name (CRM), link name (Creator) or custom field api name (Books `cf_...`). */
const FieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, "must be a field api or link name");
/** A Creator link name (app, form, report). */
const LinkName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/, "must be a Creator link name");

const OutputSchema = z.strictObject({
  /** The output's key in the model's answer, e.g. `priority`. */
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "must be snake_case, at most 40 characters"),
  /** The field it is written to. */
  field: FieldName,
  /** What the value means: for people (doctor) and, unless `describe` is given, for the model. */
  intent: z.string().min(1).max(300),
  /** What the model reads about the value, when shorter than `intent`. */
  describe: z.string().max(300).optional(),
  /** The field types that can hold it, preferred first (checked against the live field). */
  accepts: z.array(z.enum(FIELD_TYPES)).min(1),
  /** A required output the org lacks stops the use case; an optional one is skipped. @default true */
  required: z.boolean().default(true),
  /** The model may answer null ("unknown"); nothing is written then. @default false */
  nullable: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Also quote the written value in the audit trail (a Books comment, a CRM note, a Creator audit record). */
  inAudit: z.boolean().default(false),
});
export type OutputDefinition = z.infer<typeof OutputSchema>;

const TargetSchema = z.discriminatedUnion("product", [
  z.strictObject({ product: z.literal("crm"), module: ModuleNameSchema }),
  z.strictObject({
    product: z.literal("creator"),
    /** The app's link name; the owner and environment come from the connection. */
    app: LinkName,
    /** The form whose fields are read and written (its field metadata guards the writes). */
    form: LinkName,
    /** The report records are read and updated through. */
    report: LinkName,
  }),
  z.strictObject({ product: z.literal("books"), entity: z.enum(BOOKS_ENTITIES) }),
]);

const AuditSchema = z.discriminatedUnion("kind", [
  /** A CRM note on the record. */
  z.strictObject({ kind: z.literal("note") }),
  /** A Books comment on the entity (invoices, estimates, sales orders). */
  z.strictObject({ kind: z.literal("comment") }),
  /** A record in a Creator audit form (Creator has no record comments API). */
  z.strictObject({
    kind: z.literal("form"),
    form: LinkName,
    /** The audit form's report: where a resumed plan looks for the record an earlier attempt added. */
    report: LinkName.default("All_AI_Audit_Logs"),
    /** The audit form's fields: the record's ID, the use case, the audit text. */
    fields: z
      .strictObject({ recordId: FieldName, useCase: FieldName, text: FieldName })
      .default({ recordId: "Record_ID", useCase: "Use_Case", text: "Summary" }),
  }),
]);

export const UseCaseDefinitionSchema = z
  .strictObject({
    /** Kebab-case, unique among the deployment's use cases: the route segment and the metric dimension. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "must be kebab-case")
      .max(48),
    /** One line for people. */
    title: z.string().min(1).max(300),
    target: TargetSchema,
    /**
     * How events arrive: `workflow` is the product's own trigger (a CRM workflow webhook, a Creator workflow's
     * `invokeUrl`, a Books workflow rule's webhook) on `/v1/hooks/<product>/<name>`.
     */
    trigger: z.strictObject({ kind: z.literal("workflow") }).default({ kind: "workflow" }),
    /** The record's fields the model reads (fields this org lacks are left out). Nothing else leaves Zoho. */
    read: z.array(FieldName).min(1).max(40),
    /** What the model is asked to do (the system prompt, with the data rules appended). */
    instructions: z.string().min(1).max(4000),
    outputs: z.array(OutputSchema).min(1).max(20),
    /** `fill-empty` writes a field only while it is empty; `overwrite` always writes. @default "fill-empty" */
    writeMode: z.enum(["fill-empty", "overwrite"]).default("fill-empty"),
    /** Where the audit trail goes. @default a note (CRM), a comment (Books), the form `AI_Audit_Log` (Creator) */
    audit: AuditSchema.optional(),
    budget: z
      .strictObject({
        /** Tokens one event may cost at most: a larger record is dead-lettered before any model call. */
        tokensPerEvent: z.number().int().min(200).max(1_000_000),
      })
      .optional(),
  })
  .superRefine((d, ctx) => {
    const dup = (values: string[]) => values.find((v, i) => values.indexOf(v) !== i);
    const key = dup(d.outputs.map((o) => o.key));
    if (key)
      ctx.addIssue({ code: "custom", path: ["outputs"], message: `output key "${key}" appears twice` });
    const field = dup(d.outputs.map((o) => o.field));
    if (field)
      ctx.addIssue({ code: "custom", path: ["outputs"], message: `field "${field}" is written twice` });
    const kind = d.audit?.kind;
    const allowed = { crm: "note", books: "comment", creator: "form" }[d.target.product];
    if (kind && kind !== allowed)
      ctx.addIssue({
        code: "custom",
        path: ["audit", "kind"],
        message: `a ${d.target.product} use case's audit trail is a ${allowed}, not a ${kind}`,
      });
    if (d.target.product === "books" && d.target.entity === "contacts" && (kind ?? "comment") === "comment")
      ctx.addIssue({
        code: "custom",
        path: ["target", "entity"],
        message:
          "Books contacts have no comments API: the audit trail needs an invoice, estimate or sales order",
      });
    for (const [i, o] of d.outputs.entries()) {
      if (o.min !== undefined && o.max !== undefined && o.min > o.max)
        ctx.addIssue({ code: "custom", path: ["outputs", i], message: "min is above max" });
      // Creator takes dates only in each app's own date format, which this release does not read: refused here
      // rather than by Creator after every model call.
      if (d.target.product === "creator" && o.accepts.some((t) => t === "date" || t === "datetime"))
        ctx.addIssue({
          code: "custom",
          path: ["outputs", i, "accepts"],
          message: "Creator date and date-time fields are not written by this release (app-formatted dates)",
        });
    }
  });
export type UseCaseDefinition = z.infer<typeof UseCaseDefinitionSchema>;

/** The audit target a definition uses: its own, or the product's default. */
export function auditOf(d: UseCaseDefinition): NonNullable<UseCaseDefinition["audit"]> {
  if (d.audit) return d.audit;
  if (d.target.product === "creator")
    return {
      kind: "form",
      form: "AI_Audit_Log",
      report: "All_AI_Audit_Logs",
      fields: { recordId: "Record_ID", useCase: "Use_Case", text: "Summary" },
    };
  return d.target.product === "books" ? { kind: "comment" } : { kind: "note" };
}
