/**
 * Pieces the use cases' trigger schemas are built from (`shared/use-cases/<name>/index.ts`): inline text with its
 * size bound, custom parameters, a Zoho attachment reference. Zoho's merge fields arrive as strings; unknown keys
 * are kept as custom parameters but never trusted as instructions.
 *
 * Large inputs: text travels inline up to MAX_INLINE_TEXT_BYTES per field (well under SQS's 256 KB message limit,
 * leaving room for the envelope); anything larger must be sent by reference to a Zoho attachment, which the
 * pipeline downloads.
 */
import * as z from "zod";
import { ModuleNameSchema, ZohoIdInputSchema } from "../schemas/work-message.js";
import { MAX_PARAMS } from "./payload-bounds.js";

/** Per text field, in UTF-8 bytes. */
export const MAX_INLINE_TEXT_BYTES = 150 * 1024;

/** Inline text of at most `max` UTF-8 bytes; beyond it the caller is told to send an attachment reference. */
export const text = (max = MAX_INLINE_TEXT_BYTES) =>
  z
    .string()
    .refine(
      (s) => Buffer.byteLength(s, "utf8") <= max,
      `longer than ${max} bytes: send it as a Zoho attachment reference instead`,
    );

/** Caller-chosen parameters passed through to the use case as data (at most MAX_PARAMS, scalar values). */
export const customParams = z
  .record(z.string().max(100), z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]))
  .refine((p) => Object.keys(p).length <= MAX_PARAMS, `at most ${MAX_PARAMS} parameters`);

/** A Zoho attachment the pipeline fetches (for documents and transcripts too large to send inline). */
export const AttachmentRefSchema = z.object({
  module: ModuleNameSchema,
  recordId: ZohoIdInputSchema,
  attachmentId: ZohoIdInputSchema,
});
