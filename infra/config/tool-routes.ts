/**
 * The routes of the tool endpoint on the HTTP API, said once: the CDK construct adds them to API Gateway and the
 * local router serves the same ones (anything else under them is API Gateway's 404 in both).
 */
export const TOOL_ROUTES = [
  // MCP's Streamable HTTP: POST carries JSON-RPC; GET and DELETE get the handler's 405 (no SSE stream, no sessions).
  { path: "/v1/mcp", methods: ["POST", "GET", "DELETE"] },
  // GPT Actions' REST operations, one per tool (the handler answers 404 for a name that is no tool).
  { path: "/v1/tools/{tool}", methods: ["POST"] },
  { path: "/v1/openapi.json", methods: ["GET"] },
] as const;

/** Whether API Gateway would send `method path` to the tool function (`{tool}` is one path segment). */
export function isToolRoute(method: string, path: string): boolean {
  return TOOL_ROUTES.some(
    (route) =>
      (route.methods as readonly string[]).includes(method) &&
      new RegExp(`^${route.path.replace(/[.]/g, "\\.").replace(/\{[a-z]+\}/g, "[^/]+")}$`).test(path),
  );
}
