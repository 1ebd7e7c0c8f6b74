/**
 * The HTTP shapes the ingest logic works on, independent of API Gateway (the thin handler converts its v2
 * events; the local router builds the same events), and request-body parsing with its 4xx answers.
 */
import { ValidationError } from "../errors.js";
import { parseJsonLossless } from "../json/safe-json.js";
import { checkPayloadBounds, type PayloadBounds } from "./payload-bounds.js";

export interface HttpRequest {
  method: string;
  /** Path without the stage, e.g. `/v1/hooks/crm/lead-enrichment`. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The raw body exactly as received (signatures are over these bytes). */
  body: string;
  /** The event's correlation id (shared/observability/correlation.ts), set by the handler. */
  correlationId?: string;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/**
 * Parses a JSON or form-encoded body; answers 413/415/400/422 for what it cannot accept. JSON is parsed losslessly
 * (the Zoho client's parser): a bare 19-digit id written by an unquoted merge field stays its exact digit string.
 * The result has passed the payload bounds (depth, size, characters the queue can carry, no `__proto__` key).
 */
export function parseBody(
  req: HttpRequest,
  maxBytes: number,
  allowForm: boolean,
  bounds?: PayloadBounds,
): unknown {
  const value = parseRaw(req, maxBytes, allowForm);
  checkPayloadBounds(value, bounds);
  return value;
}

function parseRaw(req: HttpRequest, maxBytes: number, allowForm: boolean): unknown {
  if (Buffer.byteLength(req.body, "utf8") > maxBytes) {
    throw new ValidationError(`request body larger than ${maxBytes} bytes`, [], { httpStatus: 413 });
  }
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (req.body.trim() === "") throw new ValidationError("request body is empty");
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return parseJsonLossless(req.body);
    } catch {
      throw new ValidationError("request body is not valid JSON");
    }
  }
  if (allowForm && type === "application/x-www-form-urlencoded") {
    // A Map, then own data properties: a field named `__proto__` or `constructor` never touches a prototype
    // (and the payload bounds refuse `__proto__` by name).
    const fields = new Map<string, string>(new URLSearchParams(req.body));
    if (fields.size === 0) throw new ValidationError("form body has no fields");
    return Object.fromEntries(fields);
  }
  throw new ValidationError(
    `unsupported content type "${type || "(none)"}": send application/json${allowForm ? " or application/x-www-form-urlencoded" : ""}`,
    [],
    { httpStatus: 415 },
  );
}
