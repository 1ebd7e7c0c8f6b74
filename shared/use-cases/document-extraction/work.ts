/**
 * Document extraction (CRM), the pipeline part: download the attachment (the mediator, with the connection's token,
 * at most 20 MB), read it (a PDF's text layer; a scanned PDF's or an image's pages as images for a vision model),
 * ask for the document type's extraction schema, and let the mediator decide where each value goes: a sure value
 * of a field the org mapped (live metadata) onto the record when the field is empty, dated obligations as Tasks,
 * and everything else (unsure values, values that differ from the record, lists of clauses, risks, anomalies) in
 * one summary note for a person to review. Nothing of the document is kept: its bytes, text and images live only in
 * this job's memory; the stored plan holds only the writes.
 */
import * as z from "zod";
import { type BoundTarget, bindMapping, withFieldMap } from "../../domain/output-targets.js";
import type { PlannedWrite } from "../../domain/planned-write.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { CrmRecord } from "../../ports/zoho-crm.js";
import { dataBlock } from "../../prompts/data-block.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { ModelAsk, UseCaseSettings, UseCaseWork, WorkContext } from "../descriptor.js";
import { fieldValue, mergePages, scalarKeys, systemPrompt } from "./extract.js";
import {
  DOCUMENT_TOKEN_BUDGET,
  isEmpty,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENT_PAGES,
  MIN_TEXT_CHARS_PER_PAGE,
  minConfidenceOf,
  sniff,
  TOKENS_PER_PAGE_IMAGE,
} from "./limits.js";
import type { PageImage, PdfPageText } from "./pdf.js";
import {
  type Deadline,
  DOCUMENT_TYPES,
  type DocumentType,
  type ExtractedValue,
  extractionSchema,
  type ListItem,
  SCHEMA_VERSIONS,
} from "./schemas.js";
import { DOCUMENT_MAPPING, TARGET_PREFIX } from "./targets.js";

const NOTE_MAX = 30_000;

export const DocumentWorkInputSchema = z.looseObject({
  module: z.string().min(1),
  recordId: ZohoIdSchema,
  documentType: z.enum(DOCUMENT_TYPES).default("contract"),
  text: z.string().optional(),
  documentRef: z
    .object({ module: z.string().min(1), recordId: ZohoIdSchema, attachmentId: ZohoIdSchema })
    .optional(),
  fileName: z.string().max(255).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
type DocumentInput = z.infer<typeof DocumentWorkInputSchema>;

export interface LoadedDocument {
  type: DocumentType;
  module: string;
  recordId: string;
  record: CrmRecord;
  /** The file's name for the note (never its content). */
  name: string;
  /** Which way the document was read: its text layer, or page images for a vision model. */
  path: "text" | "vision";
  pageCount: number;
  pages: PdfPageText[];
  images: PageImage[];
  /** This type's targets bound to the record module's live fields. */
  bound: BoundTarget[];
  minConfidence: number;
}

/** One model call of this unit (the pipeline's `ask`: repair, usage per label, concurrency bound). */
export type DocumentAsk = ModelAsk;

const at = (page: number | null) => (page ? ` (page ${page})` : "");
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

export function documentExtractionWork(settings: UseCaseSettings) {
  const mapping = withFieldMap(DOCUMENT_MAPPING, settings.fieldMap);
  const work: UseCaseWork<DocumentInput, LoadedDocument> &
    Required<
      Pick<UseCaseWork<DocumentInput, LoadedDocument>, "answer" | "tokenBudgetPerEvent" | "estimateTokens">
    > = {
    promptVersion: `document-extraction/2026-11-30.1+schemas:${DOCUMENT_TYPES.map((t) => `${t}@${SCHEMA_VERSIONS[t]}`).join(",")}`,
    inputSchema: DocumentWorkInputSchema,
    tokenBudgetPerEvent: DOCUMENT_TOKEN_BUDGET,

    async load(ctx: WorkContext, input: DocumentInput): Promise<LoadedDocument> {
      const record = await ctx.crm.getRecord(input.module, input.recordId);
      if (!record) throw new NotFoundError("zoho-crm", `${input.module} ${input.recordId} does not exist`);
      // The org's field map, bound to the live fields of the record's own module (contracts on Deals, forms on
      // Leads, statements on Accounts: whichever module the caller names).
      const prefix = `${TARGET_PREFIX[input.documentType]}_`;
      const fields = await ctx.fields("crm", input.module);
      const { bound } = bindMapping(
        "document-extraction",
        {
          ...mapping,
          module: input.module,
          targets: mapping.targets.filter((t) => t.key.startsWith(prefix)),
        },
        fields,
      );
      const base = {
        type: input.documentType,
        module: input.module,
        recordId: input.recordId,
        record,
        bound,
        minConfidence: minConfidenceOf(input.params),
        name:
          input.fileName ??
          (input.documentRef ? `attachment ${input.documentRef.attachmentId}` : "inline text"),
      };
      if (input.text !== undefined)
        return { ...base, path: "text", pageCount: 1, pages: [{ page: 1, text: input.text }], images: [] };
      const ref = input.documentRef;
      if (!ref) throw new ValidationError("give exactly one of text or documentRef");
      // The adapter refuses more than MAX_DOCUMENT_BYTES before reading it all (a ValidationError: dead letter).
      const file = await ctx.crm.downloadAttachment(
        ref.module,
        ref.recordId,
        ref.attachmentId,
        MAX_DOCUMENT_BYTES,
      );
      const format = sniff(file.bytes);
      const name = input.fileName ?? file.fileName;
      if (format === "png" || format === "jpeg")
        return {
          ...base,
          name,
          path: "vision",
          pageCount: 1,
          pages: [],
          images: [
            { page: 1, mediaType: `image/${format}`, base64: Buffer.from(file.bytes).toString("base64") },
          ],
        };
      if (format !== "pdf")
        throw new ValidationError(
          `${name} is not a PDF, PNG or JPEG (${file.contentType}): document extraction reads those only`,
        );
      const { pdfReader } = await import("./pdf.js");
      const { pageCount, pages } = await pdfReader.text(file.bytes, MAX_DOCUMENT_PAGES);
      const chars = pages.reduce((n, p) => n + p.text.length, 0);
      if (chars >= MIN_TEXT_CHARS_PER_PAGE * Math.max(1, pageCount))
        return { ...base, name, path: "text", pageCount, pages, images: [] };
      const images = await pdfReader.pageImages(file.bytes, MAX_DOCUMENT_PAGES);
      if (images.length === 0)
        throw new ValidationError(`${name} has neither text nor page images: nothing to read`);
      return { ...base, name, path: "vision", pageCount, pages: [], images };
    },

    estimateTokens: (loaded) =>
      Math.ceil(loaded.pages.reduce((n, p) => n + p.text.length, 0) / 4) +
      loaded.images.length * TOKENS_PER_PAGE_IMAGE,

    schemaFor: (loaded) => extractionSchema(loaded.type),

    prompt(loaded) {
      return {
        system: systemPrompt(loaded.type, false),
        user: dataBlock("document", {
          documentType: loaded.type,
          fileName: loaded.name,
          pages: loaded.pages.map((p) => ({ page: p.page, text: p.text })),
        }),
      };
    },

    async answer(ask, loaded) {
      const schema = extractionSchema(loaded.type);
      if (loaded.path === "text") {
        const { system, user } = work.prompt(loaded);
        return ask({ label: `text: ${loaded.pageCount} page(s)`, system, user, schema });
      }
      // One call per page (the pipeline runs at most MODEL_CONCURRENCY at once), merged by the mediator.
      const answers = await Promise.all(
        loaded.images.map(async (image) => ({
          page: image.page,
          output: await ask({
            label: `vision: page ${image.page}/${loaded.pageCount}`,
            system: systemPrompt(loaded.type, true),
            user: dataBlock("document page", {
              documentType: loaded.type,
              fileName: loaded.name,
              page: image.page,
              pages: loaded.pageCount,
            }),
            schema,
            images: [{ mediaType: image.mediaType, base64: image.base64 }],
          }),
        })),
      );
      return mergePages(loaded.type, answers);
    },

    plan(output, loaded): PlannedWrite[] {
      const { module, recordId: id, minConfidence } = loaded;
      const pageOf = (p: number | null | undefined) =>
        typeof p === "number" && p >= 1 && p <= loaded.pageCount ? p : null;
      const proposed: Record<string, unknown> = {};
      const written: string[] = [];
      const review: string[] = [];
      const unmapped: string[] = [];
      const boundByKey = new Map(loaded.bound.map((b) => [b.target.key, b]));
      for (const key of scalarKeys(loaded.type)) {
        const v = output[key] as ExtractedValue | undefined;
        if (!v || v.value === null || v.value === undefined) continue;
        const page = pageOf(v.page);
        const line = `${key.replace(/_/g, " ")}: ${show(v.value)}${at(page)}`;
        const b = boundByKey.get(`${TARGET_PREFIX[loaded.type]}_${key}`);
        if (!b) {
          unmapped.push(line);
          continue;
        }
        if (v.confidence < minConfidence) {
          review.push(`${line}, confidence ${v.confidence.toFixed(2)} (not written to ${b.field.name})`);
          continue;
        }
        const checked = fieldValue(b, v);
        if (!checked.ok) {
          review.push(`${line}: ${checked.why} (not written to ${b.field.name})`);
          continue;
        }
        const current = loaded.record[b.field.name];
        if (!isEmpty(current)) {
          // A person's value is never overwritten by a document's.
          if (show(current) !== show(checked.value))
            review.push(`${line}: the record has ${show(current)} in ${b.field.name}`);
          continue;
        }
        proposed[b.field.name] = checked.value;
        written.push(`${b.field.name} = ${show(checked.value)}${at(page)}`);
      }

      const tasks: PlannedWrite[] = [];
      for (const d of (output.deadlines as Deadline[] | undefined) ?? []) {
        const page = pageOf(d.page);
        // A Task needs a stated due date and a sure reading; anything else is for a person to look at.
        if (d.date === null || d.confidence < minConfidence || !/^\d{4}-\d{2}-\d{2}$/.test(d.date)) {
          review.push(
            `deadline ${d.date ?? "(no date)"}: ${d.description}${at(page)}, confidence ${d.confidence.toFixed(2)}`,
          );
          continue;
        }
        tasks.push({
          kind: "crm-task",
          module,
          id,
          subject: d.description.slice(0, 250),
          dueDate: d.date,
          description: `From ${loaded.name}${at(page)}.`,
        });
      }

      const lists = Object.entries(output).filter(
        ([k, v]) => Array.isArray(v) && k !== "deadlines" && v.length > 0,
      ) as [string, ListItem[]][];
      const sections = [
        `Read from ${loaded.name} (${loaded.type}, ${loaded.pageCount} page(s), ${loaded.path === "text" ? "text layer" : "page images, vision model"}).`,
        String(output.summary ?? ""),
        written.length ? `Written to the record:\n${written.map((l) => `- ${l}`).join("\n")}` : "",
        tasks.length ? `Tasks created for ${tasks.length} deadline(s).` : "",
        ...lists.map(
          ([k, items]) =>
            `${k.replace(/_/g, " ")}:\n${items.map((i) => `- ${i.text}${at(pageOf(i.page))}`).join("\n")}`,
        ),
        review.length ? `To review (not written):\n${review.map((l) => `- ${l}`).join("\n")}` : "",
        unmapped.length
          ? `Found, with no field mapped on ${module} (DOCUMENT_FIELD_MAP):\n${unmapped.map((l) => `- ${l}`).join("\n")}`
          : "",
      ].filter(Boolean);
      const writes: PlannedWrite[] = [];
      if (Object.keys(proposed).length)
        writes.push({
          kind: "crm-update",
          module,
          id,
          proposed,
          allowList: loaded.bound.map((b) => b.field.name),
          droppable: loaded.bound.map((b) => b.field.name),
        });
      writes.push(...tasks, {
        kind: "crm-note",
        module,
        id,
        title: `Document extraction: ${loaded.name}`.slice(0, 120),
        content: sections.join("\n\n").slice(0, NOTE_MAX),
      });
      return writes;
    },

    auditTarget: (loaded) => ({ service: "crm", module: loaded.module, id: loaded.recordId }),
  };
  return work;
}
