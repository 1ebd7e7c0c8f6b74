/**
 * Document extraction's work run directly against the fakes: the attachment is downloaded with the 20 MB cap, a
 * text PDF takes the text path (one call), a scanned PDF the vision path (one call per page, with its image), more
 * than 50 pages is refused, and the plan puts sure values into the org's mapped empty fields, deadlines into Tasks
 * and unsure or conflicting values into the review note, never over a person's value.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type * as z from "zod";
import type { ZohoField } from "../../../shared/domain/zoho-field.js";
import { ValidationError } from "../../../shared/errors.js";
import type { CrmAttachment, ZohoCrm } from "../../../shared/ports/zoho-crm.js";
import type { WorkContext } from "../../../shared/use-cases/descriptor.js";
import { documentExtraction } from "../../../shared/use-cases/document-extraction/index.js";
import { MAX_DOCUMENT_BYTES } from "../../../shared/use-cases/document-extraction/limits.js";
import { extractionSchema } from "../../../shared/use-cases/document-extraction/schemas.js";
import {
  type DocumentAsk,
  documentExtractionWork,
  type LoadedDocument,
} from "../../../shared/use-cases/document-extraction/work.js";
import { FakeZohoBooks } from "../../fakes/zoho-books.js";
import { FakeZohoCreator } from "../../fakes/zoho-creator.js";
import { FakeZohoCrm } from "../../fakes/zoho-crm.js";
import { FakeZohoDesk } from "../../fakes/zoho-desk.js";
import {
  CONTRACT_PAGES,
  INJECTION_LINE,
  scannedPdf,
  scanPng,
  textPdf,
} from "../../fixtures/documents/make.js";

const DEAL = "5545974000001000060";
const ATTACHMENT = "5545974000001999001";

/** The fake CRM with attachments (the ZohoCrm port's download, as the adapter bounds it by `maxBytes`). */
function crmWithFiles() {
  const fake = new FakeZohoCrm();
  const files = new Map<string, CrmAttachment>();
  const downloads: { attachmentId: string; maxBytes: number }[] = [];
  const port: ZohoCrm = fake;
  port.downloadAttachment = async (_m, _r, attachmentId, maxBytes) => {
    downloads.push({ attachmentId, maxBytes });
    const file = files.get(attachmentId);
    if (!file) throw new ValidationError("no such attachment");
    if (file.bytes.length > maxBytes) throw new ValidationError(`larger than ${maxBytes} bytes`);
    return file;
  };
  return Object.assign(fake, { files, downloads });
}

const DEAL_FIELDS: ZohoField[] = [
  { name: "Deal_Name", type: "text", length: 120, readOnly: false },
  { name: "AI_Contract_Start", type: "date", readOnly: false },
  { name: "AI_Contract_End", type: "date", readOnly: false },
  { name: "AI_Contract_Amount", type: "double", readOnly: false },
  { name: "AI_Contract_Currency", type: "text", length: 3, readOnly: false },
  { name: "AI_Renewal_Terms", type: "textarea", length: 2000, readOnly: false },
  // AI_Contract_Parties is not in this org: its value goes to the note.
];

let crm: ReturnType<typeof crmWithFiles>;
let ctx: WorkContext;
const work = documentExtractionWork({ fieldMap: {} });

beforeEach(() => {
  crm = crmWithFiles();
  crm.put("Deals", { id: DEAL, Deal_Name: "Example Retail renewal", AI_Contract_End: "2027-06-30" });
  crm.moduleFields.set("Deals", DEAL_FIELDS);
  ctx = {
    crm,
    desk: new FakeZohoDesk(),
    creator: new FakeZohoCreator(),
    books: new FakeZohoBooks(),
    connection: "default",
    now: new Date("2026-11-30T12:00:00Z"),
    fields: (_s, module) => crm.fields(module),
  };
});

const attach = (bytes: Uint8Array, fileName = "agreement.pdf", contentType = "application/pdf") =>
  crm.files.set(ATTACHMENT, { fileName, contentType, bytes });

const input = (extra: Record<string, unknown> = {}) =>
  work.inputSchema.parse({
    module: "Deals",
    recordId: DEAL,
    documentType: "contract",
    documentRef: { module: "Deals", recordId: DEAL, attachmentId: ATTACHMENT },
    fileName: "agreement.pdf",
    ...extra,
  });

const load = (extra: Record<string, unknown> = {}) =>
  work.load(ctx, input(extra), {} as never) as Promise<LoadedDocument>;

const sure = (value: unknown, page = 1) => ({ value, confidence: 0.95, page });

/** A model answer for a contract; `over` replaces values. */
function contractAnswer(over: Record<string, unknown> = {}) {
  return {
    parties: sure("Acme Analytics GmbH, Example Retail Ltd"),
    effective_date: sure("2027-01-01"),
    end_date: sure("2027-12-31"),
    renewal_terms: sure("Renews for 12 months unless terminated with 90 days notice", 2),
    amount: { value: 48000, confidence: 0.5, page: 1 },
    currency: sure("EUR"),
    key_clauses: [{ text: "Quarterly invoicing", confidence: 0.9, page: 1 }],
    risks: [{ text: "Uncapped liability for data breaches", confidence: 0.9, page: 2 }],
    deadlines: [
      { description: "Send notice of non-renewal", date: "2027-10-02", confidence: 0.9, page: 2 },
      { description: "Maybe a review meeting", date: "2027-03-01", confidence: 0.3, page: 1 },
      { description: "Annual price review", date: null, confidence: 0.9, page: 2 },
    ],
    summary: "A one-year service agreement.",
    ...over,
  };
}

function recordingAsk(answer: (label: string) => Record<string, unknown>) {
  const calls: Parameters<DocumentAsk>[0][] = [];
  const ask: DocumentAsk = async <T extends z.ZodType<Record<string, unknown>>>(
    request: Parameters<DocumentAsk>[0] & { schema: T },
  ) => {
    calls.push(request);
    // As the pipeline does: the answer must fit the schema.
    return request.schema.parse(answer(request.label)) as z.infer<T>;
  };
  return { ask, calls };
}

describe("document extraction: reading the document", () => {
  it("takes the text path for a PDF with text: one call with the pages' text as data", async () => {
    attach(await textPdf(CONTRACT_PAGES));

    const loaded = await load();
    const { ask, calls } = recordingAsk(() => contractAnswer());
    await work.answer(ask, loaded);

    expect(crm.downloads).toEqual([{ attachmentId: ATTACHMENT, maxBytes: MAX_DOCUMENT_BYTES }]);
    expect(MAX_DOCUMENT_BYTES).toBe(20 * 1024 * 1024);
    expect(loaded.path).toBe("text");
    expect(loaded.pageCount).toBe(2);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.label).toBe("text: 2 page(s)");
    expect(calls[0]?.images).toBeUndefined();
    expect(calls[0]?.user).toContain("Notice of non-renewal is due by 2027-10-02.");
    expect(calls[0]?.system).not.toContain("2027-10-02");
  });

  it("takes the vision path for a scanned PDF: one call per page with the page's PNG, answers merged", async () => {
    attach(await scannedPdf(2), "scan.pdf");

    const loaded = await load({ fileName: "scan.pdf" });
    const { ask, calls } = recordingAsk((label) =>
      label.includes("page 1/")
        ? contractAnswer({ amount: sure(100, 1), risks: [] })
        : contractAnswer({ amount: { value: 48000, confidence: 0.99, page: 1 }, deadlines: [] }),
    );
    const output = await work.answer(ask, loaded);

    expect(loaded.path).toBe("vision");
    expect(calls.map((c) => c.label).sort()).toEqual(["vision: page 1/2", "vision: page 2/2"]);
    for (const call of calls) {
      expect(call.images).toHaveLength(1);
      expect(call.images?.[0]?.mediaType).toBe("image/png");
      const png = Buffer.from(call.images?.[0]?.base64 ?? "", "base64");
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(120); // the embedded scan's own width, not a rendering
    }
    // The surer answer wins, and its page is the page it came from.
    expect(output.amount).toEqual({ value: 48000, confidence: 0.99, page: 2 });
    expect(output.deadlines).toHaveLength(3);
    expect(() => extractionSchema("contract").parse(output)).not.toThrow();
  });

  it("sends a PNG or JPEG as one page image, as it is", async () => {
    const png = scanPng();
    attach(png, "form.png", "image/png");

    const loaded = await load({ documentType: "application-form", fileName: "form.png" });
    const { ask, calls } = recordingAsk(() => ({
      applicant_name: sure("Jane Doe"),
      applicant_email: sure("jane@example.com"),
      applicant_phone: sure(null),
      applicant_company: sure(null),
      applicant_address: sure(null),
      requested_amount: sure(null),
      deadlines: [],
      summary: "An application.",
    }));
    await work.answer(ask, loaded);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.images?.[0]).toEqual({
      mediaType: "image/png",
      base64: Buffer.from(png).toString("base64"),
    });
  });

  it("refuses a PDF of more than 50 pages before reading any page, and a file that is no document", async () => {
    attach(await textPdf(Array.from({ length: 51 }, (_, i) => [`Page ${i + 1} of a long annex.`])));
    await expect(load()).rejects.toThrow(/51 pages; at most 50/);

    attach(new TextEncoder().encode("MZ\x90\x00 not a document"), "tool.exe", "application/octet-stream");
    await expect(load()).rejects.toThrow(/not a PDF, PNG or JPEG/);
  });

  it("estimates tokens from the text and the page images, for the per-event budget", async () => {
    attach(await scannedPdf(3));
    const loaded = await load();

    expect(work.estimateTokens(loaded)).toBe(3 * 1_500);
    expect(work.tokenBudgetPerEvent).toBeGreaterThan(50 * 1_500);
  });

  it("reads inline text without any download", async () => {
    const loaded = await load({ documentRef: undefined, text: CONTRACT_PAGES.flat().join("\n") });

    expect(loaded.path).toBe("text");
    expect(crm.downloads).toEqual([]);
  });
});

describe("document extraction: the mediator's plan", () => {
  it("writes sure values to mapped empty fields, deadlines as Tasks, the rest to the review note", async () => {
    attach(await textPdf(CONTRACT_PAGES));
    const loaded = await load();

    const writes = work.plan(contractAnswer(), loaded, ctx);

    const update = writes.find((w) => w.kind === "crm-update");
    expect(update).toMatchObject({
      module: "Deals",
      id: DEAL,
      proposed: {
        AI_Contract_Start: "2027-01-01",
        AI_Contract_Currency: "EUR",
        AI_Renewal_Terms: "Renews for 12 months unless terminated with 90 days notice",
      },
    });
    // Low confidence (the amount) and a person's different value (the end date) are not written.
    expect(update && "proposed" in update ? update.proposed : {}).not.toHaveProperty("AI_Contract_Amount");
    expect(update && "proposed" in update ? update.proposed : {}).not.toHaveProperty("AI_Contract_End");
    expect(update && "allowList" in update ? update.allowList : []).not.toContain("Deal_Name");

    const tasks = writes.filter((w) => w.kind === "crm-task");
    expect(tasks).toEqual([
      {
        kind: "crm-task",
        module: "Deals",
        id: DEAL,
        subject: "Send notice of non-renewal",
        dueDate: "2027-10-02",
        description: "From agreement.pdf (page 2).",
      },
    ]);

    const note = writes.find((w) => w.kind === "crm-note");
    const content = note && "content" in note ? note.content : "";
    expect(content).toContain("text layer");
    expect(content).toMatch(/amount: 48000 \(page 1\), confidence 0\.50/);
    expect(content).toContain("the record has 2027-06-30 in AI_Contract_End");
    expect(content).toContain("deadline 2027-03-01: Maybe a review meeting");
    expect(content).toContain("deadline (no date): Annual price review (page 2)");
    expect(content).toContain("Uncapped liability for data breaches (page 2)");
    expect(content).toMatch(/no field mapped on Deals \(DOCUMENT_FIELD_MAP\):\n- parties: Acme/);
  });

  it("follows the org's field map and the confidence threshold the caller sets", async () => {
    const mapped = documentExtractionWork({ fieldMap: { contract_amount: "Contract_Value" } });
    crm.moduleFields.set("Deals", [
      ...DEAL_FIELDS,
      { name: "Contract_Value", type: "double", readOnly: false },
    ]);
    attach(await textPdf(CONTRACT_PAGES));
    const loaded = await mapped.load(ctx, input({ params: { minConfidence: 0.4 } }), {} as never);

    const writes = mapped.plan(contractAnswer(), loaded, ctx);

    const update = writes.find((w) => w.kind === "crm-update");
    expect(update && "proposed" in update ? update.proposed : {}).toMatchObject({ Contract_Value: 48000 });
    expect(writes.filter((w) => w.kind === "crm-task")).toHaveLength(1); // the 0.3 deadline is still under 0.4
  });

  it("sends a value the field cannot hold to the review note instead of the guard", async () => {
    attach(await textPdf(CONTRACT_PAGES));
    const loaded = await load();

    const writes = work.plan(contractAnswer({ currency: sure("eu€") }), loaded, ctx);

    const update = writes.find((w) => w.kind === "crm-update");
    expect(update && "proposed" in update ? update.proposed : {}).not.toHaveProperty("AI_Contract_Currency");
    const note = writes.find((w) => w.kind === "crm-note");
    expect(note && "content" in note ? note.content : "").toContain("not an ISO currency code");
  });

  it("keeps injected text in a document as data: in the data block only, never as an instruction", async () => {
    attach(await textPdf([[...CONTRACT_PAGES[0], INJECTION_LINE]]));
    const loaded = await load();

    const { system, user } = work.prompt(loaded);

    expect(system).not.toContain("ignore all previous instructions");
    const block = user.slice(user.indexOf("<data>"), user.indexOf("</data>"));
    expect(block).toContain("ignore all previous instructions");
    expect(user.match(/<\/data>/g)).toHaveLength(1);
  });

  it("is the catalog's document-extraction work, with the document type defaulting to contract", () => {
    const parsed = documentExtraction.triggers.flow?.schema.parse({
      module: "Deals",
      recordId: DEAL,
      text: "x",
    });

    expect(parsed?.documentType).toBe("contract");
    expect(documentExtraction.work?.({ fieldMap: {} }).promptVersion).toMatch(/^document-extraction\//);
    expect(documentExtraction.mapping?.targets.every((t) => t.field.startsWith("AI_"))).toBe(true);
  });
});
