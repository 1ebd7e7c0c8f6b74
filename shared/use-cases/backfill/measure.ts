/**
 * Tokens per record for a backfill's estimate: the ledger's average when this use case made model calls in the last
 * 30 days, else the use case's own prompt for one sampled record, loaded and rendered exactly as the worker would
 * (its `load`, `prompt` and `schemaFor` against the org's live fields), counted with gpt-tokenizer.
 */
import { bindMapping } from "../../domain/output-targets.js";
import type { Ledger } from "../../ports/ledger.js";
import type { ZohoBooks } from "../../ports/zoho-books.js";
import type { ZohoCreator } from "../../ports/zoho-creator.js";
import type { ZohoCrm } from "../../ports/zoho-crm.js";
import type { ZohoDesk } from "../../ports/zoho-desk.js";
import type { WorkMessage } from "../../schemas/work-message.js";
import type { UseCaseDescriptor } from "../descriptor.js";
import { ledgerWindow, type TokensPerRecord, tokensFromLedger, tokensFromPrompt } from "./estimate.js";

export interface MeasureDeps {
  ledger: Pick<Ledger, "usageBetween">;
  crm: ZohoCrm;
  now(): number;
  /** gpt-tokenizer's `countTokens` (loaded lazily by the caller: its tables are large). */
  countTokens(text: string): number;
}

export async function measureTokensPerRecord(
  descriptor: UseCaseDescriptor,
  connection: string,
  /** The work message of one record the backfill would send; undefined when there is none. */
  sample: WorkMessage | undefined,
  deps: MeasureDeps,
  settings: { fieldMap?: Record<string, string>; raw?: Readonly<Record<string, string | undefined>> } = {},
): Promise<TokensPerRecord | undefined> {
  const { from, to } = ledgerWindow(deps.now());
  const fromLedger = tokensFromLedger(await deps.ledger.usageBetween(from, to), descriptor.name);
  if (fromLedger) return fromLedger;
  if (!sample || !descriptor.work || descriptor.service !== "crm") return undefined;
  const work = descriptor.work({
    fieldMap: settings.fieldMap ?? {},
    ...(settings.raw ? { raw: settings.raw } : {}),
  });
  // Each module's fields read once, as the worker's metadata cache reads them (the binding and `load` both need them).
  const read = new Map<string, ReturnType<ZohoCrm["fields"]>>();
  const fieldsOf = (module: string) => {
    let fields = read.get(module);
    if (!fields) {
      fields = deps.crm.fields(module);
      read.set(module, fields);
    }
    return fields;
  };
  const binding = descriptor.mapping
    ? bindMapping(descriptor.name, descriptor.mapping, await fieldsOf(descriptor.mapping.module))
    : undefined;
  const loaded = await work.load(
    {
      crm: deps.crm,
      // A CRM use case's load never reads Desk, Creator or Books.
      desk: undefined as unknown as ZohoDesk,
      creator: undefined as unknown as ZohoCreator,
      books: undefined as unknown as ZohoBooks,
      connection,
      now: new Date(deps.now()),
      fields: (_service, module) => fieldsOf(module),
      ...(binding ? { binding } : {}),
    },
    work.inputSchema.parse(sample.input),
    sample,
  );
  return tokensFromPrompt(work.prompt(loaded), work.schemaFor(loaded), deps.countTokens, descriptor.name);
}
