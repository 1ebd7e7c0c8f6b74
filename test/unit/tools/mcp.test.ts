/**
 * Tool outcomes as MCP tool results (shared/tools/mcp.ts): success carries structuredContent and the same JSON as
 * text; a failure is `isError` with the code, message, wait and job in the text and the error's fields in `_meta`,
 * never a structuredContent the client would check against the tool's output schema.
 */
import { describe, expect, it } from "vitest";
import { MAX_MCP_OUTPUT_CHARS, toCallToolResult } from "../../../shared/tools/mcp.js";

describe("toCallToolResult", () => {
  it("success: structuredContent and the same JSON as text", () => {
    const result = toCallToolResult({ ok: true, callId: "call_1", output: { a: 1, jobId: "call_1" } });
    expect(result).toEqual({
      content: [{ type: "text", text: '{"a":1,"jobId":"call_1"}' }],
      structuredContent: { a: 1, jobId: "call_1" },
    });
  });

  it("a passing refusal says the code, message, wait and job; its fields go to _meta", () => {
    const error = {
      status: 429,
      code: "rate_limited",
      message: "the key's write budget of 200 a day is spent",
      retryable: true,
      retryAfterSeconds: 3600,
    };
    const result = toCallToolResult({ ok: false, callId: "call_2", error });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(result.content).toEqual([
      {
        type: "text",
        text: "rate_limited: the key's write budget of 200 a day is spent. Retry after 3600 s. Job call_2.",
      },
    ]);
    expect(result._meta).toEqual({ error, jobId: "call_2" });
  });

  it("a refusal before any call id (a bad key) has no job", () => {
    const result = toCallToolResult({
      ok: false,
      error: { status: 401, code: "unauthorized", message: "unknown API key", retryable: false },
    });
    expect(result.content).toEqual([{ type: "text", text: "unauthorized: unknown API key." }]);
    expect(result._meta).toEqual({
      error: { status: 401, code: "unauthorized", message: "unknown API key", retryable: false },
    });
  });

  it("an answer over the limit becomes a non-retryable rejected error naming its size", () => {
    const result = toCallToolResult({
      ok: true,
      callId: "call_3",
      output: { blob: "x".repeat(MAX_MCP_OUTPUT_CHARS), jobId: "call_3" },
    });
    expect(result).toMatchObject({ isError: true, _meta: { error: { code: "rejected", retryable: false } } });
    expect((result.content[0] as { text: string }).text).toMatch(
      /^rejected: the answer is 1000\d+ characters/,
    );
  });
});
