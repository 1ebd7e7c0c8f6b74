/** Document extraction's bounds and thresholds, and what kind of file a download is. */

/** The bounds: larger documents are refused with the reason, never truncated. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
export const MAX_DOCUMENT_PAGES = 50;
/** Below this many characters of text per page on average, a PDF is a scan: its pages go to the vision path. */
export const MIN_TEXT_CHARS_PER_PAGE = 25;
/** Values the model is less sure of than this go to the review note, not a field (`params.minConfidence`). */
export const DEFAULT_MIN_CONFIDENCE = 0.8;
/**
 * Per event: 50 dense text pages are about 40,000 tokens and 50 page images about 75,000 (at the estimate below);
 * the budget leaves room for both and refuses anything larger before any model call.
 */
export const DOCUMENT_TOKEN_BUDGET = 120_000;
/** A page image's prompt tokens as vision models count a high-detail page (tiles of 512 px), rounded up. */
export const TOKENS_PER_PAGE_IMAGE = 1_500;
/** The file's kind from its first bytes (never its name or declared type). */
export const sniff = (bytes: Uint8Array): "pdf" | "png" | "jpeg" | undefined => {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 5).toString("latin1") === "%PDF-") return "pdf";
  if (head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  return undefined;
};

export const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || v === "-None-";

export function minConfidenceOf(params: Record<string, unknown> | undefined): number {
  const v = params?.minConfidence;
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 1 ? n : DEFAULT_MIN_CONFIDENCE;
}
