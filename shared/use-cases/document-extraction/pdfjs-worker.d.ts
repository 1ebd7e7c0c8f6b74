/** pdf.js's worker code, imported for its side effect (`globalThis.pdfjsWorker`); it ships no types of its own. */
declare module "pdfjs-dist/legacy/build/pdf.worker.mjs";
