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

/**
 * The esbuild `define` that bundles a stage's use-case definitions into the ingest and the worker: the JSON text,
 * as a JavaScript string literal (`shared/use-cases/defined/bundled.ts` reads and checks it).
 */
export const definitionsDefine = (definitions: readonly unknown[]): Record<string, string> => ({
  __USE_CASE_DEFINITIONS__: JSON.stringify(JSON.stringify(definitions)),
});
