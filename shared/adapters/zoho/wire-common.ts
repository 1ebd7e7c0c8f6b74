/**
 * STAND-IN (pipeline package, until the adapters package's version lands; theirs replaces this file): what the CRM and Desk
 * stand-in adapters share: the batch limit, the id check, Zoho's per-item answers as ItemResults.
 */
import * as z from "zod";
import { UpstreamRejectedError, ValidationError } from "../../errors.js";
import type { ItemResult } from "../../ports/zoho-crm.js";
import { rejectedField } from "./field-metadata-wire.js";

export const MAX_BATCH = 100;
const ZOHO_ID = /^\d{1,19}$/;

export function checkId(upstream: "zoho-crm" | "zoho-desk", id: unknown, what: string): string {
  if (typeof id === "string" && ZOHO_ID.test(id)) return id;
  throw new UpstreamRejectedError(
    upstream,
    `Zoho answered a ${what} id that is not 1-19 digits`,
    "INVALID_ID",
    undefined,
  );
}

export function checkBatch(items: readonly unknown[]) {
  if (items.length > MAX_BATCH) throw new ValidationError(`at most ${MAX_BATCH} items per Zoho batch call`);
}

const ItemSchema = z.looseObject({
  status: z.string().nullish(),
  code: z.string().nullish(),
  message: z.string().nullish(),
  details: z.unknown(),
});

/** Zoho's per-item answers, in order, as ItemResults (one per item sent). */
export function itemResults(body: unknown, count: number): ItemResult[] {
  const data = z.looseObject({ data: z.array(z.unknown()).nullish() }).safeParse(body ?? {});
  const list = data.success ? (data.data.data ?? []) : [];
  return Array.from({ length: count }, (_, i): ItemResult => {
    const item = ItemSchema.safeParse(list[i]);
    if (!item.success)
      return { ok: false, code: "NO_RESULT", message: "Zoho answered no result for this item" };
    const { status, code, message, details } = item.data;
    if (status === "success") {
      const id = (details as { id?: unknown } | undefined)?.id;
      return { ok: true, id: typeof id === "string" ? id : "" };
    }
    const field = rejectedField(code, details);
    return {
      ok: false,
      code: code ?? "NO_RESULT",
      message: message ?? "",
      ...(field ? { field } : {}),
      ...(details !== undefined ? { details } : {}),
    };
  });
}
