/**
 * The job id of a unit of work, derived from its dedup key: the same trigger delivered twice gets the same job id,
 * which is what the pipeline claims, so a duplicate never writes twice.
 */
import { createHash } from "node:crypto";

/** A deterministic UUID (version 8) from the dedup key: a duplicate delivery gets the same job id. */
export function jobIdFor(dedupKey: string): string {
  const h = createHash("sha256").update(dedupKey).digest("hex");
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A short stable digest of a trigger's raw body, for dedup keys of triggers that carry no event time or idempotency
 * key: the same body is the same event, a different body is different work.
 */
export const bodyDigest = (body: string): string =>
  createHash("sha256").update(body).digest("hex").slice(0, 32);
