/**
 * The CRM read tools: search (structured filters, a word, an e-mail or a phone number; capped pages), one record,
 * and a module's fields with which ones this key may write. Every module and field name is checked against the
 * key's scopes and the org's live metadata before Zoho is asked anything about records.
 */
import * as z from "zod";
import { fieldAllowed, mayReadModule, mayWriteModule } from "../domain/api-key.js";
import { AccessDeniedError, NotFoundError, UpstreamRejectedError, ValidationError } from "../errors.js";
import type { ToolContext, ToolDefinition } from "./definition.js";
import { fitAnswer, trimRecord, wantedFields } from "./records.js";
import {
  CrmIdSchema,
  FieldNameSchema,
  JobIdOutput,
  MAX_VALUE_LENGTH,
  ModuleSchema,
  PAGE_CEILING,
} from "./schemas.js";
import { buildCriteria, FilterSchema } from "./search-criteria.js";

/** String lengths tried, longest first, to keep an answer within MAX_ANSWER_CHARS. */
const ANSWER_CUTS = [MAX_VALUE_LENGTH, 1_000, 500, 200] as const;

/** Zoho answers at most this many search matches in one call (`per_page` 200): the pages a search can reach. */
export const SEARCH_REACH = 200;

export function requireRead(ctx: ToolContext, module: string): void {
  if (!mayReadModule(ctx.key.scopes, module))
    throw new AccessDeniedError(`this key may not read the module ${module} (no crm.read for it)`);
}

/** The module's live fields; a module the org does not have is a 404 (Zoho answers 400 INVALID_MODULE). */
async function liveFields(ctx: ToolContext, module: string) {
  try {
    return await ctx.metadata.fields(ctx.zoho, ctx.key.connection, "crm", module);
  } catch (error) {
    if (error instanceof UpstreamRejectedError && error.code === "INVALID_MODULE")
      throw new NotFoundError("zoho-crm", `no module ${module} in this org`, { cause: error });
    throw error;
  }
}

const FieldsArg = z.array(FieldNameSchema).min(1).max(50).describe("Fields to return (default: all); max 50");

const RecordOut = z.looseObject({ id: z.string() });

const SearchInput = z
  .object({
    module: ModuleSchema,
    word: z.string().min(2).max(200).optional().describe("Search every text field for this word"),
    email: z
      .string()
      .min(3)
      .max(254)
      .regex(/^[^\s@]+@[^\s@]+$/, "must be an e-mail address")
      .optional(),
    phone: z
      .string()
      .regex(/^[0-9+()\-. ]{3,30}$/, "must be a phone number")
      .optional(),
    filters: z.array(FilterSchema).min(1).max(10).optional().describe("Conditions on fields (1-10)"),
    match: z.enum(["all", "any"]).default("all").describe("Whether all filters must hold, or any"),
    fields: FieldsArg.optional(),
    page: z.number().int().min(1).max(100).default(1),
    perPage: z
      .number()
      .int()
      .min(1)
      .max(PAGE_CEILING)
      .default(10)
      .describe("Records per page (at most the deployment's limit, default 50)"),
  })
  .strict()
  .superRefine((v, ctx) => {
    const given = (["word", "email", "phone", "filters"] as const).filter((k) => v[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "give exactly one of word, email, phone or filters",
      });
  });

const SearchOutput = z.object({
  module: z.string(),
  records: z.array(RecordOut),
  page: z.number().int(),
  perPage: z.number().int(),
  moreRecords: z.boolean(),
  jobId: JobIdOutput,
});

export const crmSearch: ToolDefinition<typeof SearchInput, typeof SearchOutput> = {
  name: "crm_search",
  title: "Search CRM records",
  description:
    "Find CRM records by word, email, phone or field filters (scope crm.read). Pages up to the deployment's perPage limit (default 50); the first 200 matches are reachable. Strings cut at 2000 chars. 400: fix the named argument; 403: key may not read the module; 429/503: wait retry-after seconds.",
  scope: "crm.read",
  writes: false,
  input: SearchInput,
  output: SearchOutput,
  async run(ctx, input) {
    requireRead(ctx, input.module);
    if (input.perPage > ctx.config.maxPageSize)
      throw new ValidationError(`perPage is at most ${ctx.config.maxPageSize}`, [
        { path: "perPage", message: `at most ${ctx.config.maxPageSize}` },
      ]);
    const end = input.page * input.perPage;
    if (end > SEARCH_REACH)
      throw new ValidationError(
        `a search reaches its first ${SEARCH_REACH} matches: narrow it instead of paging`,
        [{ path: "page", message: `page x perPage must be at most ${SEARCH_REACH}` }],
      );
    const live = await liveFields(ctx, input.module);
    const fields = wantedFields(input.module, live, input.fields);
    let by: { word?: string; email?: string; phone?: string; criteria?: string };
    if (input.filters) {
      wantedFields(
        input.module,
        live,
        input.filters.map((f) => f.field),
        "filters",
      );
      by = { criteria: buildCriteria(input.filters, input.match) };
    } else if (input.email !== undefined) by = { email: input.email };
    else if (input.phone !== undefined) by = { phone: input.phone };
    else by = { word: input.word as string };
    const found = await ctx.zoho.crm.search(input.module, by, Math.min(end + 1, SEARCH_REACH));
    const records = fitAnswer(
      found.slice(end - input.perPage, end).map((r) => trimRecord(r, fields)),
      ANSWER_CUTS,
      "perPage",
    );
    return {
      module: input.module,
      records: records as z.input<typeof RecordOut>[],
      page: input.page,
      perPage: input.perPage,
      moreRecords: found.length > end || found.length >= SEARCH_REACH,
      jobId: ctx.callId,
    };
  },
};

const GetInput = z.object({ module: ModuleSchema, id: CrmIdSchema, fields: FieldsArg.optional() }).strict();
const GetOutput = z.object({ module: z.string(), record: RecordOut, jobId: JobIdOutput });

export const crmGetRecord: ToolDefinition<typeof GetInput, typeof GetOutput> = {
  name: "crm_get_record",
  title: "Get a CRM record",
  description:
    "Read one CRM record by module and 19-digit id (scope crm.read), with the fields asked for or all; strings cut at 2000 chars. 404: no such record; 400: fix the named argument; 403: key may not read the module; 429/503: wait retry-after seconds.",
  scope: "crm.read",
  writes: false,
  input: GetInput,
  output: GetOutput,
  async run(ctx, input) {
    requireRead(ctx, input.module);
    const fields = wantedFields(input.module, await liveFields(ctx, input.module), input.fields);
    const record = await ctx.zoho.crm.getRecord(input.module, input.id);
    if (!record) throw new NotFoundError("zoho-crm", `no ${input.module} record ${input.id}`);
    return {
      module: input.module,
      record: fitAnswer(trimRecord(record, fields), ANSWER_CUTS, "fields") as z.input<typeof RecordOut>,
      jobId: ctx.callId,
    };
  },
};

const DescribeInput = z.object({ module: ModuleSchema }).strict();
const FieldOut = z.object({
  name: z.string(),
  type: z.string(),
  length: z.number().int().optional(),
  readOnly: z.boolean(),
  mandatory: z.boolean().optional(),
  picklist: z.array(z.string()).optional(),
  writable: z.boolean().describe("Whether this key may write it (its allow-list, and not read-only)"),
});
const DescribeOutput = z.object({ module: z.string(), fields: z.array(FieldOut), jobId: JobIdOutput });

/** Picklists answered at most this long (a model needs the values, not thousands of them). */
const MAX_PICKLIST = 200;

export const crmDescribeModule: ToolDefinition<typeof DescribeInput, typeof DescribeOutput> = {
  name: "crm_describe_module",
  title: "Describe a CRM module",
  description:
    "List a CRM module's fields: API name, type, length, picklist values, read-only, and whether this key may write it (scope crm.read). Use before searching or updating. 404: no such module; 403: key may not read it; 429/503: wait retry-after seconds.",
  scope: "crm.read",
  writes: false,
  input: DescribeInput,
  output: DescribeOutput,
  async run(ctx, input) {
    requireRead(ctx, input.module);
    const live = await liveFields(ctx, input.module);
    if (live.length === 0) throw new NotFoundError("zoho-crm", `no module ${input.module} in this org`);
    const mayWrite = mayWriteModule(ctx.key.scopes, input.module);
    return {
      module: input.module,
      fields: live.map((f) => ({
        name: f.name,
        type: f.type,
        ...(f.length !== undefined ? { length: f.length } : {}),
        readOnly: f.readOnly,
        ...(f.mandatory !== undefined ? { mandatory: f.mandatory } : {}),
        ...(f.picklist?.length ? { picklist: f.picklist.slice(0, MAX_PICKLIST) } : {}),
        writable:
          mayWrite && !f.readOnly && f.type !== "other" && fieldAllowed(ctx.key.scopes, input.module, f.name),
      })),
      jobId: ctx.callId,
    };
  },
};
