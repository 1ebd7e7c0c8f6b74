/**
 * Record filters for the sandbox: Search API criteria (`((Last_Name:equals:Doe)and(Email:starts_with:jd))`)
 * and a COQL subset (`select a, b from Leads where x = 'y' and (z like 'ab%' or n > 3) order by a desc limit 10, 20`).
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

function compare(op: string, actual: unknown, expected: unknown): boolean {
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
    const end = criteria.indexOf(")", pos);
    if (end < 0) fail("unbalanced parentheses");
    const body = criteria.slice(pos, end);
    const [field, op, ...rest] = body.split(":");
    const value = rest.join(":");
    if (!field || !op || !CRITERIA_OPS.includes(op)) fail(`invalid criteria ${body}`);
    if (!fields.has(field as string) && field !== "id") throw new UnknownColumnError(field as string);
    pos = end + 1;
    // Zoho escapes literal parentheses and commas with a backslash in criteria values.
    const unescapeValue = (v: string) => v.replace(/\\([(),])/g, "$1");
    const expected = op === "in" ? value.split(/(?<!\\),/).map(unescapeValue) : unescapeValue(value);
    return (row) => compare(op as string, row[field as string], expected);
  };
  const predicate = expr();
  if (pos !== criteria.length) fail("unexpected trailing input");
  return predicate;
}

type Token = { kind: "word" | "string" | "number" | "op" | "punct"; text: string; col: number };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:('(?:[^'\\]|\\.|'')*')|(-?\d+(?:\.\d+)?)|(>=|<=|!=|=|<|>)|([(),*])|([A-Za-z_$][\w$.]*))/y;
  let pos = 0;
  while (pos < sql.length) {
    if (/^\s*$/.test(sql.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(sql);
    if (!m) throw new QuerySyntaxError("invalid query formed", pos + 1, sql.slice(pos, pos + 20).trim());
    const col = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? "").length + 1;
    if (m[1] !== undefined)
      tokens.push({ kind: "string", text: m[1].slice(1, -1).replace(/''/g, "'").replace(/\\'/g, "'"), col });
    else if (m[2] !== undefined) tokens.push({ kind: "number", text: m[2], col });
    else if (m[3] !== undefined) tokens.push({ kind: "op", text: m[3], col });
    else if (m[4] !== undefined) tokens.push({ kind: "punct", text: m[4], col });
    else tokens.push({ kind: "word", text: m[5] ?? "", col });
    pos = re.lastIndex;
  }
  return tokens;
}

export interface CoqlQuery {
  fields: string[];
  module: string;
  where: Predicate;
  orderBy?: { field: string; desc: boolean };
  limit: number;
  offset: number;
}

/**
 * Parses the COQL subset. `fieldsOf(module)` returns the module's field names or `undefined` for an unknown module.
 * Errors: {@link QuerySyntaxError} (SYNTAX_ERROR) and {@link UnknownColumnError} (INVALID_QUERY).
 */
export function parseCoql(sql: string, fieldsOf: (module: string) => Set<string> | undefined): CoqlQuery {
  const tokens = tokenize(sql);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (msg = "invalid query formed"): never => {
    const t = tokens[i] ?? tokens[tokens.length - 1];
    throw new QuerySyntaxError(msg, t ? t.col : 1, t?.text ?? "");
  };
  const keyword = (kw: string) => {
    const t = peek();
    if (t?.kind === "word" && t.text.toLowerCase() === kw) {
      i += 1;
      return true;
    }
    return false;
  };
  const expect = (kw: string) => keyword(kw) || fail();
  const word = (): string => {
    const t = peek();
    if (t?.kind !== "word") return fail();
    i += 1;
    return t.text;
  };

  expect("select");
  const fields: string[] = [];
  do {
    fields.push(word());
  } while (peek()?.text === "," && ++i);
  expect("from");
  const module = word();
  const known = fieldsOf(module);
  if (!known) throw new UnknownColumnError(module);
  const check = (f: string) => {
    if (f !== "id" && !known.has(f.split(".")[0] ?? f)) throw new UnknownColumnError(f);
    return f;
  };
  fields.forEach(check);

  const value = (): unknown => {
    const t = peek();
    if (!t) return fail();
    i += 1;
    if (t.kind === "string") return t.text;
    if (t.kind === "number") return Number(t.text);
    if (t.kind === "word" && ["true", "false"].includes(t.text.toLowerCase()))
      return t.text.toLowerCase() === "true";
    if (t.kind === "word" && t.text.toLowerCase() === "null") return null;
    i -= 1;
    return fail();
  };
  const condition = (): Predicate => {
    if (peek()?.text === "(") {
      i += 1;
      const inner = orExpr();
      if (peek()?.text !== ")") fail();
      i += 1;
      return inner;
    }
    const field = check(word());
    const t = peek();
    let op: string;
    let expected: unknown;
    if (t?.kind === "op") {
      i += 1;
      op = t.text;
      expected = value();
    } else if (keyword("like")) {
      op = "like";
      expected = value();
    } else if (keyword("is")) {
      op = keyword("not") ? "is not null" : "is null";
      expect("null");
    } else if (keyword("not")) {
      expect("in");
      op = "not in";
      expected = list();
    } else if (keyword("in")) {
      op = "in";
      expected = list();
    } else return fail();
    return (row) => compare(op, field === "id" ? row.id : row[field], expected);
  };
  const list = (): unknown[] => {
    if (peek()?.text !== "(") fail();
    i += 1;
    const out = [value()];
    while (peek()?.text === ",") {
      i += 1;
      out.push(value());
    }
    if (peek()?.text !== ")") fail();
    i += 1;
    return out;
  };
  const andExpr = (): Predicate => {
    let left = condition();
    while (keyword("and")) {
      const l = left;
      const r = condition();
      left = (row) => l(row) && r(row);
    }
    return left;
  };
  const orExpr = (): Predicate => {
    let left = andExpr();
    while (keyword("or")) {
      const l = left;
      const r = andExpr();
      left = (row) => l(row) || r(row);
    }
    return left;
  };

  let where: Predicate = () => true;
  if (keyword("where")) where = orExpr();
  let orderBy: CoqlQuery["orderBy"];
  if (keyword("order")) {
    expect("by");
    const field = check(word());
    const desc = keyword("desc");
    if (!desc) keyword("asc");
    orderBy = { field, desc };
  }
  let limit = 200;
  let offset = 0;
  if (keyword("limit")) {
    const n = (): number => {
      const t = peek();
      if (t?.kind !== "number") return fail();
      i += 1;
      return Number(t.text);
    };
    const first = n();
    if (peek()?.text === ",") {
      i += 1;
      offset = first;
      limit = n();
    } else {
      limit = first;
      if (keyword("offset")) offset = n();
    }
  }
  if (i < tokens.length) fail();
  return { fields, module, where, ...(orderBy ? { orderBy } : {}), limit, offset };
}
