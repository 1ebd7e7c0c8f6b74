/**
 * Document extraction end to end on the local stack: a contract attached to a Deal in the Zoho sandbox, the flow
 * call that names it, the worker downloading it with the connection's token, reading it (text layer, or page images
 * for the model server's vision input), and writing sure values to the Deal's AI fields, deadlines as Tasks and a
 * review note, all with `"trigger": []`; a duplicate delivery writes once, a model fault and a refused write end as
 * dead letters with their reasons, injected text stays data, and a document over 50 pages is refused unread.
 *
 * Written against the contract of issue 11 (CONTRACTS-11.md): it passes once core's `answer`/`ask` with images, the
 * model server's image parts and the sandbox's attachment download are merged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractPdf, sample, setup } from "../../../infra/cli/samples/document.js";
import { createFields } from "../../../infra/local/zoho-sandbox/custom-fields.js";
import { CONTRACT_PAGES, INJECTION_LINE, scannedPdf, textPdf } from "../../fixtures/documents/make.js";
import { deadLetters, deadLettersAtLeast, post, startTestStack, until } from "../../helpers/local-stack.js";

let stack: Awaited<ReturnType<typeof startTestStack>>;

const sandboxUrl = () => stack.sandbox?.url as string;
const crm = () => stack.sandbox?.state.crm as NonNullable<typeof stack.sandbox>["state"]["crm"];

/** The contract targets' default fields, as `fields create document-extraction` makes them. */
const AI_FIELDS = [
  { field_label: "AI Contract Start", data_type: "date" },
  { field_label: "AI Contract End", data_type: "date" },
  { field_label: "AI Contract Amount", data_type: "double" },
  { field_label: "AI Contract Currency", data_type: "text", length: 3 },
  { field_label: "AI Renewal Terms", data_type: "textarea", length: 2000 },
];

beforeAll(async () => {
  stack = await startTestStack();
  const made = createFields(crm(), { module: "Deals" }, { fields: AI_FIELDS });
  expect(made.status).toBe(201);
}, 60_000);
afterAll(() => stack?.stop());

async function control(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandboxUrl()}/_sandbox/${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
  return (await res.json()) as Record<string, unknown>;
}

let dealNo = 0;
/** A new Deal with `bytes` attached; its id and the attachment's. */
async function dealWith(bytes: Uint8Array, fileName: string, contentType = "application/pdf") {
  dealNo += 1;
  const deal = (await control("crm/Deals", {
    Deal_Name: `Document test ${dealNo}`,
    Stage: "Negotiation/Review",
    Closing_Date: "2027-01-15",
  })) as { data?: { details?: { id?: string } }[] };
  const dealId = deal.data?.[0]?.details?.id as string;
  const file = await control("attachments", {
    module: "Deals",
    record_id: dealId,
    file_name: fileName,
    content_type: contentType,
    content_base64: Buffer.from(bytes).toString("base64"),
  });
  return { dealId, attachmentId: file.id as string, fileName };
}

const flowCall = (
  doc: { dealId: string; attachmentId: string; fileName: string },
  extra: Record<string, unknown> = {},
) =>
  post(
    `${stack.api?.url}/v1/hooks/flow/document-extraction`,
    JSON.stringify({
      module: "Deals",
      recordId: doc.dealId,
      documentType: "contract",
      documentRef: { module: "Deals", recordId: doc.dealId, attachmentId: doc.attachmentId },
      fileName: doc.fileName,
      ...extra,
    }),
    { "x-mediator-token": stack.webhookToken },
  );

const allNotesOf = (id: string) =>
  [...crm().table("Notes").values()].filter((n) => (n.Parent_Id as { id?: string } | undefined)?.id === id);
/** The document's review notes on a record (one per extraction); the job's audit note is counted apart. */
const notesOf = (id: string) =>
  allNotesOf(id).filter((n) => String(n.Note_Title).startsWith("Document extraction:"));
/** The audit notes ("AI update") a job leaves when it wrote fields to the record. */
const auditNotesOf = (id: string) => allNotesOf(id).filter((n) => n.Note_Title === "AI update");
type Write = { module: string; ids: string[]; source: string; trigger: string[] | null };
/** The mediator's (API) writes the sandbox recorded. */
const apiWrites = () =>
  ((stack.sandbox?.inspect().writes ?? []) as Write[]).filter((w) => w.source === "api");

const modelRequests = () => stack.model?.stats().requests ?? 0;

describe("document extraction on the local stack", () => {
  it("a text PDF: downloaded, read from its text layer, one model call, note (and any sure values) on the Deal", async () => {
    const doc = await dealWith(await textPdf(CONTRACT_PAGES), "agreement.pdf");
    const before = modelRequests();

    const res = await flowCall(doc, { params: { minConfidence: 0 } });

    expect(res.status).toBe(202);
    await until(() => expect(notesOf(doc.dealId)).toHaveLength(1), 30_000);
    const note = notesOf(doc.dealId)[0];
    expect(String(note?.Note_Title)).toBe("Document extraction: agreement.pdf");
    expect(String(note?.Note_Content)).toContain("text layer");
    expect(modelRequests() - before).toBe(1);
    // With every confidence accepted, the dates the text states reach the Deal's empty AI fields.
    const deal = crm().find("Deals", doc.dealId);
    expect(deal?.AI_Contract_Start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Fields were written, so the job's audit trail is a second note, written after the document's.
    await until(() => expect(auditNotesOf(doc.dealId)).toHaveLength(1), 30_000);
    for (const w of apiWrites()) expect(w.trigger).toEqual([]);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("a scanned PDF: no text layer, each page sent to the model as an image, the note says so", async () => {
    const doc = await dealWith(await scannedPdf(2), "scan.pdf");
    const before = modelRequests();

    await flowCall(doc);

    await until(() => expect(notesOf(doc.dealId)).toHaveLength(1), 30_000);
    expect(String(notesOf(doc.dealId)[0]?.Note_Content)).toContain("page images, vision model");
    expect(modelRequests() - before).toBe(2);
    expect(await deadLetters(stack)).toEqual([]);
  }, 60_000);

  it("a duplicate delivery writes once and asks the model once", async () => {
    const doc = await dealWith(contractPdf(), "service-agreement.pdf");
    const before = modelRequests();

    const first = await flowCall(doc);
    const second = await flowCall(doc);

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    await until(() => expect(notesOf(doc.dealId)).toHaveLength(1), 30_000);
    await until(() =>
      expect(stack.events.filter((e) => e.includes("document-extraction")).length).toBeGreaterThan(0),
    );
    expect(modelRequests() - before).toBe(1);
    expect(notesOf(doc.dealId)).toHaveLength(1);
  }, 60_000);

  it("injected text inside the PDF reaches the model only inside the data block", async () => {
    const doc = await dealWith(await textPdf([[...CONTRACT_PAGES[0], INJECTION_LINE]]), "injected.pdf");

    await flowCall(doc);

    await until(() => expect(notesOf(doc.dealId)).toHaveLength(1), 30_000);
    const asked = (stack.model?.received() ?? []).filter((r) =>
      r.messages.some((m) => m.content.includes("injected.pdf")),
    );
    expect(asked.length).toBeGreaterThan(0);
    for (const r of asked) {
      const system = r.messages
        .filter((m) => m.role === "system")
        .map((m) => m.content)
        .join("\n");
      const user = r.messages
        .filter((m) => m.role === "user")
        .map((m) => m.content)
        .join("\n");
      expect(system).not.toContain("ignore all previous instructions");
      const inside = user.slice(user.indexOf("<data>"), user.lastIndexOf("</data>"));
      expect(inside).toContain("ignore all previous instructions");
      expect(user.replace(inside, "")).not.toContain("ignore all previous instructions");
    }
    // Nothing the injection asked for: no field set to 0.
    expect(crm().find("Deals", doc.dealId)?.AI_Contract_Amount ?? null).not.toBe(0);
  }, 60_000);

  it("a model fault (bad output twice): dead letter with the reason, nothing written to the Deal", async () => {
    const doc = await dealWith(await textPdf(CONTRACT_PAGES), "fault.pdf");
    stack.model?.inject({ kind: "malformed", variant: "schema", count: 2 });

    await flowCall(doc);

    const dead = await deadLettersAtLeast(stack, 1, 30_000);
    expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/^model output failed twice/)]);
    expect(allNotesOf(doc.dealId)).toEqual([]);
    expect(apiWrites().filter((w) => w.ids.includes(doc.dealId))).toEqual([]);
  }, 60_000);

  it("Zoho refuses the field write (the org changed the field under the cached metadata): dead letter with Zoho's reason, the value not written", async () => {
    const doc = await dealWith(await textPdf(CONTRACT_PAGES), "refused.pdf");
    const state = stack.sandbox?.state;
    const realWrite = state?.crm.write.bind(state.crm);
    if (state && realWrite)
      state.crm.write = (...args: Parameters<typeof realWrite>) =>
        args[0] === "Deals" && args[1] === "update" && args[4] !== "ui"
          ? {
              status: 400,
              body: {
                data: [
                  {
                    code: "INVALID_DATA",
                    details: { api_name: "AI_Contract_Start" },
                    message: "invalid data",
                    status: "error",
                  },
                ],
              },
            }
          : realWrite(...args);
    try {
      await flowCall(doc, { params: { minConfidence: 0 } });

      // Zoho's refusal is the unit's end: a dead letter with Zoho's reason; the refused value never reached the Deal.
      const dead = await deadLettersAtLeast(stack, 1, 30_000);
      expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/INVALID_DATA.*AI_Contract_Start/)]);
      expect(crm().find("Deals", doc.dealId)?.AI_Contract_Start ?? null).toBeNull();
    } finally {
      if (state && realWrite) state.crm.write = realWrite;
    }
  }, 60_000);

  it("a PDF of more than 50 pages is refused with the reason before any model call", async () => {
    const pages = Array.from({ length: 51 }, (_, i) => [`Annex page ${i + 1}.`]);
    const doc = await dealWith(await textPdf(pages), "annexes.pdf");
    const before = modelRequests();

    await flowCall(doc);

    const dead = await deadLettersAtLeast(stack, 1, 30_000);
    expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/51 pages; at most 50 pages are read/)]);
    expect(modelRequests() - before).toBe(0);
    expect(allNotesOf(doc.dealId)).toEqual([]);
  }, 60_000);

  it("the send sample (npm run send -- document): setup attaches the contract, the sample's call writes its note", async () => {
    await setup(sandboxUrl());
    const { path, body } = sample();
    const dealId = (body as { recordId: string }).recordId;

    const res = await post(`${stack.api?.url}${path}`, JSON.stringify(body), {
      "x-mediator-token": stack.webhookToken,
    });

    expect(res.status).toBe(202);
    await until(() => expect(notesOf(dealId)).toHaveLength(1), 30_000);
    expect(String(notesOf(dealId)[0]?.Note_Title)).toBe("Document extraction: service-agreement.pdf");
    // Whether the model server is sure of a value depends on the text it reads (the record's id included): when
    // the job wrote a field, its audit note follows the document's note; when it wrote none, there is none.
    await until(() => {
      const wroteFields = apiWrites().some((w) => w.module === "Deals" && w.ids.includes(dealId));
      expect(auditNotesOf(dealId)).toHaveLength(wroteFields ? 1 : 0);
    }, 30_000);
    expect(allNotesOf(dealId)).toHaveLength(notesOf(dealId).length + auditNotesOf(dealId).length);
  }, 60_000);
});
