/** `POST /v1/hooks/flow/<use case>`: Zoho Flow, n8n, Deluge `invokeUrl`, custom code; the body fits the use case's schema. */
import type { z } from "zod";
import { bodyDigest } from "../../domain/dedup-key.js";
import { type HttpRequest, parseBody } from "../http.js";
import { MAX_BODY_BYTES } from "../inputs.js";
import { own, type RouteResult, validate } from "./route-kit.js";

/**
 * The unit of one flow use case: its input as its schema reads it, about the CRM record it names (if any). Its
 * dedup key is the caller's `Idempotency-Key`, else the event's own identity (`dedupBy`, e.g. a Message-ID), else
 * the body's digest.
 */
export function flowRoute(
  useCase: string,
  schema: z.ZodType<Record<string, unknown>>,
  dedupBy?: (input: Record<string, unknown>) => string | undefined,
) {
  return (req: HttpRequest, idempotencyKey: string | undefined): RouteResult => {
    const input = validate(schema, parseBody(req, MAX_BODY_BYTES, false), `${useCase} input`);
    const recordId = own(input, "recordId");
    const id = own(input, "id");
    const module = own(input, "module");
    const record = typeof recordId === "string" ? recordId : typeof id === "string" ? id : undefined;
    return {
      units: [
        {
          useCase,
          source: "flow",
          dedupKey: `flow:${useCase}:${idempotencyKey ?? dedupBy?.(input) ?? bodyDigest(req.body)}`,
          subject: record && typeof module === "string" ? { service: "crm", module, id: record } : null,
          input,
        },
      ],
      ignored: 0,
    };
  };
}
