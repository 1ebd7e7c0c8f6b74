/**
 * `npm run send -- transcript`: a 60-minute sales call (the committed fixture's generator, about 10,000 words) on a
 * new deal. `setup` does what a person and a call recorder would in Zoho: creates the deal and attaches the
 * transcript as a text file; `sample` is what Zoho Flow or n8n then posts: the deal and a reference to the
 * attachment (too large to travel inline comfortably), which the worker downloads, splits and summarises.
 */
import { generateTranscript } from "../../../test/fixtures/transcripts/generate.js";

export const PATH = "/v1/hooks/flow/call-transcript";

let target: { dealId: string; attachmentId: string } | undefined;

async function control(sandboxUrl: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandboxUrl}/_sandbox/${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`the sandbox answered ${res.status} to ${path}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Creates the deal (as a sales rep would in the UI) and attaches the call's transcript to it. */
export async function setup(sandboxUrl: string): Promise<void> {
  const created = (await control(sandboxUrl, "crm/Deals", {
    Deal_Name: "Acme Logistics - dispatch planning pilot",
    // Zoho's standard pipeline: every org starts with it, so the sample holds on any org the sandbox seeds.
    Stage: "Needs Analysis",
    Closing_Date: "2027-03-31",
    Amount: 48_000,
  })) as { data?: { details?: { id?: string } }[] };
  const dealId = created.data?.[0]?.details?.id;
  if (!dealId) throw new Error("the sandbox created no deal");
  const attached = await control(sandboxUrl, "attachments", {
    module: "Deals",
    record_id: dealId,
    file_name: "call-2026-11-30.txt",
    content_type: "text/plain",
    text: generateTranscript(),
  });
  target = { dealId, attachmentId: String(attached.id) };
}

/** The orchestrator's call: the deal and the attachment reference (after `setup`). */
export function sample(): { path: string; body: unknown } {
  if (!target)
    throw new Error("call setup(sandboxUrl) first: the sample refers to the deal and file it creates");
  return {
    path: PATH,
    body: {
      module: "Deals",
      recordId: target.dealId,
      callId: "sample-call-1",
      durationSeconds: 3_600,
      transcriptRef: { module: "Deals", recordId: target.dealId, attachmentId: target.attachmentId },
    },
  };
}
