/**
 * Bounds on what a webhook body may contain, checked right after parsing and before any schema or lookup sees it:
 * nesting depth, node count, no `__proto__` key, and no character the queue cannot carry. SQS accepts only
 * #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF; anything else (C0 controls, lone surrogates,
 * U+FFFE, U+FFFF) is refused by SQS at send time, which used to surface as a 503 the sender retried forever.
 * Each refusal is a 4xx naming the place in the body, never its value.
 */
import { ValidationError } from "../errors.js";

/** Deepest nesting a body may have (Zoho's payloads are 3-4 levels deep). */
export const MAX_DEPTH = 16;
/** Most values (objects, arrays, scalars) in one body. */
export const MAX_NODES = 5_000;
/** Most custom parameters (keys of `params`, or unknown keys of a CRM webhook). */
export const MAX_PARAMS = 100;

// Lone surrogates, C0 controls except tab/LF/CR, and the noncharacters U+FFFE/U+FFFF.
// No `u` flag: the surrogate classes must match UTF-16 code units, not code points.
const UNCARRIABLE_UNITS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this regex's purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first character SQS cannot carry, as `U+XXXX`, or undefined. */
export function uncarriableChar(text: string): string | undefined {
  const m = UNCARRIABLE_UNITS.exec(text);
  return m ? `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}` : undefined;
}

const where = (path: (string | number)[]) =>
  path.length === 0 ? "(body)" : path.map((p) => String(p).slice(0, 64)).join(".");

/** Bounds other than the defaults, for a body of which little is carried on (a Books webhook's whole entity). */
export interface PayloadBounds {
  /** @default MAX_NODES */
  maxNodes?: number;
  /** Whether string values go on the queue, so must be characters it can carry. @default true */
  carried?: boolean;
}

/**
 * Checks a parsed body against the bounds; throws a ValidationError (400/413/422) naming the first problem.
 * Iterative, so no input can exhaust the stack here.
 */
export function checkPayloadBounds(value: unknown, bounds: PayloadBounds = {}): void {
  const maxNodes = bounds.maxNodes ?? MAX_NODES;
  const carried = bounds.carried ?? true;
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: (string | number)[] };
    nodes += 1;
    if (nodes + stack.length > maxNodes)
      throw new ValidationError(`request body has more than ${maxNodes} values`, [], { httpStatus: 413 });
    if (path.length > MAX_DEPTH)
      throw new ValidationError(
        `request body is nested deeper than ${MAX_DEPTH} levels`,
        [{ path: where(path.slice(0, MAX_DEPTH)), message: "too deep" }],
        { httpStatus: 422 },
      );
    if (typeof v === "string") {
      const bad = carried ? uncarriableChar(v) : undefined;
      if (bad)
        throw new ValidationError(
          `value at ${where(path)} contains ${bad}, a character the queue cannot carry`,
          [
            {
              path: where(path),
              message: `contains ${bad} (control character, lone surrogate or noncharacter)`,
            },
          ],
          { httpStatus: 422 },
        );
    } else if (Array.isArray(v)) {
      if (nodes + stack.length + v.length > maxNodes)
        throw new ValidationError(`request body has more than ${maxNodes} values`, [], { httpStatus: 413 });
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v)) {
        const bad = uncarriableChar(key);
        if (key === "__proto__" || bad)
          throw new ValidationError(
            `property name at ${where(path)} is not allowed`,
            [
              {
                path: where(path),
                message: bad ? `a property name contains ${bad}` : "property name __proto__",
              },
            ],
            { httpStatus: 422 },
          );
        stack.push({ v: (v as Record<string, unknown>)[key], path: [...path, key] });
      }
    }
  }
}
