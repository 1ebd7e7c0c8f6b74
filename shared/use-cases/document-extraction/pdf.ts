/**
 * What document extraction needs of a PDF, behind one small interface: its page count, each page's text, and, for
 * a scanned PDF (no text layer), each page's embedded scan as an image for the model.
 *
 * Text comes from pdf-parse (on Mozilla's pdf.js): maintained, pure JavaScript, and its text path needs no native
 * binary, so it runs in Lambda from an esbuild bundle. pdf.js tries to load `@napi-rs/canvas` when it is imported
 * (to polyfill DOMMatrix/ImageData/Path2D for rendering) and carries on with a warning when it is absent, as in the
 * worker bundle, which does not ship it; but pdf.js 5 also builds one DOMMatrix at import, so `pdfjsReady` installs
 * a plain affine-matrix stand-in first when the runtime has none (nothing here renders; text extraction and the
 * operator list never use it). It also loads pdf.js's worker code in-thread (`globalThis.pdfjsWorker`), which a
 * bundler can follow, instead of pdf.js importing `./pdf.worker.mjs` beside itself at run time. Page images are pdf.js's decoded
 * pixels of the page's largest embedded image (a scan is one image per page), encoded to PNG by `png.ts`, instead
 * of pdf-parse's `getImage`/`getScreenshot`, which need the canvas. test/unit/use-cases/document-pdf.test.ts runs
 * both paths in a process where `@napi-rs/canvas` cannot load.
 *
 * This module is imported lazily by the use case's `load` (ingest and CDK synth load the descriptor, never pdf.js).
 * Nothing it reads is written anywhere: the bytes, text and images live only in the job's memory.
 */
import { ValidationError } from "../../errors.js";
import { encodePng, PIXEL_KIND } from "./png.js";

export interface PdfPageText {
  /** 1-based. */
  page: number;
  text: string;
}

export interface PageImage {
  page: number;
  mediaType: "image/png" | "image/jpeg";
  base64: string;
}

export interface PdfReader {
  /** Every page's text; a PDF over `maxPages` pages is refused (ValidationError) before any page is read. */
  text(bytes: Uint8Array, maxPages: number): Promise<{ pageCount: number; pages: PdfPageText[] }>;
  /** The largest embedded image of each page (pages without one are left out), as PNG. */
  pageImages(bytes: Uint8Array, maxPages: number): Promise<PageImage[]>;
}

/** pdf.js detaches the buffer it is given: each read gets its own copy. */
const copy = (bytes: Uint8Array) => new Uint8Array(bytes);

function tooManyPages(pages: number, max: number): ValidationError {
  return new ValidationError(`the document has ${pages} pages; at most ${max} pages are read`);
}

/**
 * The 2-D affine matrix pdf.js builds at import (`new DOMMatrix()`): identity, or from six numbers. Only installed
 * where the runtime has no DOMMatrix; rendering, the one user of its methods, is never called here.
 */
class AffineMatrix {
  a = 1;
  b = 0;
  c = 0;
  d = 1;
  e = 0;
  f = 0;
  constructor(init?: readonly number[]) {
    if (init && init.length === 6)
      [this.a, this.b, this.c, this.d, this.e, this.f] = init as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
  }
}

let ready: Promise<void> | undefined;

/** pdf.js loadable without a canvas, its worker in this thread; once per process. */
function pdfjsReady(): Promise<void> {
  ready ??= (async () => {
    const g = globalThis as { DOMMatrix?: unknown };
    g.DOMMatrix ??= AffineMatrix;
    await import("pdfjs-dist/legacy/build/pdf.worker.mjs");
  })();
  return ready;
}

async function readText(bytes: Uint8Array, maxPages: number) {
  await pdfjsReady();
  const { PDFParse } = await import("pdf-parse");
  const parser = new PDFParse({ data: copy(bytes) });
  try {
    const info = await parser.getInfo();
    if (info.total > maxPages) throw tooManyPages(info.total, maxPages);
    const result = await parser.getText({ pageJoiner: "" });
    return {
      pageCount: result.total,
      pages: result.pages.map((p) => ({ page: p.num, text: p.text.trim() })),
    };
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(`the PDF could not be read: ${error instanceof Error ? error.name : "error"}`);
  } finally {
    await parser.destroy();
  }
}

interface PdfJsImage {
  width: number;
  height: number;
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
}

interface PdfJsPage {
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  objs: { get(name: string, callback: (value: PdfJsImage | null) => void): void; has(name: string): boolean };
  commonObjs: PdfJsPage["objs"];
  cleanup(): void;
}

const imageOf = (objs: PdfJsPage["objs"], name: string) =>
  new Promise<PdfJsImage | null>((resolve) => objs.get(name, (value) => resolve(value ?? null)));

async function readImages(bytes: Uint8Array, maxPages: number): Promise<PageImage[]> {
  // The same pdf.js build pdf-parse runs on (its dependency), for the operator list and decoded image pixels.
  await pdfjsReady();
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: copy(bytes), verbosity: 0, isEvalSupported: false });
  try {
    const doc = await task.promise;
    if (doc.numPages > maxPages) throw tooManyPages(doc.numPages, maxPages);
    const out: PageImage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = (await doc.getPage(n)) as unknown as PdfJsPage;
      const ops = await page.getOperatorList();
      let best: PdfJsImage | null = null;
      for (let i = 0; i < ops.fnArray.length; i++) {
        if (ops.fnArray[i] !== pdfjs.OPS.paintImageXObject) continue;
        const name = String(ops.argsArray[i]?.[0]);
        const img = await imageOf(page.commonObjs.has(name) ? page.commonObjs : page.objs, name);
        if (img?.data && (!best || img.width * img.height > best.width * best.height)) best = img;
      }
      if (best?.data) {
        const pixels = best.data instanceof Uint8Array ? best.data : new Uint8Array(best.data.buffer);
        const png = encodePng(best.width, best.height, best.kind ?? PIXEL_KIND.RGBA_32BPP, pixels);
        out.push({ page: n, mediaType: "image/png", base64: png.toString("base64") });
      }
      page.cleanup();
    }
    return out;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(
      `the PDF's pages could not be read: ${error instanceof Error ? error.name : "error"}`,
    );
  } finally {
    await task.destroy();
  }
}

export const pdfReader: PdfReader = { text: readText, pageImages: readImages };
