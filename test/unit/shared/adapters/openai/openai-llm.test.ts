/**
 * The model port's adapter: `ask` sends the system and user text (and a repair hint when there is one) with a
 * strict structured-output format, returns the parsed value with what it cost, and translates every SDK failure
 * into the error taxonomy. The SDK runs for real over an injected fetch, so no socket is opened.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { LlmOutputWithUsageError, OpenAiLlm } from "../../../../../shared/adapters/openai/openai-llm.js";
import {
  LlmOutputError,
  UpstreamRateLimitError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../../../../shared/errors.js";
import type { LlmRequest } from "../../../../../shared/ports/llm.js";

const Score = z.object({ score: z.number().int(), reason: z.string() });

const request = (over: Partial<LlmRequest<typeof Score>> = {}): LlmRequest<typeof Score> => ({
  model: "test-model",
  system: "Score the lead.",
  user: "<lead>Acme wants 40 seats</lead>",
  schema: Score,
  schemaName: "lead_score",
  ...over,
});

interface Sent {
  url: string;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format: { type: string; json_schema: { name: string; strict: boolean; schema?: object } };
  };
}

/** A fetch that records what the SDK sent and answers with `respond`'s response. */
function fakeFetch(respond: () => Response) {
  const sent: Sent[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    return respond();
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const completion = (message: Record<string, unknown>, model = "test-model-2026") =>
  new Response(
    JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 0,
      model,
      choices: [
        { index: 0, finish_reason: "stop", message: { role: "assistant", refusal: null, ...message } },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    }),
    { status: 200, headers: { "content-type": "application/json" } },
  );

const failure = (status: number, headers: Record<string, string> = {}, code: string | null = null) =>
  new Response(JSON.stringify({ error: { message: "nope", type: "error", param: null, code } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

const llmWith = (respond: () => Response) => {
  const f = fakeFetch(respond);
  return {
    llm: new OpenAiLlm({ apiKey: "test", baseURL: "http://model.test/v1", fetch: f.fetch }),
    sent: f.sent,
  };
};

describe("OpenAiLlm.ask", () => {
  it("returns the parsed answer, its usage and the model that answered", async () => {
    const { llm, sent } = llmWith(() => completion({ content: '{"score":81,"reason":"budget approved"}' }));

    const result = await llm.ask(request());

    expect(result).toEqual({
      value: { score: 81, reason: "budget approved" },
      usage: { promptTokens: 120, completionTokens: 30 },
      model: "test-model-2026",
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe("http://model.test/v1/chat/completions");
    expect(sent[0]?.body.model).toBe("test-model");
    expect(sent[0]?.body.messages).toEqual([
      { role: "system", content: "Score the lead." },
      { role: "user", content: "<lead>Acme wants 40 seats</lead>" },
    ]);
    expect(sent[0]?.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "lead_score", strict: true },
    });
  });

  it("reports the prompt tokens the provider served from its cache, and sends the schema without $schema", async () => {
    const { llm, sent } = llmWith(
      () =>
        new Response(
          JSON.stringify({
            id: "chatcmpl-2",
            object: "chat.completion",
            created: 0,
            model: "test-model-2026",
            choices: [
              {
                index: 0,
                finish_reason: "stop",
                message: { role: "assistant", refusal: null, content: '{"score":7,"reason":"x"}' },
              },
            ],
            usage: {
              prompt_tokens: 1_500,
              completion_tokens: 30,
              total_tokens: 1_530,
              prompt_tokens_details: { cached_tokens: 1_408 },
            },
          }),
          { status: 200, headers: { "content-type": "application/json" } },
        ),
    );

    const result = await llm.ask(request());

    expect(result.usage).toEqual({ promptTokens: 1_500, completionTokens: 30, cachedPromptTokens: 1_408 });
    expect(sent[0]?.body.response_format.json_schema.schema).not.toHaveProperty("$schema");
  });

  it("adds the repair hint as a separate user message after the data, never into the instructions", async () => {
    const { llm, sent } = llmWith(() => completion({ content: '{"score":1,"reason":"x"}' }));

    await llm.ask(request({ repairHint: "score: expected integer" }));

    const messages = sent[0]?.body.messages ?? [];
    expect(messages).toHaveLength(3);
    expect(messages[0]).toEqual({ role: "system", content: "Score the lead." });
    expect(messages[2]?.role).toBe("user");
    expect(messages[2]?.content).toContain("score: expected integer");
  });

  it("a refusal is an LlmOutputError that keeps what the call cost", async () => {
    const { llm } = llmWith(() => completion({ content: null, refusal: "I can't help with that." }));

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmOutputWithUsageError);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect((error as Error).message).toBe("model refused: I can't help with that.");
    expect((error as LlmOutputWithUsageError).usage).toEqual({ promptTokens: 120, completionTokens: 30 });
    expect((error as LlmOutputError).retryable).toBe(true);
  });

  it("output that fails the schema is an LlmOutputError", async () => {
    const { llm } = llmWith(() => completion({ content: '{"score":"high","reason":"x"}' }));

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmOutputError);
    expect((error as Error).message).toMatch(/^model output failed the schema/);
  });

  it("a 429 is a retryable rate limit carrying the model's retry-after", async () => {
    const { llm } = llmWith(() => failure(429, { "retry-after": "2" }));

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamRateLimitError);
    expect(error).toMatchObject({ upstream: "openai", status: 429, retryAfterMs: 2_000, retryable: true });
  });

  it("prefers retry-after-ms over retry-after", async () => {
    const { llm } = llmWith(() => failure(429, { "retry-after-ms": "350", "retry-after": "2" }));

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toMatchObject({ retryAfterMs: 350 });
  });

  it("a 5xx is a retryable unavailability", async () => {
    const { llm } = llmWith(() => failure(503));

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error).toMatchObject({ upstream: "openai", retryable: true });
  });

  it("another 4xx is a non-retryable rejection naming the model's code", async () => {
    const { llm } = llmWith(() => failure(400, {}, "invalid_request_error"));

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error).toMatchObject({
      upstream: "openai",
      status: 400,
      code: "invalid_request_error",
      retryable: false,
    });
  });

  it("no answer within the timeout is a retryable timeout", async () => {
    const hanging = (async (_url: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      })) as typeof globalThis.fetch;
    const llm = new OpenAiLlm({
      apiKey: "test",
      baseURL: "http://model.test/v1",
      fetch: hanging,
      timeoutMs: 20,
    });

    const error = await llm.ask(request()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ upstream: "openai", retryable: true });
  });
});
