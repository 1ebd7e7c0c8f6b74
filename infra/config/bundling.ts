/**
 * Packages only the worker runs. The ingest bundles the catalog's use-case descriptors (their triggers and input
 * schemas) but never runs their work; the use cases load these packages on first use (`await import(...)` inside
 * `load`), so the ingest bundle leaves them out and stays small (target < 300 KB; `npm run bench -- ingest`).
 * A use case that adds a heavy package loads it the same way and lists it here.
 */
export const WORKER_ONLY_MODULES = [
  "html-to-text",
  "gpt-tokenizer",
  "pdf-parse",
  "pdfjs-dist",
  "pdfjs-dist/*",
  "@napi-rs/canvas",
] as const;
