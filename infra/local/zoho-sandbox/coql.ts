/**
 * The COQL subset the sandbox runs (checklist item 16): `select a, b from Leads where x = 'y' and (z like 'ab%' or
 * n > 3) order by a desc limit 10, 20`, with Zoho's SYNTAX_ERROR position details on a parse failure.
 */
import { compare, type Predicate, QuerySyntaxError, UnknownColumnError } from "./query.js";

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
/** `id <op> n` on exact integers. */
function compareIds(op: string, id: string, want: bigint): boolean {
  if (!/^\d+$/.test(id)) return false;
  const have = BigInt(id);
  if (op === "=") return have === want;
  if (op === "!=") return have !== want;
  if (op === ">") return have > want;
  if (op === "<") return have < want;
  if (op === ">=") return have >= want;
  return have <= want;
}

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
      // Record ids are 19 digits, past a double's precision: compare them exactly (a backfill pages by `id > last`).
      const lit = peek();
      if (field === "id" && lit?.kind === "number" && /^\d+$/.test(lit.text)) {
        i += 1;
        const want = BigInt(lit.text);
        const cmp = op;
        return (row) => compareIds(cmp, String(row.id), want);
      }
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
