/**
 * What the Zoho adapters share about Zoho's answers: id checks for ids that go into later URLs, the
 * per-item results of a batch write, the batch limit, and naming the field of a refusal.
 */
import * as z from "zod";
import type { Upstream } from "../../errors.js";
import { UpstreamRejectedError, ValidationError } from "../../errors.js";
import type { ItemResult } from "../../ports/zoho-crm.js";
import { namedField } from "./field-metadata-wire.js";

/** Zoho CRM and Desk take at most 100 records per write (and the adapters read ids 100 at a time). */
export const MAX_BATCH = 100;

const ZOHO_ID = /^\d{1,19}$/;

/**
 * An id Zoho answered that goes into a later URL or key: 1-19 digits (as a string or a safe integer), else
 * UpstreamRejectedError INVALID_ID. Checked like caller input, because an answer can be wrong or hostile.
 */
export function checkedId(value: unknown, upstream: Upstream, what: string): string {
  const id = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== "string" || !ZOHO_ID.test(id))
    throw new UpstreamRejectedError(
      upstream,
      `Zoho answered ${what} that is not 1-19 digits`,
      "INVALID_ID",
      undefined,
    );
  return id;
}

/**
 * A caller's id that goes into a URL (Creator, Books): 1-19 digits, else ValidationError naming `what`, and nothing
 * is sent. The client would encode any value safely; this keeps a wrong value from becoming a confusing 404.
 */
export function requireId(id: string, what: string): string {
  if (!ZOHO_ID.test(id))
    throw new ValidationError(`${what} must be 1-19 digits`, [{ path: what, message: "1-19 digits" }]);
  return id;
}

/** Refuses a batch over Zoho's limit before anything is sent. */
export function assertBatch(items: readonly unknown[], what: string): void {
  if (items.length > MAX_BATCH)
    throw new ValidationError(`at most ${MAX_BATCH} ${what} per call, got ${items.length}`, [
      { path: what, message: `at most ${MAX_BATCH}` },
    ]);
}

/** Splits `items` into chunks of at most `size`. */
export function chunked<T>(items: readonly T[], size = MAX_BATCH): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
}

const WriteItemSchema = z.looseObject({
  status: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  details: z.unknown().optional(),
});
const WriteAnswerSchema = z.looseObject({ data: z.array(z.unknown()).optional() });

/**
 * Zoho's per-record answer (`data[i]`, same order as the input) -> one ItemResult per input. A success's id is
 * Zoho's `details.id` (checked), else the input's own id; an item Zoho did not answer is `NO_RESULT`.
 */
export function itemResults(body: unknown, inputIds: readonly (string | undefined)[]): ItemResult[] {
  const parsed = WriteAnswerSchema.safeParse(body ?? {});
  const data = parsed.success ? (parsed.data.data ?? []) : [];
  return inputIds.map((inputId, i): ItemResult => {
    const item = WriteItemSchema.safeParse(data[i]);
    if (!item.success)
      return { ok: false, code: "NO_RESULT", message: `Zoho answered nothing for item ${i}` };
    const { status, code, message, details } = item.data;
    if (status === "success") {
      const answered = (details as { id?: unknown } | undefined)?.id;
      return { ok: true, id: checkedId(answered ?? inputId, "zoho-crm", "a written record id") };
    }
    const field = namedField(details);
    return {
      ok: false,
      code: code ?? "NO_RESULT",
      message: message ?? `Zoho refused item ${i}`,
      ...(field ? { field } : {}),
      ...(details !== undefined ? { details } : {}),
    };
  });
}

/**
 * Runs a Zoho call and names the refused field on an UpstreamRejectedError (CRM `details.api_name`, Desk
 * `errors[].fieldName`), so callers can drop stale metadata without knowing Zoho's error shapes.
 */
export async function namingField<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UpstreamRejectedError && error.field === undefined) {
      const field = namedField(error.details);
      if (field && error.constructor === UpstreamRejectedError)
        throw new UpstreamRejectedError(error.upstream, error.message, error.code, error.details, {
          cause: error,
          field,
          ...(error.status !== undefined ? { status: error.status } : {}),
        });
    }
    throw error;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The one written field Zoho's refusal texts name (Creator, Books: their messages name fields, their answers carry
 * no field key): a field quoted in a text (`'AI_Score' has exceeded its maximum digits.`), else one appearing as a
 * whole word (`Invalid value passed for cf_ai_score.`). Undefined unless exactly one written field matches, so a
 * name is never guessed.
 */
export function writtenFieldNamed(texts: readonly string[], written: readonly string[]): string | undefined {
  const quoted = written.filter((name) =>
    texts.some((t) => t.includes(`'${name}'`) || t.includes(`"${name}"`)),
  );
  if (quoted.length === 1) return quoted[0];
  const bare = written.filter((name) => {
    const word = new RegExp(`(^|[^\\w])${escapeRegExp(name)}($|[^\\w])`);
    return texts.some((t) => word.test(t));
  });
  return bare.length === 1 ? bare[0] : undefined;
}
