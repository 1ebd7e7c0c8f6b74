/**
 * Zoho Creator v2.1 behind the `ZohoCreator` port: a report's records (criteria, `max_records`, `record_cursor`
 * paging), one record by ID, an update by ID with `skip_workflow: ["form_workflow", "schedules"]` (the mediator's
 * write never re-fires the form's workflow that called it), a record added to a form with `skip_workflow: ["all"]`
 * and a form's field metadata. The client (zoho-http-client.ts, creator-answers.ts) sends the `environment`
 * header and turns Creator's codes into the error taxonomy; here a record-level refusal of a write (a validation
 * failure such as 3070, 8011, 8012, 3002, 3001) becomes that record's `{ ok: false }` result.
 *
 * URLs: `/creator/v2.1/data/<owner>/<app>/report/<report>[/<ID>]`, `/creator/v2.1/data/<owner>/<app>/form/<form>`
 * and `/creator/v2.1/meta/<owner>/<app>/form/<form>/fields`, the owner (and the environment) the connection's
 * unless the app names its own. Caller IDs must be 1-19 digits and link names word characters before anything is
 * sent; IDs Creator answers are checked before they can reach a later URL.
 */
import * as z from "zod";
import type { ZohoField } from "../../domain/zoho-field.js";
import { NotFoundError, UpstreamRejectedError, UpstreamScopeError, ValidationError } from "../../errors.js";
import type { CreatorApp, CreatorPage, CreatorRecord, ZohoCreator } from "../../ports/zoho-creator.js";
import type { ItemResult } from "../../ports/zoho-crm.js";
import { CREATOR_OK } from "./creator-answers.js";
import { parseCreatorFields } from "./field-metadata-wire.js";
import { checkedId, requireId, writtenFieldNamed } from "./wire.js";
import { codeText, errorBody, numericCode } from "./zoho-answers.js";
import type { ZohoHttpClient, ZohoRequest, ZohoResponse } from "./zoho-http-client.js";

/** The workflows an update skips: the form's workflows (the loop) and schedules; Creator runs everything else. */
export const UPDATE_SKIP_WORKFLOW = ["form_workflow", "schedules"] as const;
/** An added record (the audit form) runs no workflow at all. */
export const ADD_SKIP_WORKFLOW = ["all"] as const;

/**
 * Codes that refuse the record, not the request: 3070 data validation failure, 8011 too many digits, 8012 wrong
 * format, 3002 a fraction in a field without decimals, 3001 the record's operation failed. They are the record's
 * result (`{ ok: false }`), whatever HTTP status carries them.
 */
export const CREATOR_RECORD_REFUSALS: ReadonlySet<string> = new Set(["3070", "8011", "8012", "3002", "3001"]);

/** Codes of a NotFoundError that mean "no such record" (the others name a missing owner, app, form or report). */
const NO_RECORD = new Set(["3190", "3100"]);

const LINK_NAME = /^\w[\w.-]{0,199}$/;

const RecordSchema = z.looseObject({ ID: z.unknown().optional() });
const RecordAnswerSchema = z.looseObject({ code: z.unknown().optional(), data: RecordSchema });
const ListAnswerSchema = z.looseObject({
  code: z.unknown().optional(),
  data: z.array(RecordSchema).nullish(),
});
/** A write's answer: one `{code, data: {ID}, message, error}`, or the same per record in `result[]`. */
const WriteAnswerSchema = z.looseObject({
  code: z.unknown().optional(),
  message: z.unknown().optional(),
  error: z.unknown().optional(),
  data: z.looseObject({ ID: z.unknown().optional() }).nullish(),
});

function linkName(value: string, what: string): string {
  if (!LINK_NAME.test(value))
    throw new ValidationError(`Creator ${what} must be a link name (letters, digits, _ . -)`, [
      { path: what, message: "link name" },
    ]);
  return value;
}

const recordOf = (raw: z.infer<typeof RecordSchema>): CreatorRecord => ({
  ...raw,
  ID: checkedId(raw.ID, "zoho-creator", "a record ID"),
});

/** A Creator answer that is not the success it should be (a 2xx with another code): nothing to read from it. */
const unexpected = (what: string, body: unknown) => {
  const code = codeText(errorBody(body).code);
  return new UpstreamRejectedError(
    "zoho-creator",
    `Zoho Creator answered ${what} with code ${code ?? "none"}`,
    code,
    undefined,
  );
};

export class ZohoCreatorHttp implements ZohoCreator {
  constructor(private readonly http: ZohoHttpClient) {}

  async getRecord(app: CreatorApp, report: string, id: string): Promise<CreatorRecord | null> {
    const path = `${await this.data(app)}/report/${linkName(report, "report")}/${requireId(id, "id")}`;
    try {
      const res = await this.http.request({ ...this.base(app), method: "GET", path });
      if (res.data === undefined) return null;
      const answer = RecordAnswerSchema.safeParse(res.data);
      if (!answer.success || numericCode(answer.data.code) !== CREATOR_OK)
        throw unexpected(`GET record ${id}`, res.data);
      return recordOf(answer.data.data);
    } catch (error) {
      if (error instanceof NotFoundError && (error.code === undefined || NO_RECORD.has(error.code)))
        return null;
      throw error;
    }
  }

  async listRecords(
    app: CreatorApp,
    report: string,
    options: { criteria?: string; maxRecords?: 200 | 500 | 1000; cursor?: string } = {},
  ): Promise<CreatorPage> {
    const path = `${await this.data(app)}/report/${linkName(report, "report")}`;
    let res: ZohoResponse<unknown>;
    try {
      res = await this.http.request({
        ...this.base(app, options.cursor),
        method: "GET",
        path,
        // Every field: without field_config a report answers its quick view only.
        query: {
          criteria: options.criteria || undefined,
          max_records: options.maxRecords,
          field_config: "all",
        },
      });
    } catch (error) {
      // 3100: no record matches the criteria (or none is left after the cursor): an empty page, not an error.
      if (error instanceof NotFoundError && error.code === "3100") return { records: [] };
      throw error;
    }
    const answer = ListAnswerSchema.safeParse(res.data ?? {});
    if (!answer.success || numericCode(answer.data.code) !== CREATOR_OK)
      throw unexpected(`GET ${report}`, res.data);
    return {
      records: (answer.data.data ?? []).map(recordOf),
      ...(res.recordCursor ? { cursor: res.recordCursor } : {}),
    };
  }

  async updateRecord(
    app: CreatorApp,
    report: string,
    id: string,
    data: Record<string, unknown>,
  ): Promise<ItemResult> {
    const path = `${await this.data(app)}/report/${linkName(report, "report")}/${requireId(id, "id")}`;
    return this.write(
      { ...this.base(app), method: "PATCH", path, body: { data, skip_workflow: [...UPDATE_SKIP_WORKFLOW] } },
      id,
      data,
    );
  }

  async addRecord(app: CreatorApp, form: string, data: Record<string, unknown>): Promise<ItemResult> {
    const path = `${await this.data(app)}/form/${linkName(form, "form")}`;
    return this.write(
      { ...this.base(app), method: "POST", path, body: { data, skip_workflow: [...ADD_SKIP_WORKFLOW] } },
      undefined,
      data,
    );
  }

  async fields(app: CreatorApp, form: string): Promise<ZohoField[]> {
    const res = await this.http.request({
      ...this.base(app),
      method: "GET",
      path: `/creator/v2.1/meta/${await this.ownerApp(app)}/form/${linkName(form, "form")}/fields`,
    });
    return parseCreatorFields(res.data);
  }

  /** A write whose answer is the record's result: success (3000) or a record-level refusal, thrown or not. */
  private async write(req: ZohoRequest, inputId: string | undefined, data: Record<string, unknown>) {
    try {
      const res = await this.http.request(req);
      return writeResult(res.data, inputId, data);
    } catch (error) {
      if (
        error instanceof UpstreamRejectedError &&
        error.constructor === UpstreamRejectedError &&
        error.code !== undefined &&
        CREATOR_RECORD_REFUSALS.has(error.code)
      )
        return refusal(error.code, error.details, data);
      throw error;
    }
  }

  private base(app: CreatorApp, recordCursor?: string): Pick<ZohoRequest, "service" | "creator"> {
    return {
      service: "creator",
      creator: {
        ...(app.environment ? { environment: app.environment } : {}),
        ...(recordCursor ? { recordCursor } : {}),
      },
    };
  }

  /** `<owner>/<app>`: the app's owner, else the connection's `creator.owner` (a use case names only the app). */
  private async ownerApp(app: CreatorApp): Promise<string> {
    const appName = linkName(app.app, "app");
    let owner = app.owner;
    if (owner === undefined) {
      const connection = await this.http.connection();
      owner = connection.creator?.owner;
      if (!owner)
        throw new UpstreamScopeError(
          "zoho-creator",
          `connection "${connection.name}" has no Creator owner configured (creator.owner), and app ${appName} names none`,
        );
    }
    return `${linkName(owner, "owner")}/${appName}`;
  }

  private async data(app: CreatorApp): Promise<string> {
    return `/creator/v2.1/data/${await this.ownerApp(app)}`;
  }
}

/**
 * A write's answer -> the record's result. Creator answers one object (`{code, data: {ID}, message}`) or, when the
 * body held a list, `result[]`: the first entry is this record's.
 */
function writeResult(body: unknown, inputId: string | undefined, data: Record<string, unknown>): ItemResult {
  const result = (body as { result?: unknown } | undefined)?.result;
  const parsed = WriteAnswerSchema.safeParse(Array.isArray(result) ? result[0] : (body ?? {}));
  if (!parsed.success) return { ok: false, code: "NO_RESULT", message: "Zoho Creator answered no result" };
  const answer = parsed.data;
  if (numericCode(answer.code) === CREATOR_OK)
    return { ok: true, id: checkedId(answer.data?.ID ?? inputId, "zoho-creator", "a written record ID") };
  return refusal(
    codeText(answer.code) ?? "NO_RESULT",
    { message: answer.message, error: answer.error },
    data,
  );
}

/** A record-level refusal, naming the field when Creator's answer names exactly one of the written fields. */
function refusal(code: string, details: unknown, data: Record<string, unknown>): ItemResult {
  const { message, error } = (details ?? {}) as { message?: unknown; error?: unknown };
  const field = namedCreatorField(error, message, Object.keys(data));
  const text =
    typeof message === "string" && message ? message : `Zoho Creator refused the record (code ${code})`;
  return {
    ok: false,
    code,
    message: text,
    ...(field ? { field } : {}),
    ...(error !== undefined ? { details: error } : {}),
  };
}

/**
 * The written field Creator's refusal names: a key of an `error` map (`{"AI_Score": "..."}`), else the one written
 * field its messages name (`'AI_Score' has exceeded its maximum digits.`). The exact shape of Creator's validation
 * errors is UNCONFIRMED, so only a field that was written can be named.
 */
export function namedCreatorField(
  error: unknown,
  message: unknown,
  written: readonly string[],
): string | undefined {
  if (error && typeof error === "object" && !Array.isArray(error)) {
    const key = Object.keys(error).find((k) => written.includes(k));
    if (key) return key;
  }
  const texts = [message, ...(Array.isArray(error) ? error : [])].filter(
    (t): t is string => typeof t === "string",
  );
  return writtenFieldNamed(texts, written);
}
