/**
 * Deluge-style `criteria` for Creator's GET and bulk PATCH (checklist item 4): comparisons `==`, `!=`, `<`, `>`,
 * `<=`, `>=`, the text methods `.contains("")`, `.startsWith("")`, `.endsWith("")`, `&&`, `||`, `!` and brackets.
 * Values compare by field type: numbers as numbers, dates and date-times in the app's formats, lookups by the
 * target's ID (`Customer == 5545974000001000007` or `Customer.ID == ...`, the number kept as written) or by its
 * displayed field (`Customer.Company == "..."`), lists by membership. Text compares case-sensitively, as Deluge does.
 */
import { dayIn, parseDate, parseDateTime } from "./dates.js";
import type { CreatorApp, CreatorEnv, CreatorFieldSpec, CreatorFormSpec, CreatorRow } from "./types.js";

export class CriteriaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CriteriaError";
  }
}

interface Literal {
  kind: "string" | "number" | "bool" | "null";
  text: string;
}
type Node =
  | { t: "and" | "or"; l: Node; r: Node }
  | { t: "not"; e: Node }
  | { t: "test"; path: string[]; op: string; value: Literal };

const METHODS = new Set(["contains", "startsWith", "endsWith"]);
const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(==|!=|<=|>=|&&|\|\||[<>!()]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new CriteriaError(`unexpected input at ${at}: ${text.slice(at, at + 10)}`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  }
  return tokens;
}

function literal(token: string | undefined): Literal {
  if (token === undefined) throw new CriteriaError("a value is missing");
  if (/^["']/.test(token)) return { kind: "string", text: token.slice(1, -1).replace(/\\(.)/g, "$1") };
  if (/^-?\d/.test(token)) return { kind: "number", text: token };
  if (token === "true" || token === "false") return { kind: "bool", text: token };
  if (token === "null") return { kind: "null", text: "" };
  throw new CriteriaError(`not a value: ${token}`);
}

function parse(tokens: string[]): Node {
  let i = 0;
  const peek = () => tokens[i];
  const take = (want?: string) => {
    const token = tokens[i++];
    if (want !== undefined && token !== want)
      throw new CriteriaError(`expected ${want}, found ${token ?? "end"}`);
    return token;
  };
  const or = (): Node => {
    let node = and();
    while (peek() === "||") {
      take();
      node = { t: "or", l: node, r: and() };
    }
    return node;
  };
  const and = (): Node => {
    let node = unary();
    while (peek() === "&&") {
      take();
      node = { t: "and", l: node, r: unary() };
    }
    return node;
  };
  const unary = (): Node => {
    if (peek() === "!") {
      take();
      return { t: "not", e: unary() };
    }
    if (peek() === "(") {
      take();
      const node = or();
      take(")");
      return node;
    }
    const name = take();
    if (!name || !/^[A-Za-z_]/.test(name))
      throw new CriteriaError(`expected a field, found ${name ?? "end"}`);
    const path = name.split(".");
    const method = path[path.length - 1] ?? "";
    if (peek() === "(" && METHODS.has(method)) {
      take("(");
      const value = literal(take());
      take(")");
      return { t: "test", path: path.slice(0, -1), op: method, value };
    }
    const op = take();
    if (!op || !["==", "!=", "<", ">", "<=", ">="].includes(op))
      throw new CriteriaError(`expected an operator after ${name}`);
    return { t: "test", path, op, value: literal(take()) };
  };
  const node = or();
  if (i < tokens.length) throw new CriteriaError(`unexpected ${tokens[i]}`);
  return node;
}

const order = (op: string, c: number) =>
  op === "=="
    ? c === 0
    : op === "!="
      ? c !== 0
      : op === "<"
        ? c < 0
        : op === ">"
          ? c > 0
          : op === "<="
            ? c <= 0
            : c >= 0;
const cmp = <T>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** Compiles `text` against a form's fields; throws CriteriaError for bad syntax or an unknown field. */
export function compileCriteria(
  text: string,
  form: CreatorFormSpec,
  app: CreatorApp,
  env: CreatorEnv,
): (row: CreatorRow) => boolean {
  const tree = parse(tokenize(text));
  const system = (link: string): CreatorFieldSpec | undefined =>
    link === "Added_Time" || link === "Modified_Time"
      ? { link_name: link, display_name: link, kind: "datetime" }
      : undefined;

  const test = (node: Extract<Node, { t: "test" }>, row: CreatorRow): boolean => {
    const [name = "", sub] = node.path;
    const { op, value } = node;
    if (name === "ID") return order(op, cmp(BigInt(String(row.ID)), BigInt(value.text)));
    const f = form.fields.find((x) => x.link_name === name) ?? system(name);
    if (!f) return false;
    let actual = row[name];
    let kind = f.kind;
    if ((f.kind === "lookup" || f.kind === "multi_lookup") && sub && sub !== "ID" && f.lookup) {
      const display = f.lookup.display;
      const ids = Array.isArray(actual) ? actual : [actual];
      actual = ids.map((id) => app.data[env][f.lookup?.form ?? ""]?.get(String(id))?.[display] ?? "");
      kind = Array.isArray(row[name]) ? "multi_select" : "single_line";
      if (!Array.isArray(row[name])) actual = (actual as unknown[])[0];
    }
    const empty =
      actual === undefined || actual === null || actual === "" || (Array.isArray(actual) && !actual.length);
    if (value.kind === "null") return op === "==" ? empty : op === "!=" ? !empty : false;
    if (Array.isArray(actual)) {
      const has = actual.map(String).includes(value.text);
      return op === "!=" ? !has : op === "==" || op === "contains" ? has : false;
    }
    if (op === "contains" || op === "startsWith" || op === "endsWith") {
      const s = String(actual ?? "");
      return op === "contains"
        ? s.includes(value.text)
        : op === "startsWith"
          ? s.startsWith(value.text)
          : s.endsWith(value.text);
    }
    switch (kind) {
      case "number":
      case "decimal":
      case "percent":
      case "currency":
        return !empty && order(op, cmp(Number(actual), Number(value.text)));
      case "decision":
        return order(op, cmp(actual === true, value.text === "true"));
      case "date": {
        const day = parseDate(value.text, app.date_format) ?? value.text;
        return !empty && order(op, cmp(String(actual), day));
      }
      case "datetime": {
        if (empty) return false;
        const at = parseDateTime(value.text, app);
        if (at !== undefined) return order(op, cmp(Number(actual), at));
        const day = parseDate(value.text, app.date_format) ?? value.text;
        return order(op, cmp(dayIn(Number(actual), app.time_zone), day));
      }
      default:
        return order(op, cmp(String(actual ?? ""), value.text));
    }
  };

  const run = (node: Node, row: CreatorRow): boolean => {
    if (node.t === "test") return test(node, row);
    if (node.t === "not") return !run(node.e, row);
    return node.t === "and" ? run(node.l, row) && run(node.r, row) : run(node.l, row) || run(node.r, row);
  };
  // Unknown fields and non-numeric IDs are errors even when no record reaches them: check every test up front.
  const check = (node: Node): void => {
    if (node.t === "test") {
      const name = node.path[0] ?? "";
      if (name === "ID" && !/^\d+$/.test(node.value.text)) throw new CriteriaError("ID compares with digits");
      if (name !== "ID" && !form.fields.some((f) => f.link_name === name) && !system(name))
        throw new CriteriaError(`no field ${name}`);
    } else if (node.t === "not") check(node.e);
    else {
      check(node.l);
      check(node.r);
    }
  };
  check(tree);
  return (row) => run(tree, row);
}
