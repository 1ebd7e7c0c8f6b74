/**
 * Record filters for the sandbox: Search API criteria (`((Last_Name:equals:Doe)and(Email:starts_with:jd))`), the
 * comparison both filters share, and their errors. The COQL subset is parsed in coql.ts.
 */

export type Row = Record<string, unknown>;
export type Predicate = (row: Row) => boolean;

/** A COQL or criteria parse failure, reported with a position like Zoho's SYNTAX_ERROR details. */
export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly near: string,
  ) {
    super(message);
    this.name = "QuerySyntaxError";
  }
}

/** A reference to a field the module does not have (INVALID_QUERY). */
export class UnknownColumnError extends Error {
  constructor(readonly column: string) {
    super(`column given seems to be invalid: ${column}`);
    this.name = "UnknownColumnError";
  }
}

const scalar = (value: unknown): string | number | boolean | null => {
  if (value && typeof value === "object" && "id" in value) return String((value as { id: unknown }).id);
  if (value === undefined) return null;
  return value as string | number | boolean | null;
};

/** Compares a record value with an expected one as Zoho filters do (case-insensitive text, numbers as numbers). */
export function compare(op: string, actual: unknown, expected: unknown): boolean {
  const a = scalar(actual);
  if (op === "is null") return a === null || a === "";
  if (op === "is not null") return !(a === null || a === "");
  if (a === null) return op === "!=" || op === "not_equal";
  const num = typeof a === "number" || (typeof expected === "number" && !Number.isNaN(Number(a)));
  const lhs = num ? Number(a) : String(a).toLowerCase();
  const norm = (v: unknown) => (num ? Number(v) : String(v).toLowerCase());
  switch (op) {
    case "=":
    case "equals":
      return lhs === norm(expected);
    case "!=":
    case "not_equal":
      return lhs !== norm(expected);
    case ">":
    case "greater_than":
      return lhs > norm(expected);
    case "<":
    case "less_than":
      return lhs < norm(expected);
    case ">=":
    case "greater_equal":
      return lhs >= norm(expected);
    case "<=":
    case "less_equal":
      return lhs <= norm(expected);
    case "starts_with":
      return String(lhs).startsWith(String(norm(expected)));
    case "like": {
      const pattern = String(expected)
        .toLowerCase()
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replace(/%/g, ".*");
      return new RegExp(`^${pattern}$`, "s").test(String(lhs));
    }
    case "in":
    case "not in": {
      const hit = (expected as unknown[]).some((e) => lhs === norm(e));
      return op === "in" ? hit : !hit;
    }
    default:
      return false;
  }
}

const CRITERIA_OPS = [
  "equals",
  "not_equal",
  "starts_with",
  "in",
  "greater_than",
  "less_than",
  "greater_equal",
  "less_equal",
];

/** Parses Search API criteria. `fields` is the set of known API names (case-sensitive, as Zoho). */
export function parseCriteria(criteria: string, fields: Set<string>): Predicate {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new QuerySyntaxError(msg, pos + 1, criteria.slice(pos, pos + 20));
  };
  const expr = (): Predicate => {
    let left = term();
    for (;;) {
      const m = /^(and|or)/i.exec(criteria.slice(pos));
      if (!m) return left;
      pos += m[0].length;
      const right = term();
      const l = left;
      left = m[0].toLowerCase() === "and" ? (r) => l(r) && right(r) : (r) => l(r) || right(r);
    }
  };
  const term = (): Predicate => {
    if (criteria[pos] !== "(") fail("expected (");
    pos += 1;
    if (criteria[pos] === "(") {
      const inner = expr();
      if (criteria[pos] !== ")") fail("expected )");
      pos += 1;
      return inner;
    }
    // The condition ends at the first `)` that no backslash escapes (a value may hold `\)`).
    let end = -1;
    for (let i = pos; i < criteria.length; i++) {
      if (criteria[i] === "\\") i += 1;
      else if (criteria[i] === ")") {
        end = i;
        break;
      }
    }
    if (end < 0) fail("unbalanced parentheses");
    const body = criteria.slice(pos, end);
    const [field, op, ...rest] = body.split(":");
    const value = rest.join(":");
    if (!field || !op || !CRITERIA_OPS.includes(op)) fail(`invalid criteria ${body}`);
    if (!fields.has(field as string) && field !== "id") throw new UnknownColumnError(field as string);
    pos = end + 1;
    // Zoho escapes literal parentheses, commas and backslashes with a backslash in criteria values.
    const unescapeValue = (v: string) => v.replace(/\\([(),\\])/g, "$1");
    const expected = op === "in" ? value.split(/(?<!\\),/).map(unescapeValue) : unescapeValue(value);
    return (row) => compare(op as string, row[field as string], expected);
  };
  const predicate = expr();
  if (pos !== criteria.length) fail("unexpected trailing input");
  return predicate;
}

export { type CoqlQuery, parseCoql } from "./coql.js";
