/**
 * The OpenAPI 3.1 document of the REST face of the tools (`POST /v1/tools/<name>`), generated from the same zod
 * schemas as the MCP tools (one source of truth), for GPT Actions: one operation per tool, its operationId the
 * tool's name, its summary the title, its description the tool's (GPT Actions refuse one over 300 characters),
 * the input schema as the request body, the output schema as the 200 body, the error body on every refusal, and
 * `Authorization: Bearer <key>` as the security scheme (GPT Actions: authentication "API Key", auth type "Bearer").
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import * as z from "zod";
import type { ToolDefinition } from "./definition.js";

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;
/** OpenAPI 3.1's schema object (JSON Schema 2020-12), as the generator's document types it. */
type SchemaObject = NonNullable<NonNullable<OpenApiDocument["components"]>["schemas"]>[string];

/** GPT Actions' limit on an operation's description. */
export const MAX_OPERATION_DESCRIPTION = 300;
/** GPT Actions accept fewer than 30 operations per Action. */
export const MAX_OPERATIONS = 29;

/** The REST path of a tool. */
export const toolPath = (name: string) => `/v1/tools/${name}`;

/** What REST answers when a call is refused or fails: the tool error, flattened (the MCP tool result's `error`). */
export const ToolErrorBodySchema = z
  .object({
    error: z
      .string()
      .describe(
        "unauthorized | forbidden | invalid_arguments | not_found | rejected | rate_limited | unavailable | internal_error",
      ),
    message: z
      .string()
      .describe("What went wrong, for the model: it names arguments and fields, never values."),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe("Which arguments were wrong."),
    jobId: z.string().optional().describe("The call's id, for mediator_job_status."),
    retryable: z.boolean().optional().describe("True for 429 and 503: call again after retry-after seconds."),
  })
  .describe("A refused or failed tool call.");

/** The refusals every operation can answer, each with the error body. */
const ERROR_RESPONSES: Record<string, string> = {
  "400": "Invalid arguments (the issues name them) or an unreadable body.",
  "401": "No API key, or an unknown, malformed or revoked one.",
  "403": "The key lacks the scope, module or field this call needs.",
  "404": "No such record, ticket, job or tool.",
  "422": "Zoho refused the data (the message names the field), or a value is not acceptable.",
  "429": "Rate limit, write budget or Zoho credits exhausted: retry after the retry-after header's seconds.",
  "503": "Zoho is unavailable for a moment: retry after the retry-after header's seconds.",
};

/** A description within GPT Actions' limit (cut at a word boundary when a tool's is longer). */
export function operationDescription(description: string): string {
  const text = description.trim().replace(/\s+/g, " ");
  if (text.length <= MAX_OPERATION_DESCRIPTION) return text;
  const cut = text.slice(0, MAX_OPERATION_DESCRIPTION - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > MAX_OPERATION_DESCRIPTION / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The document for `tools`, its server `serverUrl` (the public base URL, without `/v1`). Throws when the tools
 * would break GPT Actions' limits in a way a cut cannot fix (too many operations, a name unfit for an operationId).
 */
export function buildOpenApi(
  tools: readonly ToolDefinition[],
  options: { serverUrl: string; version: string },
): OpenApiDocument {
  if (tools.length > MAX_OPERATIONS)
    throw new Error(`${tools.length} tools: GPT Actions accept at most ${MAX_OPERATIONS} operations`);
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "The mediator's API key (zgm_...): GPT Actions' authentication API Key, auth type Bearer.",
  });
  // A plain JSON Schema component (registering a zod schema by name needs zod patched with `.openapi`).
  const { $schema: _, ...errorSchema } = z.toJSONSchema(ToolErrorBodySchema, { target: "draft-2020-12" });
  const errorBody = registry.registerComponent("schemas", "ToolError", errorSchema as SchemaObject).ref;
  const retryAfter = {
    "retry-after": {
      description: "Seconds to wait before calling again.",
      schema: { type: "integer" as const },
    },
  };
  for (const tool of tools) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(tool.name))
      throw new Error(`tool name "${tool.name}" cannot be an operationId`);
    registry.registerPath({
      method: "post",
      path: toolPath(tool.name),
      operationId: tool.name,
      summary: tool.title,
      description: operationDescription(tool.description),
      security: [{ [bearer.name]: [] }],
      request: {
        body: { required: true, content: { "application/json": { schema: tool.input } } },
      },
      responses: {
        200: { description: "The tool's answer.", content: { "application/json": { schema: tool.output } } },
        ...Object.fromEntries(
          Object.entries(ERROR_RESPONSES).map(([status, description]) => [
            status,
            {
              description,
              ...(status === "429" || status === "503" ? { headers: retryAfter } : {}),
              content: { "application/json": { schema: errorBody } },
            },
          ]),
        ),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "zoho-gpt-mediator tools",
      version: options.version,
      description:
        "Zoho CRM and Desk tools through the mediator: it holds the Zoho credentials, checks every argument against " +
        "the org's live metadata and the key's scopes, and audits every call.",
    },
    servers: [{ url: options.serverUrl }],
  });
}
