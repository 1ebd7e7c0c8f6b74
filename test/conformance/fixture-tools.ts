/**
 * The two tools the MCP conformance suite's server scenarios call (`@modelcontextprotocol/conformance`:
 * tools-call-simple-text and tools-call-error), built on the same `ToolDefinition` contract as the catalog's tools,
 * so they run through the same path: the key, the scope, the rate limit, argument validation and the audit record.
 * Only the conformance script (`test/conformance/run.ts`) adds them to a local stack; they are never deployed.
 */
import * as z from "zod";
import { ValidationError } from "../../shared/errors.js";
import type { ToolDefinition } from "../../shared/tools/definition.js";

/** The text `test_simple_text` answers (the suite's documented example). */
export const SIMPLE_TEXT = "This is a simple text response for testing.";
/** The message `test_error_handling` fails with. */
export const ERROR_TEXT = "This tool intentionally returns an error for testing";

const simpleText: ToolDefinition = {
  name: "test_simple_text",
  title: "Simple text (conformance)",
  description: "Conformance fixture: takes no arguments and answers a fixed sentence.",
  scope: "jobs",
  writes: false,
  input: z.object({}).strict(),
  output: z.object({ text: z.string(), jobId: z.string() }).strict(),
  run: async (ctx) => ({ text: SIMPLE_TEXT, jobId: ctx.callId }),
};

const errorHandling: ToolDefinition = {
  name: "test_error_handling",
  title: "Error handling (conformance)",
  description: "Conformance fixture: takes no arguments and always fails with a tool error (422 rejected).",
  scope: "jobs",
  writes: false,
  input: z.object({}).strict(),
  output: z.object({ jobId: z.string() }).strict(),
  run: async () => {
    // An error of the taxonomy, so the answer is a clear tool error (not the generic internal one).
    throw new ValidationError(ERROR_TEXT, [], { httpStatus: 422 });
  },
};

export const CONFORMANCE_TOOLS: readonly ToolDefinition[] = [simpleText, errorHandling];
