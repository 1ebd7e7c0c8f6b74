/**
 * The sandbox's small dispatcher: route modules register a handler per method and path pattern, and a service
 * (CRM, Desk, accounts, controls) asks for the handlers that match a call, in registration order. A pattern is a
 * path of literal segments and `:name` segments (one segment each, bound in `params`); literals match exactly
 * (case-sensitive, as Zoho's `settings`, `search`, `coql`), and the whole path must match.
 *
 * A handler may return `undefined` to pass the call to the next match, so where paths overlap (`Leads/search`
 * and `{module}/{id}`) the more specific route is registered first.
 */

/** Values bound by `:name` segments. */
export type Params = Readonly<Record<string, string>>;

/** `"*"` matches every method. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "*";

interface Route<H> {
  methods: readonly Method[];
  parts: readonly string[];
  handler: H;
}

/** Routes of one service: handlers of type `H` by method and path pattern, matched in registration order. */
export class Router<H> {
  private readonly routes: Route<H>[] = [];

  /** Registers `handler` for `method` (one or several) on `pattern`, e.g. `":module/:id/Notes"`. */
  on(method: Method | readonly Method[], pattern: string, handler: H): this {
    const methods = typeof method === "string" ? [method] : method;
    this.routes.push({ methods, parts: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  /** The routes matching `method` and `segments`, in registration order, with their bound parameters. */
  *match(method: string, segments: readonly string[]): Generator<{ handler: H; params: Params }> {
    for (const route of this.routes) {
      if (!route.methods.includes("*") && !route.methods.includes(method as Method)) continue;
      const params = bind(route.parts, segments);
      if (params) yield { handler: route.handler, params };
    }
  }

  /** The first non-`undefined` answer of the matching handlers, called with their parameters. */
  first<R>(
    method: string,
    segments: readonly string[],
    call: (handler: H, params: Params) => R | undefined,
  ): R | undefined {
    for (const { handler, params } of this.match(method, segments)) {
      const answer = call(handler, params);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }
}

function bind(parts: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith(":")) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}
