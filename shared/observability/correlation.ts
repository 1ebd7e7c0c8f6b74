/**
 * The correlation id that follows one event from the webhook through the queue to the worker's Zoho calls and write.
 * It comes from the caller (`X-Correlation-Id`) only when it is a plain token: it ends up in every log line, so a
 * value with control characters, spaces or unbounded length is replaced, never trusted.
 */
import { randomUUID } from "node:crypto";

/** The header callers may set, and the one the 202 answers with. */
export const CORRELATION_HEADER = "x-correlation-id";

/** What a correlation id may be: 1-128 of `[A-Za-z0-9._:-]` (API Gateway request ids and uuids fit). */
export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const isCorrelationId = (v: unknown): v is string => typeof v === "string" && CORRELATION_ID.test(v);

/**
 * The event's correlation id: the caller's header when valid, else the API Gateway request id, else a fresh uuid.
 * An HTTP API request id is base64 with `=` padding (`JKJaXmPLvHcESHA=`): the padding carries nothing and is
 * dropped, so the id still finds the request in API Gateway's access log by prefix.
 */
export function correlationIdFor(header: string | undefined, requestId: string | undefined): string {
  if (isCorrelationId(header)) return header;
  const unpadded = requestId?.replace(/=+$/, "");
  if (isCorrelationId(unpadded)) return unpadded;
  return randomUUID();
}
